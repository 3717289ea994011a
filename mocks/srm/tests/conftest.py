"""SRM under test: a fresh database per test, and a real local HTTP server standing in for the hub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.srm.app import build

LEGS, BOARDS, BOLTS, CHAIRS = "M-LEG-STL", "M-BOARD-E1", "M-BOLT-M8", "M-CHAIR-ERG"
YONGGU, SENLIN, KUNSHAN, KUAIDA, SHUSHI = "SUP-0001", "SUP-0002", "SUP-0003", "SUP-0004", "SUP-0005"
SEEDED_PO = "PO-2026-0001"


def day(offset: int) -> str:
    """Today + ``offset`` days in SRM's ``YYYY/MM/DD``."""
    return (date.today() + timedelta(days=offset)).strftime("%Y/%m/%d")


@pytest.fixture(scope="package")
def hub() -> Iterator[WebhookReceiver]:
    """The hub stand-in: a real local HTTP server, one for the whole package (stopping one costs ~0.5 s)."""
    with WebhookReceiver() as r:
        yield r


def srm_settings(db_dir: Path, hub: WebhookReceiver, **overrides: Any) -> MockSettings:
    return MockSettings.from_env("srm", database_url=f"sqlite:///{db_dir}/srm.db", hub_url=hub.url, **overrides)


@pytest.fixture(scope="package")
def settings(tmp_path_factory: pytest.TempPathFactory, hub: WebhookReceiver) -> MockSettings:
    return srm_settings(tmp_path_factory.mktemp("srm"), hub)


@pytest.fixture(scope="package")
def srm(settings: MockSettings) -> Iterator[TestClient]:
    with TestClient(build(settings)) as c:
        yield c


@pytest.fixture
def client(srm: TestClient, hub: WebhookReceiver) -> TestClient:
    """SRM in its seed state with an empty hub stand-in.

    One app serves the whole package: ``POST /_admin/reset`` (drop + re-seed, outbox and
    idempotency keys included) is ~3x cheaper than starting an app per test. The
    reset waits for any send in progress, so the hub is emptied only after it.
    """
    assert srm.post("/_admin/reset").status_code == 200
    hub.requests.clear()
    hub.status = 204
    return srm


@pytest.fixture
def receiver(client: TestClient, hub: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in, holding only this test's webhooks."""
    return hub


def outbox(client: TestClient, event_type: str | None = None) -> list[dict[str, Any]]:
    """Events SRM has emitted (delivered or not), oldest first."""
    events = list(reversed(client.get("/_admin/webhooks", params={"limit": 1000}).json()))
    return [e for e in events if event_type is None or e["event_type"] == event_type]


def received(receiver: WebhookReceiver, event_type: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
    """Wait until the hub stand-in got ``count`` webhooks of ``event_type``; their bodies, oldest first."""
    deadline = time.monotonic() + timeout
    while True:
        found = [b for b in receiver.bodies() if b["type"] == event_type]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} {event_type} webhook(s), got {len(found)}")
        time.sleep(0.02)


def requisition(no: str, *lines: tuple[str, float, str], **extra: Any) -> dict[str, Any]:
    return {"requisitionNo": no, "origin": "MRP",
            "lines": [{"materialCode": m, "qty": q, "needBy": n} for m, q, n in lines], **extra}


def approve(client: TestClient, no: str, *lines: tuple[str, float, str]) -> dict[str, Any]:
    """Submit a requisition and approve it; the requisition as SRM answers."""
    assert client.post("/api/requisitions", json=requisition(no, *lines)).status_code == 201
    r = client.post(f"/api/requisitions/{no}/approval", json={"decision": "approved", "approvalId": "AP-1"})
    assert r.status_code == 200, r.text
    return r.json()


def issue(client: TestClient, supplier: str = KUNSHAN, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Issue a PO directly (default: 200 legs from 昆山精工, due in 20 days)."""
    body = {"supplierId": supplier,
            "lines": list(lines) or [{"materialCode": LEGS, "qty": 200, "promisedDate": day(20)}], **extra}
    r = client.post("/api/purchaseOrders", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def confirm_all(client: TestClient, po: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/confirm",
                    json={"lines": [{"lineNo": ln["lineNo"], "status": "accepted"} for ln in po["lines"]]})
    assert r.status_code == 200, r.text
    return r.json()
