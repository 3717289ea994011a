"""The shared base behaves the same for every system: specified on a toy system."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from standardwebhooks.webhooks import Webhook

from mocks.common import BusinessError, MockSettings, SessionDep, SystemSpec, create_app, emit
from mocks.common.testing import WebhookReceiver


class Base(DeclarativeBase):
    pass


class Widget(Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class WidgetIn(BaseModel):
    name: str = Field(min_length=1)
    qty: int = Field(gt=0)


router = APIRouter()


@router.post("/widgets", status_code=201)
def create_widget(body: WidgetIn, session: SessionDep) -> dict[str, Any]:
    if body.name == "forbidden":
        raise BusinessError("name_forbidden", "that name is not allowed", field="name")
    w = Widget(name=body.name)
    session.add(w)
    session.flush()
    emit(session, "widget.created", {"id": w.id, "name": w.name})
    return {"id": w.id, "name": w.name}


@router.post("/widgets/{name}/polish")
def polish_widget(name: str, session: SessionDep) -> dict[str, Any]:
    """A change to a widget that may not exist yet (409 until it does)."""
    if session.scalar(select(Widget).where(Widget.name == name)) is None:
        raise BusinessError("not_there_yet", f"no widget {name!r} yet", field="name", status=409)
    return {"name": name, "polished": True}


@router.get("/widgets/count")
def count(session: SessionDep) -> dict[str, int]:
    return {"count": session.scalar(select(func.count()).select_from(Widget)) or 0}


def seed(session: Session) -> None:
    session.add(Widget(name="seeded"))


def envelope(event_type: str, data: dict, event_id: str, at: datetime) -> dict:
    return {"kind": event_type, "id": event_id, "at": at.isoformat(), "payload": data}


SPEC = SystemSpec(name="crm", title="toy", description="toy", routers=[router],
                  metadata=Base.metadata, seed=seed, envelope=envelope)


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def client(tmp_path, receiver):
    settings = MockSettings.from_env("crm", database_url=f"sqlite:///{tmp_path}/toy.db",
                                     hub_url=receiver.url)
    with TestClient(create_app(SPEC, settings)) as c:
        yield c


def test_seed_data_is_loaded_once_at_start(client):
    assert client.get("/widgets/count").json() == {"count": 1}


def test_a_repeated_idempotency_key_returns_the_first_result_and_applies_once(client):
    first = client.post("/widgets", json={"name": "a", "qty": 1}, headers={"Idempotency-Key": "k1"})
    again = client.post("/widgets", json={"name": "a", "qty": 1}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/widgets/count").json() == {"count": 2}
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 1}


def test_a_business_rule_violation_names_the_field_and_rule(client):
    r = client.post("/widgets", json={"name": "forbidden", "qty": 1})
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "name_forbidden", "field": "name",
                                 "message": "that name is not allowed"}


def test_an_invalid_body_names_the_field(client):
    r = client.post("/widgets", json={"name": "x", "qty": 0})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "qty"


def test_events_are_sent_signed_per_standard_webhooks(client, receiver):
    client.post("/widgets", json={"name": "b", "qty": 2})
    [req] = receiver.wait_for(1)
    assert req["path"] == "/webhooks/crm"
    body = Webhook(client.app.state.settings.secret).verify(req["body"], req["headers"])
    assert body["kind"] == "widget.created" and body["payload"]["name"] == "b"
    log = client.get("/_admin/webhooks").json()
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 1


def test_a_failing_receiver_is_retried_until_it_accepts(tmp_path):
    with WebhookReceiver(status=lambda n: 503 if n < 2 else 200) as rec:
        settings = MockSettings.from_env("crm", database_url=f"sqlite:///{tmp_path}/t.db", hub_url=rec.url)
        with TestClient(create_app(SPEC, settings)) as c:
            c.post("/widgets", json={"name": "c", "qty": 1})
            rec.wait_for(3)
            assert [json.loads(r["body"])["id"] for r in rec.requests].count(rec.bodies()[0]["id"]) == 3
            deadline = time.monotonic() + 10
            while (entry := c.get("/_admin/webhooks").json()[0])["status"] != "delivered":
                assert time.monotonic() < deadline, entry
                time.sleep(0.05)
            assert entry["attempts"] == 3 and entry["last_status"] == 200


def test_reset_restores_the_seed_state(client):
    client.post("/widgets", json={"name": "d", "qty": 1})
    assert client.post("/_admin/reset").status_code == 200
    assert client.get("/widgets/count").json() == {"count": 1}


def test_an_idempotency_key_reused_with_a_different_body_is_refused_with_422_and_not_applied(client):
    first = client.post("/widgets", json={"name": "a", "qty": 1}, headers={"Idempotency-Key": "k2"})
    reused = client.post("/widgets", json={"name": "b", "qty": 5}, headers={"Idempotency-Key": "k2"})
    assert first.status_code == 201
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert "k2" in reused.json()["error"]["message"]
    assert client.get("/widgets/count").json() == {"count": 2}
    assert client.get("/_admin/idempotency", params={"key": "k2"}).json()["key"]["mismatches"] == 1


def test_a_not_yet_refusal_is_not_replayed_so_a_retry_with_the_same_key_meets_the_system_as_it_is_then(client):
    early = client.post("/widgets/late/polish", headers={"Idempotency-Key": "k5"})
    assert early.status_code == 409
    client.post("/widgets", json={"name": "late", "qty": 1})
    retried = client.post("/widgets/late/polish", headers={"Idempotency-Key": "k5"})
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers
    again = client.post("/widgets/late/polish", headers={"Idempotency-Key": "k5"})
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"


def test_an_idempotency_key_repeated_with_the_same_json_in_another_key_order_is_a_replay(client):
    first = client.post("/widgets", content=b'{"name": "a", "qty": 1}', headers={
        "Idempotency-Key": "k3", "content-type": "application/json"})
    again = client.post("/widgets", content=b'{"qty": 1, "name": "a"}', headers={
        "Idempotency-Key": "k3", "content-type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
