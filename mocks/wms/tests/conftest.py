"""A WMS on a fresh SQLite file, its webhooks going to a real local receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.wms.app import build

LEG = "SKU-LEG-STL"      # WH01, on hand 40, safety 20, lot min 100, multiple 50
DESK = "SKU-DESK-1200"   # WH02, on hand 20
CHAIR = "SKU-CHAIR-ERG"  # WH02, on hand 30, safety 10
BOARD = "SKU-BOARD-E1"   # WH01, on hand 50


@pytest.fixture(scope="session")
def hub() -> Iterator[WebhookReceiver]:
    """One receiver for the whole run: stopping one costs half a second (its poll interval)."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def receiver(hub: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in, emptied for this test (the previous test's app is stopped by now)."""
    hub.requests.clear()
    return hub


@pytest.fixture
def settings(tmp_path, receiver) -> MockSettings:
    return MockSettings.from_env("wms", database_url=f"sqlite:///{tmp_path}/x.db", hub_url=receiver.url)


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(build(settings)) as c:
        yield c


def outbox(client: TestClient, topic: str | None = None) -> list[dict[str, Any]]:
    """The ``data`` of every event emitted so far (oldest first), optionally of one topic."""
    log = client.get("/_admin/webhooks", params={"limit": 1000}).json()
    return [e["data"] for e in reversed(log) if topic is None or e["event_type"] == topic]


def changes(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every stock change in the ledger (oldest first, all pages), without its number and booking time."""
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = client.get("/api/ledger", params=params | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        entries += r.json()["items"]
        cursor = r.json()["next"]
        if cursor is None:
            return [{k: v for k, v in e.items() if k not in ("seq", "booked_at")} for e in entries]


def avail(client: TestClient, sku: str, wh: str | None = None) -> dict[str, Any]:
    params = {"sku": sku} | ({"wh": wh} if wh else {})
    r = client.get("/api/availability", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def order(client: TestClient, ref: str, lines: list[tuple[str, int]], **extra: Any) -> Any:
    body = {"ref": ref, "cust": "C101", "ship_to": "上海市浦东新区张江路88号",
            "lines": [{"ln": i + 1, "sku": s, "qty": q} for i, (s, q) in enumerate(lines)]} | extra
    return client.post("/api/outbound", json=body)


def asn(client: TestClient, ref: str, lines: list[tuple[str, int]], supplier: str = "SUP-0001", **extra: Any) -> Any:
    body = {"ref": ref, "supplier": supplier,
            "lines": [{"ln": i + 1, "sku": s, "qty": q} for i, (s, q) in enumerate(lines)]} | extra
    return client.post("/api/asn", json=body)
