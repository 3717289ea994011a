"""The circuit breaker: closed → open → half-open with one probe → closed or open again; the time is handed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.connectors.models import CircuitBreakerOptions, Connector
from hub.delivery.circuit import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    Breaker,
    CircuitBreaker,
    CircuitStore,
    admit,
    record,
    release_probe,
)
from hub.delivery.client import Response, encode_body
from hub.delivery.stages import CallContext
from hub.errors import Hold, TransientDeliveryError
from hub.pipeline.outbound import Verdict
from hub.store import Database
from hub.store.migrate import upgrade

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FIVE_THEN_30S = CircuitBreakerOptions(failures=5, cool_down=30)
LEASE_S = 15.0


def after(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def failing(b: Breaker, n: int, options: CircuitBreakerOptions = FIVE_THEN_30S, at: datetime = T0) -> Breaker:
    for _ in range(n):
        b = record(b, options, at, failed=True)
    return b


def test_the_circuit_opens_after_the_declared_number_of_consecutive_transient_failures():
    assert failing(Breaker(), 4).state == CLOSED
    opened = failing(Breaker(), 5)
    assert opened.state == OPEN and opened.open_until == after(30)


def test_a_success_between_failures_starts_the_count_again():
    b = failing(Breaker(), 4)
    b = record(b, FIVE_THEN_30S, T0, failed=False)
    assert failing(b, 4).state == CLOSED


def test_while_open_every_call_is_held_until_the_end_of_the_cool_down():
    opened = failing(Breaker(), 5)
    admission = admit(opened, after(10), probe_lease_s=LEASE_S, recheck_s=30)
    assert admission.hold_until == after(30) and not admission.probe


def test_after_the_cool_down_exactly_one_call_is_the_probe_and_the_others_wait_for_it():
    opened = failing(Breaker(), 5)
    assert opened.effective(after(30)) == HALF_OPEN
    first = admit(opened, after(31), probe_lease_s=LEASE_S, recheck_s=30)
    assert first.probe and first.hold_until is None and first.breaker.state == HALF_OPEN
    second = admit(first.breaker, after(32), probe_lease_s=LEASE_S, recheck_s=30)
    assert not second.probe and second.hold_until == after(31 + LEASE_S)
    patient = admit(first.breaker, after(32), probe_lease_s=LEASE_S, recheck_s=2)
    assert patient.hold_until == after(34), "they look again after recheck_s when the lease is longer"


def test_a_probe_that_never_reports_is_replaced_after_its_lease():
    probing = admit(failing(Breaker(), 5), after(31), probe_lease_s=LEASE_S, recheck_s=30).breaker
    assert admit(probing, after(31 + LEASE_S), probe_lease_s=LEASE_S, recheck_s=30).probe


def test_a_probe_held_back_before_its_call_gives_its_turn_back_at_once():
    probing = admit(failing(Breaker(), 5), after(31), probe_lease_s=LEASE_S, recheck_s=30).breaker
    assert admit(release_probe(probing, after(31)), after(31), probe_lease_s=LEASE_S, recheck_s=30).probe


def test_a_successful_probe_closes_the_circuit_and_a_failed_one_opens_it_for_another_cool_down():
    probing = admit(failing(Breaker(), 5), after(31), probe_lease_s=LEASE_S, recheck_s=30).breaker
    assert record(probing, FIVE_THEN_30S, after(32), failed=False) == Breaker()
    reopened = record(probing, FIVE_THEN_30S, after(32), failed=True)
    assert reopened.state == OPEN and reopened.open_until == after(62)


def test_results_of_calls_made_before_it_opened_do_not_shorten_the_cool_down():
    opened = failing(Breaker(), 5)
    assert record(opened, FIVE_THEN_30S, after(1), failed=False) == opened


def test_with_a_ratio_the_circuit_opens_when_that_share_of_the_window_failed():
    options = CircuitBreakerOptions(failures=100, ratio=0.5, window=60, min_calls=4)
    b = Breaker()
    for i, failed in enumerate([True, False, True]):
        b = record(b, options, after(i), failed=failed)
    assert b.state == CLOSED, "fewer calls than min_calls never open it"
    assert record(b, options, after(3), failed=True).state == OPEN


def test_with_a_ratio_failures_of_an_earlier_window_are_forgotten():
    options = CircuitBreakerOptions(failures=100, ratio=0.5, window=60, min_calls=4)
    b = Breaker()
    for i in range(3):
        b = record(b, options, after(i), failed=True)
    for i in range(3):
        b = record(b, options, after(61 + i), failed=False)
    assert record(b, options, after(64), failed=True).state == CLOSED


def test_defaults_are_named_and_a_wrong_option_is_refused():
    from hub.connectors.models import DEFAULT_BREAKER_COOL_DOWN_S, DEFAULT_BREAKER_FAILURES

    options = CircuitBreakerOptions()
    assert (options.failures, options.cool_down) == (DEFAULT_BREAKER_FAILURES, DEFAULT_BREAKER_COOL_DOWN_S)
    assert CircuitBreakerOptions(cool_down="2m").cool_down == 120
    with pytest.raises(ValueError, match="failurs"):
        CircuitBreakerOptions(failurs=3)  # type: ignore[call-arg]


# -------------------------------------------------------------------- the stage, on a real store


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> CircuitStore:
    db = Database(f"sqlite:///{tmp_path}/hub.db")
    upgrade(db)
    return CircuitStore(db, clock=Clock())


def ctx(options: CircuitBreakerOptions | None) -> CallContext:
    connector = Connector(name="ledger", title="Ledger", base_url="http://t", timeout=5, circuit_breaker=options)
    return CallContext(delivery_id="d-1", message_id="m-1", canonical_id="c-1", correlation_id="k",
                       traceparent=None, connector=connector, operation=None, data={}, source="shop",  # type: ignore[arg-type]
                       method="POST", url="http://t/x", body={}, content=encode_body({}))


def test_the_stage_holds_calls_once_the_target_failed_and_lets_one_probe_through_after_the_cool_down(store):
    stage, options = CircuitBreaker(store), CircuitBreakerOptions(failures=2, cool_down=30)
    for _ in range(2):
        call = ctx(options)
        stage.before_call(call)
        stage.after_fault(call, TransientDeliveryError("connection refused"))
    assert store.views(["ledger"])["ledger"].state == OPEN and store.views(["ledger"])["ledger"].gauge == 2
    with pytest.raises(Hold) as held:
        stage.before_call(ctx(options))
    assert held.value.until == after(30)

    store.clock.now = after(30)  # type: ignore[attr-defined]
    assert store.views(["ledger"])["ledger"].state == HALF_OPEN
    probe = ctx(options)
    stage.before_call(probe)
    with pytest.raises(Hold):
        stage.before_call(ctx(options))  # one probe at a time
    stage.after_call(probe, Response(200, "", 1.0, {}), Verdict("success"))
    assert store.get("ledger") == Breaker()
    stage.before_call(ctx(options))


def test_a_business_rejection_counts_as_a_sign_of_life(store):
    stage, options = CircuitBreaker(store), CircuitBreakerOptions(failures=2)
    for verdict in ("retry", "rejected", "retry"):
        call = ctx(options)
        stage.before_call(call)
        stage.after_call(call, Response(503 if verdict == "retry" else 422, "", 1.0, {}), Verdict(verdict))  # type: ignore[arg-type]
    assert store.get("ledger").state == CLOSED


def test_a_connector_without_a_breaker_is_never_held_and_leaves_no_state(store):
    stage = CircuitBreaker(store)
    for _ in range(20):
        call = ctx(None)
        stage.before_call(call)
        stage.after_fault(call, TransientDeliveryError("down"))
    assert store.get("ledger") == Breaker()
