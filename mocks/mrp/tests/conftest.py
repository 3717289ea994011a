"""Fixtures: MRP on a temporary SQLite file, a real HTTP receiver standing in for the hub."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.mrp.app import build

W = {1: "20270104", 2: "20270111", 3: "20270118", 4: "20270125", 5: "20270201"}
"""Week starts of the worked example's calendar (weekly buckets from Monday 2027-01-04)."""


@pytest.fixture(scope="session")
def _shared_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as r:  # one server for the session: its shutdown takes half a second
        yield r


@pytest.fixture(scope="session")
def _app_client(tmp_path_factory: pytest.TempPathFactory,
                _shared_receiver: WebhookReceiver) -> Iterator[TestClient]:
    """One MRP app for the session (building one costs ~0.5 s); each test starts from ``/_admin/reset``.

    The database lives in RAM (``/dev/shm``) where there is one: the tests commit often, and disk
    syncs would otherwise dominate their time.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(dir=shm, prefix="mrp-tests-") as ram, \
                make_client(ram, _shared_receiver, auto_plan=False) as c:
            yield c
    else:
        with make_client(tmp_path_factory.mktemp("mrp"), _shared_receiver, auto_plan=False) as c:
            yield c


def make_client(tmp_path: Any, receiver: WebhookReceiver, *, auto_plan: bool, **overrides: Any) -> TestClient:
    settings = MockSettings.from_env("mrp", database_url=f"sqlite:///{tmp_path}/x.db", hub_url=receiver.url,
                                     **overrides)
    return TestClient(build(settings, auto_plan=auto_plan))


def _fresh(client: TestClient, receiver: WebhookReceiver, *, auto_plan: bool) -> TestClient:
    assert client.post("/_admin/reset").status_code == 200  # seed state, empty outbox and idempotency store
    ok(client.put("/api/settings", json={"auto_plan": auto_plan}))
    receiver.requests.clear()
    return client


@pytest.fixture
def receiver(_shared_receiver: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in: a real HTTP server recording what MRP posts."""
    return _shared_receiver


@pytest.fixture
def client(_app_client: TestClient, receiver: WebhookReceiver) -> TestClient:
    """MRP, freshly seeded, with auto-planning off: runs happen only on request."""
    return _fresh(_app_client, receiver, auto_plan=False)


@pytest.fixture
def auto_client(_app_client: TestClient, receiver: WebhookReceiver) -> TestClient:
    """MRP, freshly seeded, with auto-planning on, as in the flows."""
    return _fresh(_app_client, receiver, auto_plan=True)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def events(client: TestClient, event_type: str | None = None) -> list[dict[str, Any]]:
    """Queued/sent events (oldest first), from the outbox log."""
    log = list(reversed(client.get("/_admin/webhooks", params={"limit": 1000}).json()))
    return [e for e in log if event_type is None or e["event_type"] == event_type]


def set_up_worked_example(client: TestClient) -> None:
    """CATALOG.md's worked example, set through the API with its exact data (not the real calendar)."""
    items = {
        "T": {"name": "Table", "supply": "make", "lead_time_days": 7, "std_cost": 760, "item_class": "FG"},
        "TP": {"name": "Table top", "supply": "make", "lead_time_days": 7, "std_cost": 210},
        "L": {"name": "Leg", "supply": "buy", "lead_time_days": 14, "safety_stock": 20, "lot_min": 100,
              "lot_multiple": 50, "std_cost": 45},
        "B": {"name": "Board", "supply": "buy", "lead_time_days": 7, "std_cost": 60},
        "BT": {"name": "Bolt", "supply": "buy", "lead_time_days": 7, "lot_multiple": 500, "std_cost": 0.35},
    }
    for code, item in items.items():
        assert client.put(f"/api/items/{code}", json=item).status_code in (200, 201)
    for code, qty in {"T": 20, "TP": 10, "L": 40, "B": 50, "BT": 500}.items():
        ok(client.put(f"/api/stock/{code}", json={"on_hand": qty}))
    ok(client.post("/api/boms", json={"parent_item": "T", "version": "A", "lines": [
        {"component": "TP", "qty": 1}, {"component": "L", "qty": 4}, {"component": "BT", "qty": 8}]}))
    ok(client.post("/api/boms", json={"parent_item": "TP", "version": "A", "lines": [
        {"component": "B", "qty": 2}, {"component": "BT", "qty": 4}]}))
    ok(client.post("/api/supplies", json={"ref": "PO-2026-0001", "item": "L", "qty": 100, "due_date": W[2]}))
    ok(client.post("/api/demands", json={"source_ref": "SO-EX-1", "item": "T", "qty": 50, "due_date": W[3]}), 201)
    # mid-week: falls into week 5's bucket
    ok(client.post("/api/demands", json={"source_ref": "SO-EX-2", "item": "T", "qty": 60, "due_date": "20270203"}),
       201)


def run_worked_example(client: TestClient) -> dict[str, Any]:
    return ok(client.post("/api/runs", json={"start_date": W[1], "bucket_days": 7, "horizon": 8}), 201)


def summary(orders: list[dict[str, Any]]) -> set[tuple[str, str, float, str, str]]:
    return {(o["item"], o["action"], o["qty"], o["due_date"], o["release_date"]) for o in orders}


WORKED_EXAMPLE_RESULT = {
    ("T", "make", 30, W[3], W[2]), ("T", "make", 60, W[5], W[4]),
    ("TP", "make", 20, W[2], W[1]), ("TP", "make", 60, W[4], W[3]),
    ("L", "buy", 250, W[4], W[2]), ("B", "buy", 110, W[3], W[2]),
    ("BT", "buy", 500, W[3], W[2]), ("BT", "buy", 500, W[4], W[3]),
}
