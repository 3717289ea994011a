"""A circuit breaker per target: a system that keeps failing stops burning attempts.

::

    closed ──`failures` transient failures in a row──▶ open ──`cool_down`──▶ half_open
      ▲     (or `ratio` of the calls in `window`)       ▲                       │ one probe call
      │                                                 └──── probe fails ──────┤
      └──────────────────────────────── probe succeeds ─────────────────────────┘

Declared per connector (``circuit_breaker:``, options and defaults in
:class:`hub.connectors.models.CircuitBreakerOptions`: ``failures``
:data:`~hub.connectors.models.DEFAULT_BREAKER_FAILURES`, ``cool_down``
:data:`~hub.connectors.models.DEFAULT_BREAKER_COOL_DOWN_S` s, ``ratio`` off, ``window``
:data:`~hub.connectors.models.DEFAULT_BREAKER_WINDOW_S` s, ``min_calls``
:data:`~hub.connectors.models.DEFAULT_BREAKER_MIN_CALLS`).

- While **open**, :meth:`CircuitBreaker.before_call` raises :class:`~hub.errors.Hold` until the end of
  the cool-down: the deliverer parks the delivery (``retrying``, ``next_attempt_at`` = end of the
  cool-down) without an attempt and without counting a round, and it comes back by itself.
- After the cool-down the first call is the **probe** (half-open); the others are parked for another
  cool-down, or until the probe's lease ends if sooner (the connector's timeout +
  :data:`PROBE_LEASE_MARGIN_S`: a probe whose worker died is replaced). A probe held back by a later stage (a rate limit) gives its turn back.
- Only transient failures count: network faults, timeouts, 5xx, 408/409/425/429 and answers a
  ``responses`` rule calls ``retry``. A business rejection proves the system is up.
- Results of calls made before the circuit opened and ending while it is open are ignored.

The state lives in the database (``circuit_breakers``, migration 0007) so that every worker
process sees one circuit per connector; a closed circuit with no failures costs one read per call.
The transitions are pure functions (:func:`admit`, :func:`record`) with the time handed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.connectors.models import CircuitBreakerOptions
from hub.delivery.client import Response
from hub.delivery.stages import CallContext, DeliveryStage
from hub.errors import DeliveryError, Hold
from hub.pipeline.outbound import Verdict
from hub.store import Database
from hub.store.models import CircuitBreakerState

CLOSED = "closed"
HALF_OPEN = "half_open"
OPEN = "open"
STATE_GAUGE = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}
"""The value of ``hub_circuit_state`` for each state."""
PROBE_LEASE_MARGIN_S = 5.0
"""A probe's lease is the connector's timeout plus this; another call may probe once it ends."""

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Breaker:
    """One connector's circuit, as stored."""

    state: str = CLOSED
    failures: int = 0
    window_start: datetime | None = None
    window_calls: int = 0
    window_failures: int = 0
    opened_at: datetime | None = None
    open_until: datetime | None = None
    probe_until: datetime | None = None

    def effective(self, now: datetime) -> str:
        """The state a call arriving ``now`` meets: an open circuit past its cool-down is half-open."""
        if self.state == OPEN and self.open_until is not None and now >= self.open_until:
            return HALF_OPEN
        return self.state


@dataclass(frozen=True)
class Admission:
    breaker: Breaker
    """The circuit after this call was admitted or held."""
    probe: bool = False
    """This call is the half-open probe."""
    hold_until: datetime | None = None
    """Set when the call must not be made: park the delivery until then."""


def admit(b: Breaker, now: datetime, *, probe_lease_s: float, recheck_s: float) -> Admission:
    """May a call be made ``now``? Closed: yes. Open: no, until the cool-down ends. Half-open: one probe;
    the others look again after ``recheck_s`` (or when the probe's lease ends, if sooner)."""
    if b.state == CLOSED:
        return Admission(b)
    if b.state == OPEN and b.open_until is not None and now < b.open_until:
        return Admission(b, hold_until=b.open_until)
    if b.state == HALF_OPEN and b.probe_until is not None and now < b.probe_until:
        return Admission(b, hold_until=min(b.probe_until, now + timedelta(seconds=recheck_s)))
    probing = replace(b, state=HALF_OPEN, probe_until=now + timedelta(seconds=probe_lease_s))
    return Admission(probing, probe=True)


def record(b: Breaker, options: CircuitBreakerOptions, now: datetime, *, failed: bool) -> Breaker:
    """The circuit after a call's result: a failure may open it, the probe's result decides half-open."""
    if b.state == OPEN:
        return b  # a call made before it opened: the cool-down stands
    if b.state == HALF_OPEN:
        return _opened(b, options, now) if failed else Breaker()
    failures = b.failures + 1 if failed else 0
    window_start, calls, failed_calls = b.window_start, b.window_calls, b.window_failures
    if options.ratio is not None:
        if window_start is None or now - window_start >= timedelta(seconds=options.window):
            window_start, calls, failed_calls = now, 0, 0
        calls += 1
        failed_calls += int(failed)
    b = replace(b, failures=failures, window_start=window_start, window_calls=calls, window_failures=failed_calls)
    too_many = failures >= options.failures
    too_often = (options.ratio is not None and calls >= options.min_calls
                 and failed_calls / calls >= options.ratio)
    return _opened(b, options, now) if failed and (too_many or too_often) else b


def release_probe(b: Breaker, now: datetime) -> Breaker:
    """The probe was admitted but never made (a later stage held it): the next call may probe."""
    if b.state != HALF_OPEN:
        return b
    return replace(b, probe_until=now)


def _opened(b: Breaker, options: CircuitBreakerOptions, now: datetime) -> Breaker:
    return Breaker(state=OPEN, failures=b.failures, opened_at=now,
                   open_until=now + timedelta(seconds=options.cool_down))


# ---------------------------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class CircuitView:
    """What the API, the dashboard and ``/metrics`` show of one connector's circuit."""

    connector: str
    state: str
    """closed | half_open | open (an open circuit past its cool-down shows as half_open)"""
    failures: int
    opened_at: datetime | None
    open_until: datetime | None

    @property
    def gauge(self) -> int:
        return STATE_GAUGE[self.state]

    def as_json(self) -> dict[str, object]:
        return {"state": self.state, "failures": self.failures,
                "opened_at": self.opened_at.isoformat() if self.opened_at else None,
                "open_until": self.open_until.isoformat() if self.open_until else None}


class CircuitStore:
    """The circuits in the database (``circuit_breakers``): read without a lock, changed under one."""

    def __init__(self, db: Database, *, clock: Clock = utcnow):
        self.db = db
        self.clock = clock

    def get(self, connector: str) -> Breaker:
        with self.db.read() as s:
            row = s.get(CircuitBreakerState, connector)
            return _breaker(row) if row is not None else Breaker()

    def admit(self, connector: str, *, probe_lease_s: float, recheck_s: float) -> Admission:
        now = self.clock()
        seen = self.get(connector)
        if seen.effective(now) == CLOSED or (seen.state == OPEN and seen.open_until and now < seen.open_until):
            return admit(seen, now, probe_lease_s=probe_lease_s, recheck_s=recheck_s)  # no write, no lock
        return self._change(connector, lambda b: admit(b, now, probe_lease_s=probe_lease_s, recheck_s=recheck_s))

    def record(self, connector: str, options: CircuitBreakerOptions, *, failed: bool) -> Breaker:
        now = self.clock()
        seen = self.get(connector)
        if not failed and seen == Breaker() and options.ratio is None:
            return seen  # a success on a healthy circuit changes nothing
        return self._change(connector, lambda b: Admission(record(b, options, now, failed=failed))).breaker

    def release_probe(self, connector: str) -> None:
        now = self.clock()
        self._change(connector, lambda b: Admission(release_probe(b, now)))

    def reset(self, connector: str) -> Breaker:
        """An operator closes the circuit (the system is known to be back); returns the circuit as it was."""
        before: list[Breaker] = []

        def close(b: Breaker) -> Admission:
            before.append(b)
            return Admission(Breaker())
        self._change(connector, close)
        return before[0]

    def views(self, connectors: list[str]) -> dict[str, CircuitView]:
        """The circuits of ``connectors`` (closed when never written), as of now."""
        now = self.clock()
        with self.db.read() as s:
            rows = {r.connector: _breaker(r) for r in s.scalars(
                select(CircuitBreakerState).where(CircuitBreakerState.connector.in_(connectors)))}
        out = {}
        for name in connectors:
            b = rows.get(name, Breaker())
            out[name] = CircuitView(name, b.effective(now), b.failures, b.opened_at, b.open_until)
        return out

    def _change(self, connector: str, step: Callable[[Breaker], Admission]) -> Admission:
        with self.db.session() as s:
            row = _locked(s, connector, self.clock())
            result = step(_breaker(row))
            b = result.breaker
            row.state, row.failures = b.state, b.failures
            row.window_start, row.window_calls, row.window_failures = b.window_start, b.window_calls, b.window_failures
            row.opened_at, row.open_until, row.probe_until = b.opened_at, b.open_until, b.probe_until
            row.updated_at = self.clock()
            return result


def _locked(s: Session, connector: str, now: datetime) -> CircuitBreakerState:
    """The connector's row, locked for this transaction (created on first use)."""
    row = s.get(CircuitBreakerState, connector, with_for_update=True)
    if row is not None:
        return row
    try:
        with s.begin_nested():
            s.add(CircuitBreakerState(connector=connector, state=CLOSED, failures=0, window_calls=0,
                                      window_failures=0, updated_at=now))
    except IntegrityError:  # another process created it first
        pass
    row = s.get(CircuitBreakerState, connector, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def _breaker(row: CircuitBreakerState) -> Breaker:
    return Breaker(state=row.state, failures=row.failures, window_start=row.window_start,
                   window_calls=row.window_calls, window_failures=row.window_failures, opened_at=row.opened_at,
                   open_until=row.open_until, probe_until=row.probe_until)


# ---------------------------------------------------------------------------------------------- the stage


class CircuitBreaker(DeliveryStage):
    """Before each call to a connector that declares ``circuit_breaker``: admit it, hold it, or make it the probe.

    After it: record whether the target failed transiently. Connectors without the option pass through.
    """

    NOTE = "circuit_probe"

    def __init__(self, store: CircuitStore):
        self.store = store

    def before_call(self, ctx: CallContext) -> None:
        if ctx.connector.circuit_breaker is None:
            return
        name = ctx.connector.name
        admission = self.store.admit(name, probe_lease_s=ctx.connector.timeout + PROBE_LEASE_MARGIN_S,
                                     recheck_s=ctx.connector.circuit_breaker.cool_down)
        if admission.hold_until is not None:
            what = "open" if admission.breaker.state == OPEN else "half-open, probing"
            raise Hold(f"circuit of {name} is {what}: parked until {admission.hold_until:%H:%M:%S} UTC",
                       until=admission.hold_until,
                       lifted=lambda: self.store.get(name).effective(self.store.clock()) == CLOSED)
        if admission.probe:
            ctx.notes[self.NOTE] = True

    def after_call(self, ctx: CallContext, response: Response, verdict: Verdict) -> None:
        if ctx.connector.circuit_breaker is not None:
            self.store.record(ctx.connector.name, ctx.connector.circuit_breaker, failed=verdict.outcome == "retry")

    def after_fault(self, ctx: CallContext, error: DeliveryError) -> None:
        if ctx.connector.circuit_breaker is not None:
            self.store.record(ctx.connector.name, ctx.connector.circuit_breaker, failed=True)

    def after_hold(self, ctx: CallContext, hold: Hold) -> None:
        if ctx.notes.get(self.NOTE):
            self.store.release_probe(ctx.connector.name)
