"""The hub's Redis consumer fetches in batches and sends acknowledgements along with its fetches,
without ever losing one: each is sent by the next fetch, after an idle timeout, or when the worker stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
import redis
from dramatiq import Worker

from hub.workers.actors import batch_enqueuer
from hub.workers.broker import HubRedisBroker
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis

QUEUE = "work"
ACTOR = "hub.test.work"


class CountedScript:
    """The broker's dispatch script, counting the calls made one at a time (each a round trip)."""

    def __init__(self, script: Any):
        self.script = script
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.script(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.script, name)


@pytest.fixture
def broker(redis_namespace: str) -> Iterator[HubRedisBroker]:
    b = HubRedisBroker(url=REDIS_URL, namespace=redis_namespace)
    b.declare_queue(QUEUE)
    yield b
    b.close()


def unacknowledged(broker: HubRedisBroker) -> int:
    """Messages of the queue whose acknowledgement Redis has not received (dramatiq keeps each body until then)."""
    return int(broker.client.hlen(f"{broker.namespace}:{QUEUE}.msgs"))


def round_trips(broker: HubRedisBroker) -> dict[str, int]:
    """Counts, from now on, the broker's round trips to Redis: single script calls and pipelines sent."""
    counts = {"single": 0, "pipelines": 0}
    single = CountedScript(broker.scripts["dispatch"])
    broker.scripts["dispatch"] = single
    make_pipeline = broker.client.pipeline

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = make_pipeline(*args, **kwargs)
        send = pipe.execute

        def execute(*a: Any, **kw: Any) -> Any:
            counts["pipelines"] += 1
            return send(*a, **kw)
        pipe.execute = execute  # type: ignore[method-assign]
        return pipe
    broker.client.pipeline = pipeline  # type: ignore[method-assign]

    class View(dict[str, int]):
        def __getitem__(self, key: str) -> int:
            return single.calls if key == "single" else counts[key]
    return View()


def test_a_busy_worker_takes_and_acknowledges_its_messages_in_batches(broker):
    done: list[str] = []
    lock = threading.Lock()

    @dramatiq.actor(broker=broker, actor_name=ACTOR, queue_name=QUEUE)
    def work(item: str) -> None:
        with lock:
            done.append(item)

    items = [f"m{n}" for n in range(96)]
    batch_enqueuer(broker, ACTOR, QUEUE)(items)
    trips = round_trips(broker)
    worker = Worker(broker, worker_threads=4, worker_timeout=100)
    worker.start()
    try:
        broker.join(QUEUE, timeout=20_000)  # every message done and its acknowledgement sent
    finally:
        worker.stop()
    assert sorted(done) == sorted(items)
    # dramatiq's own consumer makes two round trips per message (a fetch, an acknowledgement)
    assert trips["single"] + trips["pipelines"] < len(items) / 2, dict(trips)


def test_an_acknowledgement_waits_for_the_next_fetch_or_for_the_consumer_to_close(broker):
    batch_enqueuer(broker, ACTOR, QUEUE)(["a", "b"])
    consumer = broker.consume(QUEUE, prefetch=8, timeout=100)
    first, second = next(consumer), next(consumer)
    consumer.ack(first)
    assert unacknowledged(broker) == 2  # not sent yet: nothing else went to Redis since
    assert next(consumer) is None  # the next fetch (the queue is empty now) takes it along
    assert unacknowledged(broker) == 1
    consumer.ack(second)
    consumer.close()
    assert unacknowledged(broker) == 0


def test_a_lone_message_is_acknowledged_while_the_worker_stays_idle(broker):
    @dramatiq.actor(broker=broker, actor_name=ACTOR, queue_name=QUEUE)
    def work(item: str) -> None:
        pass

    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        work.send("alone")
        broker.join(QUEUE, timeout=10_000)  # raises QueueJoinTimeout if its acknowledgement were held
    finally:
        worker.stop()


def test_acknowledgements_that_could_not_be_sent_are_sent_by_the_next_consumer(broker, monkeypatch):
    batch_enqueuer(broker, ACTOR, QUEUE)(["a", "b"])
    consumer = broker.consume(QUEUE, prefetch=8, timeout=100)
    message = next(consumer)
    consumer.ack(message)
    with monkeypatch.context() as m:
        m.setattr(broker.client, "pipeline", lambda **_: (_ for _ in ()).throw(redis.ConnectionError("away")))
        consumer.close()  # Redis away: logged, kept
    assert unacknowledged(broker) == 2
    broker.consume(QUEUE, prefetch=8, timeout=100).close()
    assert unacknowledged(broker) == 1  # the other message was fetched, never acknowledged


def test_a_redis_that_lost_its_scripts_is_given_them_again(broker):
    batch_enqueuer(broker, ACTOR, QUEUE)(["a", "b"])
    broker.client.script_flush()  # as after a restart of Redis
    consumer = broker.consume(QUEUE, prefetch=8, timeout=100)
    assert [next(consumer).args[0], next(consumer).args[0]] == ["a", "b"]
    consumer.close()
