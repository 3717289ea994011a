"""Leases: renewed while a worker holds a delivery, given back with the truth when it stops, poison parked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.delivery.lease import ABANDONED, LeaseKeeper, give_back
from hub.store import Attempt, Database, Delivery, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import DeliveryStatus
from tests.unit.workers.test_sweeper import delivery, long_ago


def now() -> datetime:
    return datetime.now(UTC)


def aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    d = Database(f"sqlite:///{tmp_path}/lease.db")
    upgrade(d)
    yield d
    d.dispose()


def in_flight(db: Database, did: str, *, lease: datetime, call_opened: bool = True) -> None:
    with db.session() as s:
        delivery(s, did, DeliveryStatus.IN_FLIGHT, due=long_ago(), lease=lease)
        if call_opened:
            s.flush()
            s.get(Delivery, did).attempts = 1
            s.add(Attempt(id=f"a-{did}", delivery_id=did, number=1, started_at=now() - timedelta(seconds=2),
                          duration_ms=0.0, url="http://ledger/x", outcome="in_flight"))


def test_a_held_delivery_has_its_lease_renewed_and_a_released_one_does_not(db):
    in_flight(db, "held", lease=now() + timedelta(seconds=1))
    in_flight(db, "other", lease=now() + timedelta(seconds=1))
    keeper = LeaseKeeper(db, lease_s=60, budget_of=lambda _: 10.0)
    with keeper.held("held"):
        assert keeper.renew() == 1
    assert keeper.renew() == 0
    with db.read() as s:
        assert aware(s.get(Delivery, "held").lease_until) > now() + timedelta(seconds=50)
        assert aware(s.get(Delivery, "other").lease_until) < now() + timedelta(seconds=2)


def test_a_delivery_past_its_time_budget_is_no_longer_renewed(db):
    in_flight(db, "stuck", lease=now() + timedelta(seconds=1))
    keeper = LeaseKeeper(db, lease_s=0.3, budget_of=lambda _: 0.0)
    with keeper.held("stuck"):
        keeper._held["stuck"] -= 10  # it has been running for ten seconds
        assert keeper.renew() == 0
    with db.read() as s:
        assert aware(s.get(Delivery, "stuck").lease_until) < now() + timedelta(seconds=2)


def test_a_lease_that_is_not_in_flight_is_left_alone(db):
    with db.session() as s:
        delivery(s, "done", DeliveryStatus.DELIVERED, due=long_ago())
    keeper = LeaseKeeper(db, lease_s=60, budget_of=lambda _: 10.0)
    with keeper.held("done"):
        assert keeper.renew() == 0
    with db.read() as s:
        assert s.get(Delivery, "done").lease_until is None


def test_an_expired_lease_closes_the_open_call_as_abandoned_and_the_delivery_is_due_at_once(db):
    in_flight(db, "killed", lease=now() - timedelta(seconds=1))
    in_flight(db, "alive", lease=now() + timedelta(minutes=1))
    with db.session() as s:
        due = give_back(s, now(), limit=10, max_deaths=3)
    [(did, wait_s)] = due
    assert did == "killed" and 0 <= wait_s <= 3.0  # a short random wait spreads what a dead worker held
    with db.read() as s:
        d = s.get(Delivery, "killed")
        assert d.status == DeliveryStatus.RETRYING and d.lease_until is None and d.attempts == 1
        [a] = s.scalars(select(Attempt).where(Attempt.delivery_id == "killed")).all()
        assert a.outcome == ABANDONED and "may have applied it" in a.error and a.duration_ms >= 1000
        assert s.get(Delivery, "alive").status == DeliveryStatus.IN_FLIGHT
        assert s.get(Attempt, "a-alive").outcome == "in_flight"


def test_a_worker_that_died_before_calling_leaves_an_abandoned_attempt_without_a_call(db):
    in_flight(db, "early", lease=now() - timedelta(seconds=1), call_opened=False)
    with db.session() as s:
        give_back(s, now(), limit=10, max_deaths=3)
    with db.read() as s:
        [a] = s.scalars(select(Attempt).where(Attempt.delivery_id == "early")).all()
        assert a.outcome == ABANDONED and a.url is None and "no call was made" in a.error


def test_a_delivery_whose_worker_dies_every_time_is_parked_dead_with_its_reason(db):
    in_flight(db, "poison", lease=now() - timedelta(seconds=1))
    parked_after = None
    for death in range(1, 4):
        with db.session() as s:
            due = give_back(s, now(), limit=10, max_deaths=3)
            d = s.get(Delivery, "poison")
            if d.status == DeliveryStatus.DEAD:
                parked_after = death
                assert due == []
                break
            assert d.status == DeliveryStatus.RETRYING
            # the next worker claims it, opens its call, and dies too
            d.status, d.lease_until = DeliveryStatus.IN_FLIGHT, now() - timedelta(seconds=1)
            d.attempts += 1
            s.add(Attempt(id=f"a-poison-{death}", delivery_id="poison", number=d.attempts, started_at=now(),
                          duration_ms=0.0, url="http://ledger/x", outcome="in_flight"))
    assert parked_after == 3
    with db.read() as s:
        d = s.get(Delivery, "poison")
        assert "poison message" in d.last_error and "3 times" in d.last_error
        outcomes = list(s.scalars(select(Attempt.outcome).where(Attempt.delivery_id == "poison")))
        assert outcomes == [ABANDONED] * 3
        assert s.get(InboundMessage, "m").status == "dead"  # the message's status rolled up


def test_a_second_death_waits_before_the_next_try(db):
    in_flight(db, "twice", lease=now() - timedelta(seconds=1))
    with db.session() as s:
        give_back(s, now(), limit=10, max_deaths=5)
        d = s.get(Delivery, "twice")
        d.status, d.lease_until = DeliveryStatus.IN_FLIGHT, now() - timedelta(seconds=1)
    with db.session() as s:
        [(_, wait_s)] = give_back(s, now(), limit=10, max_deaths=5)
        assert wait_s >= 5.0
        assert aware(s.get(Delivery, "twice").next_attempt_at) > now() + timedelta(seconds=4)
