"""An MES on a SQLite file (one per test module, reset before each test), sending its
webhooks to a real local receiver standing in for the hub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.mes.app import build

START = "2026-03-02 08:00:00"
END = "2026-03-09 17:00:00"


@pytest.fixture(scope="session")
def _hub() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as r:
        yield r


@pytest.fixture(scope="module")
def _mes(tmp_path_factory: pytest.TempPathFactory, _hub: WebhookReceiver) -> Iterator[TestClient]:
    """One running MES per test module; each test starts from ``POST /_admin/reset``."""
    db = tmp_path_factory.mktemp("mes") / "x.db"
    with TestClient(build(MockSettings.from_env("mes", database_url=f"sqlite:///{db}", hub_url=_hub.url))) as c:
        yield c


@pytest.fixture
def client(_mes: TestClient, _hub: WebhookReceiver) -> TestClient:
    """The MES back at its seed state, with an empty hub stand-in.

    Reset first: it waits for any send in flight, and drops the outbox, so no
    event of an earlier test reaches the receiver after it is emptied.
    """
    assert _mes.post("/_admin/reset").status_code == 200
    _hub.requests.clear()
    return _mes


@pytest.fixture
def receiver(client: TestClient, _hub: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in (a real HTTP server) the MES of ``client`` sends its webhooks to."""
    return _hub


@pytest.fixture
def settings(client: TestClient) -> MockSettings:
    return client.app.state.settings


def order_body(**overrides: Any) -> dict[str, Any]:
    """A released production order of 30 desks for sales order SO-2026-0001."""
    body = {"ExternalOrderNo": "MO-2026-0001", "PartNo": "P-T1200", "PlannedQty": 30, "Uom": "PCS",
            "BomVersion": "A", "PlannedStart": START, "PlannedEnd": END, "SourceSalesOrder": "SO-2026-0001"}
    body.update(overrides)
    return body


def create_order(client: TestClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/WorkOrders", json=order_body(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


def report(client: TestClient, no: str, op: int, good: int, scrap: int = 0, operator: str = "OP-009"):
    return client.post(f"/api/WorkOrders/{no}/Reports",
                       json={"OperationNo": op, "GoodQty": good, "ScrapQty": scrap, "Operator": operator})


def events(client: TestClient, event_type: str) -> list[dict[str, Any]]:
    """Payloads of the queued/sent events of ``event_type``, oldest first (from the outbox log)."""
    log = client.get("/_admin/webhooks", params={"limit": 1000}).json()
    return [e["data"] for e in reversed(log) if e["event_type"] == event_type]


def error(response) -> dict[str, Any]:
    return response.json()["error"]
