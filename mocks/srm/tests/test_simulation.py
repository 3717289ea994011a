"""Suppliers acting on their own: seeded ticks confirm issued POs and sometimes send delay notices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from mocks.srm.app import build
from mocks.srm.tests.conftest import BOARDS, BOLTS, LEGS, SEEDED_PO, approve, day, outbox, srm_settings


@pytest.fixture
def fresh_srm(tmp_path, hub, monkeypatch) -> Callable[..., AbstractContextManager[TestClient]]:
    """A new SRM (its own database and a simulation rng seeded with ``seed``) at a given delay rate."""
    @contextmanager
    def make(seed: int, delay_rate: float) -> Iterator[TestClient]:
        monkeypatch.setenv("MOCK_SRM_DELAY_RATE", str(delay_rate))
        db_dir = tmp_path / f"seed{seed}-{len(list(tmp_path.iterdir()))}"
        db_dir.mkdir()
        with TestClient(build(srm_settings(db_dir, hub, seed=seed))) as c:
            yield c
    return make


def _story(c: TestClient) -> list[dict]:
    """Three POs issued, then three ticks; what each tick did."""
    approve(c, "PR-1", (LEGS, 250, day(30)), (BOARDS, 110, day(20)), (BOLTS, 1000, day(9)))
    return [c.post("/_admin/simulation/tick").json()["result"] for _ in range(3)]


def test_suppliers_confirm_every_issued_po_within_two_ticks(fresh_srm):
    with fresh_srm(seed=7, delay_rate=0.0) as c:
        approve(c, "PR-1", (LEGS, 250, day(30)), (BOARDS, 110, day(20)), (BOLTS, 1000, day(9)))
        first = c.post("/_admin/simulation/tick").json()["result"]
        second = c.post("/_admin/simulation/tick").json()["result"]
        assert sorted(first["confirmed"] + second["confirmed"]) == sorted(
            po["poNo"] for po in c.get("/api/purchaseOrders").json() if po["poNo"] != SEEDED_PO)
        assert c.get("/api/purchaseOrders", params={"status": "ISSUED"}).json() == []
        assert first["delayed"] == second["delayed"] == []
        assert len(outbox(c, "po.confirmed")) == 3 and outbox(c, "po.delayed") == []


def test_the_same_seed_tells_the_same_story(fresh_srm):
    with fresh_srm(seed=11, delay_rate=0.5) as c:
        one = _story(c)
    with fresh_srm(seed=11, delay_rate=0.5) as c:
        two = _story(c)
    assert one == two
    assert sum(len(t["confirmed"]) for t in one) == 3


def test_at_delay_rate_one_every_confirmed_line_is_delayed_three_to_ten_days(fresh_srm):
    with fresh_srm(seed=3, delay_rate=1.0) as c:
        _story(c)
        delays = outbox(c, "po.delayed")
        assert len(delays) == 3
        for event in delays:
            old, new = (datetime.strptime(event["data"][k], "%Y/%m/%d") for k in ("oldDate", "newDate"))
            assert timedelta(days=3) <= new - old <= timedelta(days=10)
        statuses = {po["status"] for po in c.get("/api/purchaseOrders").json()}
        assert statuses == {"CONFIRMED"}
