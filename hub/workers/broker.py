"""Make the dramatiq broker the settings ask for, and the hub's Redis broker: fetches in batches,
acknowledgements sent along.

dramatiq's own Redis consumer fetches as soon as one message is done and acknowledges each message
the moment it is done, so on a busy worker every message costs two calls of dramatiq's dispatch
script: two round trips and about 90 µs of redis-py's Python each. :class:`BatchingConsumer` lets
the messages a worker holds fall by a quarter of its prefetch before it fetches that many, and
sends the acknowledgements that came in meanwhile in the same round trip (a pipeline of the same
dispatch script calls, so the data in Redis is dramatiq's own).

An acknowledgement is sent by the next fetch, or after at most one idle timeout (the worker's
``worker_timeout``). If the process dies before, its messages come back after the broker's heartbeat
timeout like any message it held: every actor of the hub is idempotent (the database decides), so a
repeat does nothing. Acknowledgements that could not be sent (Redis away) are kept by the broker and
sent by the consumer dramatiq starts next.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import dramatiq
import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import compute_backoff
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

from hub.settings import Settings

log = logging.getLogger("hub.workers")


def make_broker(settings: Settings) -> dramatiq.Broker:
    if settings.broker_url is None:
        broker: dramatiq.Broker = StubBroker()
        broker.emit_after("process_boot")
        return broker
    return HubRedisBroker(url=settings.broker_url, namespace=settings.redis_namespace)


class HubRedisBroker(RedisBroker):
    """dramatiq's Redis broker with :class:`BatchingConsumer`; it keeps the acknowledgements not sent yet."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.unsent = UnsentAcks()

    @property
    def consumer_class(self) -> type[BatchingConsumer]:
        return BatchingConsumer


class UnsentAcks:
    """Acknowledged messages' Redis ids per queue, taken from worker threads and not sent yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[str, list[str]] = {}

    def add(self, queue_name: str, redis_id: str) -> None:
        with self._lock:
            self._ids.setdefault(queue_name, []).append(redis_id)

    def take(self, queue_name: str) -> list[str]:
        with self._lock:
            return self._ids.pop(queue_name, [])

    def put_back(self, queue_name: str, redis_ids: Sequence[str]) -> None:
        if redis_ids:
            with self._lock:
                self._ids[queue_name] = [*redis_ids, *self._ids.get(queue_name, [])]


class BatchingConsumer(_RedisConsumer):
    """Fetches a quarter of the prefetch at a time and sends the acknowledgements waiting with each fetch."""

    broker: HubRedisBroker

    def __init__(self, broker: HubRedisBroker, queue_name: str, prefetch: int, timeout: int):
        super().__init__(broker, queue_name, prefetch, timeout)  # type: ignore[no-untyped-call]
        self.batch = max(1, prefetch // 4)
        self._room = threading.Event()
        """Set when a worker thread's acknowledgement leaves room for a batch: the consumer may fetch."""

    def ack(self, message: MessageProxy) -> None:
        self.broker.unsent.add(self.queue_name, message.options["redis_message_id"])
        self._done(message)

    def nack(self, message: MessageProxy) -> None:
        try:
            self.broker.do_nack(self.queue_name, message.options["redis_message_id"])
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None  # type: ignore[no-untyped-call]
        finally:
            self._done(message)

    def _done(self, message: MessageProxy) -> None:
        self.queued_message_ids.discard(message.message_id)
        if self._room_for() >= self.batch:
            self._room.set()

    def _room_for(self) -> int:
        return int(self.prefetch - self.outstanding_message_count)

    def close(self) -> None:
        try:
            self._exchange(0)
        except redis.RedisError as exc:
            log.warning("acknowledgements on queue %s not sent (%s); they are kept for the next consumer",
                        self.queue_name, exc)

    def __next__(self) -> MessageProxy | None:
        try:
            while True:
                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:  # its body was gone from Redis (purged meanwhile)
                        continue
                    self.misses = 0
                    message = Message.decode(data)
                    self.queued_message_ids.add(message.message_id)
                    return MessageProxy(message)
                self._room.clear()
                room = self._room_for()
                if room < self.batch and not self._room.wait(self.timeout / 1000):
                    self._exchange(0)  # busy for a whole timeout: the acknowledgements go alone
                    return None
                self.message_cache = self._exchange(max(room, self._room_for()))
                if not self.message_cache:
                    self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                    time.sleep(backoff_ms / 1000)
                    return None
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None  # type: ignore[no-untyped-call]

    def _exchange(self, fetch: int) -> list[bytes]:
        """Send the acknowledgements waiting and fetch up to ``fetch`` messages, in one round trip."""
        acks = self.broker.unsent.take(self.queue_name)
        if not acks and not fetch:
            return []

        def fill(broker: RedisBroker) -> None:
            for redis_id in acks:
                broker.do_ack(self.queue_name, redis_id)
            if fetch:
                broker.do_fetch(self.queue_name, fetch)

        try:
            replies = pipelined(self.broker, fill)
        except BaseException:
            self.broker.unsent.put_back(self.queue_name, acks)
            raise
        return list(replies[-1]) if fetch else []


def pipelined(broker: RedisBroker, fill: Callable[[RedisBroker], None]) -> list[Any]:
    """Run the dispatch-script calls that ``fill`` makes on a view of ``broker`` in one round trip.

    The view is the broker with its dispatch script queued on a pipeline, so every call goes through
    dramatiq's own code (its arguments, its middleware, its ids). The script is called by its hash:
    on a Redis that lost its scripts (restarted), it is loaded and the whole pipeline sent again, which
    is safe because then none of its calls ran.
    """
    dispatch = broker.scripts["dispatch"]
    for attempt in (1, 2):
        pipe = broker.client.pipeline(transaction=False)
        view = copy.copy(broker)
        view.scripts = {**broker.scripts, "dispatch": _OnPipeline(pipe, dispatch.sha)}
        fill(view)
        try:
            return list(pipe.execute())
        except redis.exceptions.NoScriptError:
            if attempt == 2:
                raise
            broker.client.script_load(dispatch.script)
    raise AssertionError("unreachable")


class _OnPipeline:
    """A script queued on a pipeline by its hash (redis-py's own would ask ``SCRIPT EXISTS`` on each send)."""

    def __init__(self, pipe: redis.client.Pipeline, sha: str):
        self.pipe = pipe
        self.sha = sha

    def __call__(self, keys: Sequence[str], args: Sequence[Any]) -> None:
        self.pipe.evalsha(self.sha, len(keys), *keys, *args)
