"""A fresh CRM per test on its own SQLite file, with a real HTTP receiver standing in for the hub."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.crm.app import build

DESK = "PRD-DESK-1200"
CHAIR = "PRD-CHAIR-ERG"
MINGHUI = "CUS-000101"
NANFANG = "CUS-000103"


@pytest.fixture(scope="session")
def hub() -> Iterator[WebhookReceiver]:
    """One real receiver for the whole run (its shutdown takes ~0.5 s, too slow to pay per test)."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def receiver(hub: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in, emptied for this test (each test's app stops its sender before the next starts)."""
    hub.requests.clear()
    return hub


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return  # only the throwaway SQLite files of these tests, never another test's PostgreSQL
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(autouse=True)
def throwaway_databases() -> Iterator[None]:
    """Test databases skip fsync: durability is not under test here, and fsync dominates run time.

    Registered only while each test of this folder runs, so no other test's engine is affected.
    """
    event.listen(Engine, "connect", _no_fsync)
    yield
    event.remove(Engine, "connect", _no_fsync)


@pytest.fixture
def settings(tmp_path: Path, receiver: WebhookReceiver) -> MockSettings:
    return MockSettings.from_env("crm", database_url=f"sqlite:///{tmp_path}/x.db", hub_url=receiver.url)


@pytest.fixture
def client(settings: MockSettings) -> Iterator[TestClient]:
    with TestClient(build(settings)) as c:
        yield c


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    """The JSON of ``response``, asserting its status (showing the body when it differs)."""
    assert response.status_code == status, response.text
    return response.json()


def draft(client: TestClient, customer: str = MINGHUI, **extra: Any) -> dict[str, Any]:
    body = {"customerId": customer,
            "lines": [{"productCode": DESK, "quantity": 10, "unitPrice": 1200, "requiredDate": "2026-12-20"},
                      {"productCode": CHAIR, "quantity": 10, "requiredDate": "2026-12-20"}]}
    body.update(extra)
    return ok(client.post("/api/v1/salesOrders", json=body), 201)


def submitted(client: TestClient, customer: str = MINGHUI) -> dict[str, Any]:
    order = draft(client, customer)
    return ok(client.post(f"/api/v1/salesOrders/{order['orderNo']}/submit"))


def accepted(client: TestClient) -> dict[str, Any]:
    order = submitted(client)
    return ok(client.post(f"/api/v1/salesOrders/{order['orderNo']}/creditResult",
                          json={"result": "accepted", "exposure": 80000, "creditLimit": 500000,
                                "overdueAmount": 0}))


def report(client: TestClient, order_no: str, what: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/salesOrders/{order_no}/{what}", json=body)


def events_of(client: TestClient, event_type: str | None = None) -> list[dict[str, Any]]:
    """Events the CRM queued (oldest first), from its delivery log."""
    log = list(reversed(client.get("/_admin/webhooks", params={"limit": 1000}).json()))
    return [e for e in log if event_type is None or e["event_type"] == event_type]
