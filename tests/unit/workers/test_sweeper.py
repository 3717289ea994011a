"""The sweeper re-enqueues committed work nobody picked up, and gives back leases of vanished workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.store import CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import DeliveryStatus, MessageStatus
from hub.workers.sweeper import Sweeper


def now() -> datetime:
    """Read at the moment of use: a module-level clock would age while the rest of the suite runs."""
    return datetime.now(UTC)


@pytest.fixture
def db(tmp_path):
    d = Database(f"sqlite:///{tmp_path}/sweep.db")
    upgrade(d)
    yield d
    d.dispose()


def long_ago() -> datetime:
    return now() - timedelta(minutes=5)


def message(s, mid: str, status: str, at: datetime) -> None:
    s.add(InboundMessage(id=mid, connector="shop", sender_id=mid, mode="webhook", headers={}, body={},
                         received_at=at, updated_at=at, status=status, translations=0))


def delivery(s, did: str, status: str, *, due: datetime, lease: datetime | None = None) -> None:
    if s.get(CanonicalMessage, "c") is None:
        message(s, "m", MessageStatus.DELIVERING, long_ago())
        s.flush()
        s.add(CanonicalMessage(id="c", message_id="m", seq=0, current=True, type="doc.created",
                               source="/connectors/shop", time=now(), dataschema="/schemas/doc.created/1",
                               correlation_id="m", data={}, created_at=now()))
        s.flush()
    s.add(Delivery(id=did, message_id="m", canonical_id="c", connector="ledger", operation="book", status=status,
                   attempts=0, rounds=0, next_attempt_at=due, lease_until=lease, created_at=long_ago(),
                   updated_at=long_ago()))


def sweeper(db, translated: list[str], delivered: list[str]) -> Sweeper:
    return Sweeper(db=db, grace_s=30, interval_s=60, enqueue_translate=translated.append,
                   enqueue_delivery=delivered.append)


def test_an_untranslated_message_past_the_grace_period_is_enqueued_again(db):
    with db.session() as s:
        message(s, "old", MessageStatus.RECEIVED, long_ago())
        message(s, "fresh", MessageStatus.RECEIVED, now())
        message(s, "done", MessageStatus.DELIVERED, long_ago())
    translated: list[str] = []
    swept = sweeper(db, translated, []).sweep_once()
    assert translated == ["old"] and swept.messages == 1


def test_a_due_delivery_past_the_grace_period_is_enqueued_again_and_a_future_one_is_not(db):
    with db.session() as s:
        delivery(s, "due", DeliveryStatus.RETRYING, due=long_ago())
        delivery(s, "later", DeliveryStatus.RETRYING, due=now() + timedelta(hours=1))
        delivery(s, "final", DeliveryStatus.DELIVERED, due=long_ago())
    delivered: list[str] = []
    sweeper(db, [], delivered).sweep_once()
    assert delivered == ["due"]


def test_an_expired_lease_is_given_back_and_its_delivery_enqueued(db):
    with db.session() as s:
        delivery(s, "vanished", DeliveryStatus.IN_FLIGHT, due=long_ago(), lease=now() - timedelta(seconds=1))
        delivery(s, "working", DeliveryStatus.IN_FLIGHT, due=long_ago(), lease=now() + timedelta(minutes=1))
    delivered: list[str] = []
    swept = sweeper(db, [], delivered).sweep_once()
    assert delivered == ["vanished"] and swept.leases == 1
    with db.read() as s:
        assert s.get(Delivery, "vanished").status == DeliveryStatus.RETRYING
        assert s.get(Delivery, "working").status == DeliveryStatus.IN_FLIGHT
