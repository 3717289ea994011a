"""A rate limit per target: a token bucket of ``burst`` tokens refilled at ``per_second``.

Declared per connector (``rate_limit:``, options and defaults in
:class:`hub.connectors.models.RateLimitOptions`: ``per_second``, ``burst`` = per_second rounded up,
``max_wait`` :data:`~hub.connectors.models.DEFAULT_RATE_LIMIT_MAX_WAIT_S` s).

Each call takes a token. When none is left, the call *reserves* the next one and waits for it in
place, if it is due within ``max_wait``; otherwise nothing is reserved and the delivery is parked
(:class:`~hub.errors.Hold`) until shortly before its token could be due. Either way no attempt is
burnt and no round is counted: the target only ever sees calls within the limit.

The bucket is shared by every worker process through Redis when the hub runs with a Redis broker
(:class:`RedisBuckets`: one Lua script, atomic, on the Redis server's clock), and kept per process
in the embedded default (:class:`LocalBuckets`), where one process does all the delivering.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from hub.delivery.stages import CallContext, DeliveryStage
from hub.errors import Hold

MIN_PARK_S = 0.05
"""The shortest park: a delivery parked for its token comes back no sooner than this."""
KEY_PREFIX = "ratelimit"
"""Redis keys are ``<namespace>:ratelimit:<connector>``."""


@dataclass(frozen=True)
class Grant:
    granted: bool
    """True: a token is reserved for this call, due after ``wait_s``. False: nothing reserved."""
    wait_s: float
    """Seconds until the token (granted) or until a token could be due (not granted)."""


class Buckets(Protocol):
    def take(self, key: str, *, rate: float, capacity: int, max_wait_s: float) -> Grant:
        """Reserve the next token of ``key``'s bucket if it is due within ``max_wait_s``."""
        ...


def take(tokens: float, elapsed_s: float, *, rate: float, capacity: int, max_wait_s: float) -> tuple[float, Grant]:
    """The token bucket, pure: the bucket's tokens after ``elapsed_s`` and this request, and the answer.

    Tokens may go below zero: each reservation waits ``1/rate`` after the one before it.
    """
    tokens = min(float(capacity), tokens + max(0.0, elapsed_s) * rate)
    wait = (1.0 - tokens) / rate if tokens < 1.0 else 0.0
    if wait > max_wait_s:
        return tokens, Grant(False, wait)
    return tokens - 1.0, Grant(True, wait)


class LocalBuckets:
    """Buckets in this process (the embedded default)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, *, rate: float, capacity: int, max_wait_s: float) -> Grant:
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (float(capacity), now))
            tokens, grant = take(tokens, now - at, rate=rate, capacity=capacity, max_wait_s=max_wait_s)
            self._buckets[key] = (tokens, now)
            return grant


_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(held[1]) or capacity
local at = tonumber(held[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate end
local granted = 0
if wait <= max_wait then
  granted = 1
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity / rate + max_wait) * 1000) + 60000)
return {granted, tostring(wait)}
"""


class RedisBuckets:
    """Buckets in Redis, shared by every worker process: one atomic script per token."""

    def __init__(self, url: str, *, namespace: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.namespace = namespace
        self._take = self.client.register_script(_TAKE)

    def take(self, key: str, *, rate: float, capacity: int, max_wait_s: float) -> Grant:
        granted, wait = self._take(keys=[f"{self.namespace}:{KEY_PREFIX}:{key}"], args=[rate, capacity, max_wait_s])
        return Grant(bool(int(granted)), float(wait))

    def close(self) -> None:
        self.client.close()


class RateLimit(DeliveryStage):
    """Before each call to a connector that declares ``rate_limit``: take a token, wait for it, or park."""

    def __init__(self, buckets: Buckets, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.buckets = buckets
        self.sleep = sleep
        self.clock = clock

    def before_call(self, ctx: CallContext) -> None:
        limit = ctx.connector.rate_limit
        if limit is None:
            return
        grant = self.buckets.take(ctx.connector.name, rate=limit.per_second, capacity=limit.capacity,
                                  max_wait_s=limit.max_wait)
        if grant.granted:
            if grant.wait_s > 0:
                self.sleep(grant.wait_s)
            return
        park_s = max(MIN_PARK_S, grant.wait_s - limit.max_wait)
        raise Hold(f"rate limit of {ctx.connector.name} ({limit.per_second:g}/s): parked for the next token",
                   until=self.clock() + timedelta(seconds=park_s))
