"""The audit archive keeps each event copy once and lists what it holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.audit.app import build
from mocks.common import MockSettings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = MockSettings.from_env("audit", database_url=f"sqlite:///{tmp_path}/audit.db", webhooks_enabled=False)
    with TestClient(build(settings)) as c:
        yield c


def event(n: int = 1, **extra: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"evt-{n}", "source": "hub://crm", "type": "sales_order.placed",
            "subject": f"SO-{n}", "correlationid": f"sales_order:SO-{n}", "data": {"order_no": f"SO-{n}"}, **extra}


def test_a_copy_is_kept_whole_and_listed_in_the_order_it_arrived(client: TestClient):
    assert client.post("/api/events", json=event(2)).status_code == 201
    assert client.post("/api/events", json=event(1, traceparent="00-abc-def-01")).status_code == 201
    listed = client.get("/api/events").json()
    assert [c["subject"] for c in listed] == ["SO-2", "SO-1"]
    assert listed[1]["event"] == event(1, traceparent="00-abc-def-01")
    assert listed[1]["correlationId"] == "sales_order:SO-1"


def test_the_same_event_sent_again_is_recognised_and_not_kept_twice(client: TestClient):
    first = client.post("/api/events", json=event(1))
    again = client.post("/api/events", json=event(1))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["copyId"] == first.json()["copyId"]
    assert len(client.get("/api/events").json()) == 1


def test_copies_are_filtered_by_type_subject_and_correlation(client: TestClient):
    client.post("/api/events", json=event(1))
    client.post("/api/events", json=event(2, type="payment.made", correlationid="payment:P-1"))
    assert [c["id"] for c in client.get("/api/events", params={"type": "payment.made"}).json()] == ["evt-2"]
    assert [c["id"] for c in client.get("/api/events", params={"subject": "SO-1"}).json()] == ["evt-1"]
    assert [c["id"] for c in client.get("/api/events", params={"correlationId": "payment:P-1"}).json()] == ["evt-2"]


def test_something_that_is_not_a_cloudevent_is_refused_naming_what_is_missing(client: TestClient):
    r = client.post("/api/events", json={"specversion": "1.0", "source": "hub://crm", "type": "x"})
    assert r.status_code == 422
    assert "id" in r.text
    assert client.get("/api/events").json() == []
