"""The translating worker delivers the first new delivery itself; the rest, retries and failures go by the broker."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from hub.delivery.service import Outcome
from hub.store.models import DeliveryStatus
from hub.workers.actors import DELIVER_QUEUE, declare_actors


class Translating:
    def __init__(self, made: list[str]):
        self.made = made

    def translate(self, message_id: str, *, hand_over: Callable[[list[str]], None] | None = None) -> str:
        assert hand_over is not None
        hand_over(self.made)
        return "delivering"


class Delivering:
    def __init__(self, outcome: Outcome | None = None, fails: bool = False):
        self.outcome, self.fails, self.delivered = outcome, fails, []

    def deliver(self, delivery_id: str) -> Outcome | None:
        self.delivered.append(delivery_id)
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
    assert deliverer.delivered == ["d1"]
    assert queued(broker) == {DELIVER_QUEUE: ["d2", "d3"]}


def test_a_delivery_rescheduled_in_the_translating_worker_comes_back_by_the_broker_after_its_delay(broker):
    actors = declare_actors(broker, Translating(["d1"]),  # type: ignore[arg-type]
                            Delivering(Outcome(DeliveryStatus.RETRYING, 1.0)))  # type: ignore[arg-type]
    actors.translate.fn("m1")
    [delayed] = broker.queues[f"{DELIVER_QUEUE}.DQ"].queue
    message = dramatiq.Message.decode(delayed)
    assert message.args == ("d1",) and message.options["eta"] > 0


def test_a_delivery_that_fails_in_the_translating_worker_goes_by_the_broker(broker):
    actors = declare_actors(broker, Translating(["d1"]), Delivering(fails=True))  # type: ignore[arg-type]
    actors.translate.fn("m1")
    assert queued(broker) == {DELIVER_QUEUE: ["d1"]}
