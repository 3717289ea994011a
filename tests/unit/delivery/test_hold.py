"""A stage's Hold parks a delivery on purpose: no call, no attempt, no round — and the stages before it hear of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.delivery.stages import DeliveryStage
from hub.errors import Hold, TransientDeliveryError
from hub.store import Attempt, Delivery
from hub.store.models import DeliveryStatus
from tests.unit.delivery.test_deliverer import FakeClient, deliverer, one_delivery, world  # noqa: F401 (fixture)


class HoldWhen(DeliveryStage):
    """Holds every call from the ``after``-th on (0: the first), until ``in_s`` from now."""

    def __init__(self, after: int = 0, in_s: float = 30.0):
        self.after, self.in_s, self.seen = after, in_s, 0

    def before_call(self, ctx):
        self.seen += 1
        if self.seen > self.after:
            raise Hold("not now", until=datetime.now(UTC) + timedelta(seconds=self.in_s))


class Remembers(DeliveryStage):
    def __init__(self):
        self.held: list[str] = []

    def after_hold(self, ctx, hold):
        self.held.append(hold.reason)


def test_a_hold_before_any_call_parks_the_delivery_without_an_attempt_or_a_round(world):  # noqa: F811
    db = world[0]
    d = one_delivery(world)
    client, earlier = FakeClient(db), Remembers()
    outcome = deliverer(world, client, stages=[earlier, HoldWhen(in_s=30)]).deliver(d)
    assert outcome is not None and outcome.status == DeliveryStatus.RETRYING and 29 <= outcome.retry_in_s <= 30
    assert client.calls == [] and earlier.held == ["not now"]
    with db.read() as s:
        row = s.get(Delivery, d)
        assert (row.attempts, row.rounds, row.last_error) == (0, 0, "not now")
        assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=29)
        assert list(s.scalars(select(Attempt.id))) == []


def test_a_hold_after_a_failed_call_in_the_same_round_counts_the_round_and_waits_for_the_hold(world):  # noqa: F811
    db = world[0]
    d = one_delivery(world)
    client = FakeClient(db, TransientDeliveryError("connection refused"))
    outcome = deliverer(world, client, stages=[HoldWhen(after=1, in_s=600)]).deliver(d)
    assert outcome is not None and outcome.status == DeliveryStatus.RETRYING and outcome.retry_in_s >= 599
    assert len(client.calls) == 1
    with db.read() as s:
        row = s.get(Delivery, d)
        assert (row.attempts, row.rounds) == (1, 1)
        assert "connection refused" in row.last_error
