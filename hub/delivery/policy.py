"""When to try a failing delivery again, and when to give up.

A round is up to ``in_place_attempts`` calls within ``in_place_max`` seconds
(tenacity, short exponential waits). When a round fails, the delivery is
rescheduled after ``schedule[round]`` seconds ± ``jitter`` (never sooner than
the target's ``Retry-After``, capped at ``max_retry_after``); when the schedule
is used up, it is dead. A target that answers with ``Retry-After`` is not
called again in place: the next round waits for it.
"""

from __future__ import annotations

import random

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential_jitter

from hub.connectors import RetryPolicy
from hub.errors import TransientDeliveryError

IN_PLACE_INITIAL_WAIT_S = 0.2
IN_PLACE_MAX_WAIT_S = 2.0


def in_place(policy: RetryPolicy) -> Retrying:
    return Retrying(
        stop=stop_after_attempt(policy.in_place_attempts) | stop_after_delay(policy.in_place_max),
        wait=wait_exponential_jitter(multiplier=IN_PLACE_INITIAL_WAIT_S, max=IN_PLACE_MAX_WAIT_S),
        retry=retry_if_exception(_may_call_again_at_once),
        reraise=True,
    )


def _may_call_again_at_once(exc: BaseException) -> bool:
    """A transient fault is retried in place, unless the target said when to come back (``Retry-After``)."""
    return isinstance(exc, TransientDeliveryError) and exc.retry_after_s is None


def next_delay(policy: RetryPolicy, rounds_done: int, retry_after_s: float | None = None,
               rng: random.Random | None = None) -> float | None:
    """Seconds until the next round after ``rounds_done`` failed rounds, or None when dead."""
    if rounds_done > len(policy.schedule):
        return None
    base = policy.schedule[rounds_done - 1]
    spread = base * policy.jitter
    delay = base + (rng or random).uniform(-spread, spread)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, policy.max_retry_after))
    return max(0.0, delay)
