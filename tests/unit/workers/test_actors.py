"""The translating worker delivers the first new delivery itself, claimed in the translation's transaction;
the rest, retries and a first delivery that may not go yet go by the broker."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from hub.delivery.service import Outcome
from hub.store.models import DeliveryStatus
from hub.workers.actors import DELIVER_QUEUE, declare_actors


class Translating:
    def __init__(self, made: list[str]):
        self.made = made

    def translate(self, message_id: str, *, hand_over: Callable[[list[str], Any], None] | None = None,
                  claim: Callable[[Any, str], Any] | None = None) -> str:
        assert hand_over is not None and claim is not None
        hand_over(self.made, claim("the translation's session", self.made[0]))
        return "delivering"


class Delivering:
    def __init__(self, outcome: Outcome | None = None, fails: bool = False, held: bool = False):
        self.outcome, self.fails, self.held = outcome, fails, held
        self.claimed: list[str] = []
        self.delivered: list[str] = []

    def claim_in(self, s: Any, delivery_id: str) -> SimpleNamespace | None:
        self.claimed.append(delivery_id)
        return None if self.held else SimpleNamespace(delivery_id=delivery_id)

    def deliver_claimed(self, claimed: SimpleNamespace) -> Outcome | None:
        self.delivered.append(claimed.delivery_id)
        if self.fails:
            raise RuntimeError("database went away")
        return self.outcome


@pytest.fixture
def broker():
    b = StubBroker()
    b.emit_after("process_boot")
    yield b
    b.close()


def queued(broker: StubBroker) -> dict[str, list[str]]:
    return {name: [dramatiq.Message.decode(m).args[0] for m in q.queue]
            for name, q in broker.queues.items() if q.qsize()}


def test_the_first_delivery_is_made_in_the_translating_worker_and_the_others_go_by_the_broker(broker):
    deliverer = Delivering(Outcome(DeliveryStatus.DELIVERED))
    actors = declare_actors(broker, Translating(["d1", "d2", "d3"]), deliverer)  # type: ignore[arg-type]
    actors.translate.fn("m1")
    assert deliverer.claimed == ["d1"] and deliverer.delivered == ["d1"]
    assert queued(broker) == {DELIVER_QUEUE: ["d2", "d3"]}


def test_a_first_delivery_the_translation_could_not_claim_goes_by_the_broker(broker):
    deliverer = Delivering(Outcome(DeliveryStatus.DELIVERED), held=True)  # an earlier delivery must go first
    actors = declare_actors(broker, Translating(["d1", "d2"]), deliverer)  # type: ignore[arg-type]
    actors.translate.fn("m1")
    assert deliverer.delivered == []
    assert queued(broker) == {DELIVER_QUEUE: ["d2", "d1"]}


def test_a_delivery_rescheduled_in_the_translating_worker_comes_back_by_the_broker_after_its_delay(broker):
    actors = declare_actors(broker, Translating(["d1"]),  # type: ignore[arg-type]
                            Delivering(Outcome(DeliveryStatus.RETRYING, 1.0)))  # type: ignore[arg-type]
    actors.translate.fn("m1")
    [delayed] = broker.queues[f"{DELIVER_QUEUE}.DQ"].queue
    message = dramatiq.Message.decode(delayed)
    assert message.args == ("d1",) and message.options["eta"] > 0


def test_a_claimed_delivery_that_fails_in_the_translating_worker_is_left_to_its_lease(broker):
    """It is in flight under this worker's lease: a broker message could not take it; the sweeper gives it
    back when the lease ends."""
    deliverer = Delivering(fails=True)
    actors = declare_actors(broker, Translating(["d1"]), deliverer)  # type: ignore[arg-type]
    actors.translate.fn("m1")
    assert deliverer.delivered == ["d1"]
    assert queued(broker) == {}
