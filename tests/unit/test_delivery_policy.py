"""The retry policy: Standard Webhooks schedule by default, jitter, Retry-After, then dead."""

from __future__ import annotations

import random

import pytest

from hub.connectors import RetryPolicy
from hub.connectors.models import STANDARD_WEBHOOKS_SCHEDULE_S
from hub.delivery.client import parse_retry_after
from hub.delivery.policy import next_delay
from hub.pipeline.outbound import default_outcome


def test_the_default_schedule_is_the_standard_webhooks_one():
    assert RetryPolicy().schedule == list(STANDARD_WEBHOOKS_SCHEDULE_S)
    assert STANDARD_WEBHOOKS_SCHEDULE_S == (5, 300, 1800, 7200, 18000, 36000, 36000)


def test_each_round_waits_its_scheduled_delay_within_the_jitter():
    policy = RetryPolicy(schedule=[10, 100], jitter=0.2)
    rng = random.Random(1)
    delays = [next_delay(policy, 1, rng=rng) for _ in range(200)]
    assert all(8 <= d <= 12 for d in delays) and len({round(d, 3) for d in delays}) > 50
    assert 80 <= next_delay(policy, 2, rng=rng) <= 120


def test_after_the_last_scheduled_round_the_delivery_is_dead():
    assert next_delay(RetryPolicy(schedule=[1, 2]), 3) is None


def test_retry_after_postpones_but_is_capped():
    policy = RetryPolicy(schedule=[1], jitter=0, max_retry_after=60)
    assert next_delay(policy, 1, retry_after_s=30) == 30
    assert next_delay(policy, 1, retry_after_s=7200) == 60
    assert next_delay(policy, 1, retry_after_s=0.5) == 1


def test_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize("code", [408, 409, 425, 429, 500, 502, 503])
def test_timeouts_conflicts_throttling_and_server_errors_are_transient(code):
    assert default_outcome(code) == "retry"


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
def test_other_client_errors_are_business_rejections(code):
    assert default_outcome(code) == "rejected"


@pytest.mark.parametrize("code", [200, 201, 204, 302])
def test_success_passes(code):
    assert default_outcome(code) == "success"
