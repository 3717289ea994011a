"""The rate limit: a token bucket per target; over the limit a call waits briefly or is parked, never burnt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.connectors.models import Connector, RateLimitOptions
from hub.delivery.client import encode_body
from hub.delivery.ratelimit import LocalBuckets, RateLimit, take
from hub.delivery.stages import CallContext
from hub.errors import Hold


def test_a_full_bucket_lets_a_burst_through_at_once_then_one_call_per_period():
    tokens, waits = 2.0, []
    for _ in range(4):
        tokens, grant = take(tokens, 0.0, rate=4, capacity=2, max_wait_s=10)
        waits.append(grant.wait_s)
    assert waits == [0.0, 0.0, 0.25, 0.5]


def test_the_bucket_refills_at_the_rate_and_never_above_its_capacity():
    tokens, _ = take(0.0, 0.5, rate=4, capacity=2, max_wait_s=0)
    assert tokens == pytest.approx(1.0)  # two refilled, one taken
    tokens, _ = take(0.0, 3600, rate=4, capacity=2, max_wait_s=0)
    assert tokens == pytest.approx(1.0)


def test_a_token_due_later_than_max_wait_is_not_reserved():
    tokens, grant = take(-3.0, 0.0, rate=1, capacity=1, max_wait_s=1)
    assert not grant.granted and grant.wait_s == pytest.approx(4.0) and tokens == -3.0


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_local_buckets_hold_n_calls_per_second_per_target():
    clock = Clock()
    buckets = LocalBuckets(clock=clock)
    granted_at = []
    for _ in range(12):
        grant = buckets.take("ledger", rate=5, capacity=1, max_wait_s=0)
        if grant.granted:
            granted_at.append(clock.t)
        clock.t += 0.05
    assert len(granted_at) == 3  # 0.6 s at 5/s with a burst of one: at 0, 0.2 and 0.4 s
    assert buckets.take("other", rate=5, capacity=1, max_wait_s=0).granted, "each target has its own bucket"


def ctx(limit: RateLimitOptions | None) -> CallContext:
    connector = Connector(name="ledger", title="Ledger", base_url="http://t", rate_limit=limit)
    return CallContext(delivery_id="d-1", message_id="m-1", canonical_id="c-1", correlation_id="k",
                       traceparent=None, connector=connector, operation=None, data={}, source="shop",  # type: ignore[arg-type]
                       method="POST", url="http://t/x", body={}, content=encode_body({}))


def test_the_stage_waits_in_place_for_a_token_due_soon_and_parks_the_delivery_otherwise():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    slept: list[float] = []
    stage = RateLimit(LocalBuckets(clock=lambda: 0.0), sleep=slept.append, clock=lambda: now)
    limit = RateLimitOptions(per_second=2, burst=1, max_wait="1s")
    stage.before_call(ctx(limit))
    stage.before_call(ctx(limit))
    stage.before_call(ctx(limit))
    assert slept == [0.5, 1.0]
    with pytest.raises(Hold) as held:
        stage.before_call(ctx(limit))
    assert held.value.until == now + timedelta(seconds=0.5), "parked until its token is within max_wait"


def test_a_connector_without_a_rate_limit_passes_through():
    slept: list[float] = []
    stage = RateLimit(LocalBuckets(clock=lambda: 0.0), sleep=slept.append)
    for _ in range(100):
        stage.before_call(ctx(None))
    assert slept == []


def test_burst_defaults_to_the_rate_rounded_up_and_a_rate_is_required():
    assert RateLimitOptions(per_second=2.5).capacity == 3
    assert RateLimitOptions(per_second=0.2).capacity == 1
    with pytest.raises(ValueError, match="per_second"):
        RateLimitOptions()  # type: ignore[call-arg]
