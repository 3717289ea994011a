"""Fixtures: the ERP on a fresh SQLite file, with a real HTTP receiver standing in for the hub."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.erp.app import build

MINGHUI, HUAYUAN, NANFANG, XIHU, QIANHAI = 100001, 100002, 100003, 100004, 100005
DESK, CHAIR, TOP, LEG, BOARD, BOLT = "100-0001", "100-0002", "200-0001", "300-0001", "300-0002", "300-0003"
ZHOUMIN_FINANCE, LIQIANG_SALES, LIUYANG_PURCHASING = 90008, 90003, 90004


@event.listens_for(Engine, "connect")
def _no_fsync_in_tests(dbapi_connection: Any, _record: Any) -> None:
    """Test databases are thrown away: skip fsync, which otherwise dominates the suite's time."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return  # only the throwaway SQLite files of these tests, never another test's PostgreSQL
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(scope="session")
def hub() -> Iterator[WebhookReceiver]:
    """The hub stand-in most tests share (stopping a receiver takes up to half a second)."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A receiver of this test's own, for tests that count deliveries."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, hub: WebhookReceiver) -> Path:
    """A freshly seeded ERP database, made once; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "erp.db"
    settings = MockSettings.from_env("erp", database_url=f"sqlite:///{path}", hub_url=hub.url,
                                     webhooks_enabled=False)
    app = build(settings)
    with TestClient(app):
        pass
    app.state.db.engine.dispose()  # checkpoints the WAL into the file we copy
    return path


@pytest.fixture
def make_client(tmp_path: Path, hub: WebhookReceiver, seeded_db: Path) -> Iterator[Callable[..., TestClient]]:
    """Start another ERP on its own copy of the seeded database; keywords override settings."""
    stack: list[TestClient] = []

    def make(name: str = "x", **overrides: Any) -> TestClient:
        path = tmp_path / f"{name}.db"
        shutil.copyfile(seeded_db, path)
        settings = MockSettings.from_env("erp", **{"database_url": f"sqlite:///{path}", "hub_url": hub.url,
                                                   **overrides})
        client = TestClient(build(settings))
        client.__enter__()
        stack.append(client)
        return client

    yield make
    for client in reversed(stack):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def events(client: TestClient, event_type: str) -> list[dict[str, Any]]:
    """Bodies of the events of ``event_type`` in the outbox, oldest first."""
    log = client.get("/_admin/webhooks", params={"limit": 1000}).json()
    return [e["data"] for e in reversed(log) if e["event_type"] == event_type]


def place_order(client: TestClient, customer_id: int = MINGHUI, items: list[dict[str, Any]] | None = None,
                **fields: Any) -> dict[str, Any]:
    """POST a sales order and return its body (asserting it was accepted)."""
    body = {"customer_id": customer_id, "items": items or [{"material": DESK, "qty": 10}], **fields}
    r = client.post("/api/sales-orders", json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def deliver(client: TestClient, so_ref: str, items: list[dict[str, Any]], shipment_no: str) -> dict[str, Any]:
    r = client.post("/api/deliveries", json={"so_ref": so_ref, "shipment_no": shipment_no, "items": items})
    assert r.status_code in (200, 201), r.text
    return r.json()


def error(response: Any) -> dict[str, Any]:
    """The ``error`` of a 4xx answer."""
    assert 400 <= response.status_code < 500, response.text
    return response.json()["error"]  # type: ignore[no-any-return]
