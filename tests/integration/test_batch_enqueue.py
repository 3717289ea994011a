"""A batch's translations are enqueued at once (on Redis through one pipeline), each one a message of its own."""

from __future__ import annotations

import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from hub.workers.actors import TRANSLATE_ACTOR, TRANSLATE_QUEUE, batch_enqueuer
from tests.conftest import REDIS_URL


def consumed(broker: RedisBroker | StubBroker, expected: int) -> list[tuple[str, str]]:
    """(actor, first argument) of each message waiting on the translate queue, in the order they come."""
    consumer = broker.consume(TRANSLATE_QUEUE, prefetch=expected + 1, timeout=1000)
    got = []
    for message in consumer:
        if message is None:
            break
        got.append((message.actor_name, message.args[0]))
        consumer.ack(message)
    consumer.close()
    return got


@pytest.mark.redis
def test_a_batch_enqueued_on_redis_is_one_message_per_id_in_order(redis_namespace):
    broker = RedisBroker(url=REDIS_URL, namespace=redis_namespace)
    broker.declare_queue(TRANSLATE_QUEUE)
    batch_enqueuer(broker, TRANSLATE_ACTOR, TRANSLATE_QUEUE)([f"m{n}" for n in range(5)])
    assert consumed(broker, 5) == [(TRANSLATE_ACTOR, f"m{n}") for n in range(5)]
    broker.close()


def test_on_the_embedded_broker_a_batch_is_one_message_per_id():
    broker = StubBroker()
    broker.declare_queue(TRANSLATE_QUEUE)
    batch_enqueuer(broker, TRANSLATE_ACTOR, TRANSLATE_QUEUE)(["a", "b"])
    assert consumed(broker, 2) == [(TRANSLATE_ACTOR, "a"), (TRANSLATE_ACTOR, "b")]
