"""What the overview and the dead-letter page show: throughput, error rates, health, groups of failures.

Read-only queries over the message path. Time series are bucketed per minute
in Python over a short window (an hour by default), which keeps the SQL the
same on SQLite and PostgreSQL.

*Circuit state* — the real state of each connector's circuit breaker
(:mod:`hub.delivery.circuit`): ``closed``, ``half_open`` or ``open``, and
``none`` for a connector that declares no ``circuit_breaker``. A connector is
shown *failing* while its circuit is open, or when its last
:data:`FAILING_AFTER` attempts all failed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from hub.delivery.circuit import CircuitStore
from hub.operations import Operations, delivery_filter
from hub.registry import Registry
from hub.store import Attempt, Database, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus

WINDOW_MINUTES = 60
HEALTH_WINDOW = timedelta(minutes=15)
FAILING_AFTER = 5
DEGRADED_BELOW = 0.9
"""A connector whose recent success rate is below this is shown as degraded."""
RECENT_ATTEMPTS = 200
IN_CHUNK = 500
FAILED_MESSAGE_STATES = (MessageStatus.FAILED, MessageStatus.DEAD, MessageStatus.REJECTED)
_ROUNDS = re.compile(r"^gave up after \d+ rounds?: ")
_HTTP = re.compile(r"^(HTTP \d{3})")


@dataclass
class Series:
    """Per-minute values of one connector, oldest first."""

    connector: str
    values: list[float]
    overall: float | None = None
    """For a rate: its value over the whole window (not the mean of the minutes)."""


AUTO = "auto"
RANGES: dict[str, timedelta] = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "6h": timedelta(hours=6),
                                "24h": timedelta(days=1), "7d": timedelta(days=7)}
"""The overview's range picker: ``auto`` (where the activity is) or one of these spans ending now."""
DEFAULT_RANGE = "1h"
"""What ``auto`` shows when nothing happened in the last day."""
AUTO_LOOKBACK = timedelta(days=1)
AUTO_MIN_SPAN = timedelta(minutes=10)
TARGET_BUCKETS = 60
STEPS = [timedelta(seconds=s) for s in (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)]
"""Bucket sizes a chart may use: the smallest giving at most TARGET_BUCKETS buckets."""


@dataclass(frozen=True)
class Window:
    """A chart's time span cut into equal buckets."""

    start: datetime
    end: datetime
    step: timedelta

    @classmethod
    def ending(cls, end: datetime, span: timedelta) -> Window:
        step = next((s for s in STEPS if span / s <= TARGET_BUCKETS), STEPS[-1])
        seconds = step.total_seconds()
        aligned = datetime.fromtimestamp((end.timestamp() // seconds + 1) * seconds, UTC)  # whole buckets
        buckets = max(2, -int(-(span / step) // 1))
        return cls(aligned - step * buckets, aligned, step)

    @property
    def buckets(self) -> int:
        return int((self.end - self.start) / self.step)

    def slot(self, at: datetime) -> int:
        return max(0, min(self.buckets - 1, int((_aware(at) - self.start) / self.step)))


def _aware(at: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time the hub stores is UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@dataclass
class Throughput:
    minutes: list[datetime]
    messages: list[Series]
    """Messages received per minute, by sending connector."""
    error_rate: list[Series]
    """Share of failed delivery attempts per minute, by target connector (0–1)."""
    step: timedelta = timedelta(minutes=1)
    """The buckets' size (``minutes`` holds their starts)."""


@dataclass
class Health:
    connector: str
    title: str
    paused: bool
    state: str
    """healthy | degraded | failing | idle | paused"""
    circuit: str
    """closed | half_open | open — the circuit breaker's state; none when the connector declares none"""
    attempts: int
    success_rate: float | None
    avg_latency_ms: float | None
    p95_latency_ms: float | None
    last_attempt_at: datetime | None
    queue: int
    dead: int


@dataclass
class DeadGroup:
    connector: str
    operations: list[str]
    error: str
    """What the group's deliveries failed with, e.g. ``HTTP 503`` or ``ConnectError``; also the retry filter."""
    count: int
    oldest: datetime
    newest: datetime
    sample_error: str
    sample_message: str
    delivery_ids: list[str] = field(default_factory=list)


class Stats:
    def __init__(self, *, db: Database, registry: Registry, ops: Operations, circuits: CircuitStore | None = None):
        self.db = db
        self.registry = registry
        self.ops = ops
        self.circuits = circuits or CircuitStore(db)

    def message_counts(self) -> dict[str, int]:
        counts = self.ops.counts()
        return {s: counts.get(s, 0) for s in MessageStatus.ALL}

    def throughput(self, *, minutes: int = WINDOW_MINUTES, now: datetime | None = None,
                   window: Window | None = None) -> Throughput:
        """Per-bucket traffic over ``window`` (default: the last ``minutes``, per minute)."""
        if window is None:
            end = (now or datetime.now(UTC)).replace(second=0, microsecond=0) + timedelta(minutes=1)
            window = Window(end - timedelta(minutes=minutes), end, timedelta(minutes=1))
        start, n = window.start, window.buckets
        slots = [start + window.step * i for i in range(n)]
        with self.db.read() as s:
            received = s.execute(select(InboundMessage.connector, InboundMessage.received_at)
                                 .where(InboundMessage.received_at >= start, InboundMessage.received_at < window.end)
                                 ).all()
            attempts = s.execute(select(Delivery.connector, Attempt.started_at, Attempt.outcome)
                                 .join(Delivery, Delivery.id == Attempt.delivery_id)
                                 .where(Attempt.started_at >= start, Attempt.started_at < window.end)).all()
        messages: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
        for connector, at in received:
            messages[connector][window.slot(at)] += 1
        tried: dict[str, list[int]] = defaultdict(lambda: [0] * n)
        failed: dict[str, list[int]] = defaultdict(lambda: [0] * n)
        for connector, at, outcome in attempts:
            i = window.slot(at)
            tried[connector][i] += 1
            if outcome != "success":
                failed[connector][i] += 1
        rates = [Series(c, [failed[c][i] / k if k else 0.0 for i, k in enumerate(tried[c])],
                        overall=sum(failed[c]) / sum(tried[c])) for c in sorted(tried)]
        return Throughput(minutes=slots, messages=[Series(c, messages[c]) for c in sorted(messages)],
                          error_rate=rates, step=window.step)

    def window(self, name: str = AUTO, *, now: datetime | None = None) -> Window:
        """The chart window a range picker's choice names: a fixed span ending now, or (``auto``) the
        span of the last day's activity with a margin — a demo batch fills the chart, not its edge."""
        now = now or datetime.now(UTC)
        if name in RANGES:
            return Window.ending(now, RANGES[name])
        with self.db.read() as s:
            since = now - AUTO_LOOKBACK
            first, last = s.execute(select(func.min(InboundMessage.received_at), func.max(InboundMessage.received_at))
                                    .where(InboundMessage.received_at >= since)).one()
            tried = s.execute(select(func.min(Attempt.started_at), func.max(Attempt.started_at))
                              .where(Attempt.started_at >= since)).one()
        times = [_aware(t) for t in (first, last, *tried) if t is not None]
        if not times:
            return Window.ending(now, RANGES[DEFAULT_RANGE])
        start, end = min(times), max(times)
        margin = max((end - start) / 10, timedelta(seconds=30))
        span = max(end - start + 2 * margin, AUTO_MIN_SPAN)
        end = min(now, start - margin + span)
        return Window.ending(end, span)

    def health(self, *, now: datetime | None = None) -> list[Health]:
        """One line per configured connector: state, circuit, success rate, latency, queue, dead."""
        now = now or datetime.now(UTC)
        guarded = [n for n, c in self.registry.connectors.items() if c.circuit_breaker is not None]
        circuits = {n: v.state for n, v in self.circuits.views(guarded).items()}
        depth = self.ops.delivery_depth()
        paused_now = {name: self.ops.is_paused(name) for name in self.registry.connectors}  # own sessions: not nested
        out = []
        with self.db.read() as s:
            for name, c in sorted(self.registry.connectors.items()):
                recent = s.execute(select(Attempt.outcome, Attempt.duration_ms, Attempt.started_at)
                                   .join(Delivery, Delivery.id == Attempt.delivery_id)
                                   .where(Delivery.connector == name, Attempt.started_at >= now - HEALTH_WINDOW)
                                   .order_by(Attempt.started_at.desc()).limit(RECENT_ATTEMPTS)).all()
                calls = [r for r in recent if r.outcome in ("success", "transient", "rejected")]
                ok = [r for r in calls if r.outcome == "success"]
                latencies = sorted(r.duration_ms for r in calls)
                paused = paused_now[name]
                last_n = calls[:FAILING_AFTER]
                circuit = circuits.get(name, "none")
                failing = circuit == "open" or (len(last_n) == FAILING_AFTER and
                                                all(r.outcome == "transient" for r in last_n))
                rate = len(ok) / len(calls) if calls else None
                state = ("paused" if paused else "failing" if failing else "idle" if rate is None
                         else "degraded" if rate < DEGRADED_BELOW else "healthy")
                last = s.scalar(select(func.max(Attempt.started_at)).join(Delivery, Delivery.id == Attempt.delivery_id)
                                .where(Delivery.connector == name))
                out.append(Health(
                    connector=name, title=c.title, paused=paused, state=state, circuit=circuit, attempts=len(calls),
                    success_rate=rate,
                    avg_latency_ms=sum(latencies) / len(latencies) if latencies else None,
                    p95_latency_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else None,
                    last_attempt_at=last,
                    queue=sum(n for (cn, st), n in depth.items() if cn == name and st in DeliveryStatus.OPEN),
                    dead=depth.get((name, DeliveryStatus.DEAD), 0)))
        return out

    def queue_depth(self) -> int:
        return sum(n for (_, st), n in self.ops.delivery_depth().items() if st in DeliveryStatus.OPEN)

    def dead_count(self) -> int:
        return sum(n for (_, st), n in self.ops.delivery_depth().items() if st == DeliveryStatus.DEAD)

    def dead_groups(self, *, connector: str | None = None) -> list[DeadGroup]:
        """Dead deliveries grouped by connector and kind of error, largest group first.

        A group is exactly what a bulk retry with ``connector`` and ``error_contains=group.error`` revives.
        """
        q = (select(Delivery.id, Delivery.connector, Delivery.operation, Delivery.last_error, Delivery.updated_at,
                    Delivery.message_id).where(Delivery.status == DeliveryStatus.DEAD))
        if connector:
            q = q.where(Delivery.connector == connector)
        with self.db.read() as s:
            rows = s.execute(q.order_by(Delivery.updated_at.desc())).all()
        groups: dict[tuple[str, str], DeadGroup] = {}
        for r in rows:
            kind = error_kind(r.last_error)
            g = groups.get((r.connector, kind))
            if g is None:
                g = groups[(r.connector, kind)] = DeadGroup(
                    connector=r.connector, operations=[], error=kind, count=0, oldest=r.updated_at,
                    newest=r.updated_at, sample_error=r.last_error or "", sample_message=r.message_id)
            if r.operation not in g.operations:
                g.operations.append(r.operation)
            g.count += 1
            g.oldest = min(g.oldest, r.updated_at)
            g.newest = max(g.newest, r.updated_at)
            g.delivery_ids.append(r.id)
        return sorted(groups.values(), key=lambda g: (-g.count, g.connector, g.error))

    def count_dead(self, *, connector: str | None = None, error_contains: str | None = None,
                   since: datetime | None = None, until: datetime | None = None) -> int:
        """How many dead deliveries a bulk retry with this filter would touch (same filter as
        :meth:`hub.operations.Operations.bulk_retry`), for its confirmation."""
        q = select(func.count()).select_from(Delivery).where(*delivery_filter(
            status=DeliveryStatus.DEAD, connector=connector, error_contains=error_contains, since=since, until=until))
        with self.db.read() as s:
            return int(s.scalar(q) or 0)

    def delivery_progress(self, ids: Iterable[str]) -> dict[str, int]:
        """How many of these deliveries are in each state now (to follow a bulk retry)."""
        ids = list(ids)
        counts: Counter[str] = Counter()
        with self.db.read() as s:
            for i in range(0, len(ids), IN_CHUNK):
                chunk = ids[i:i + IN_CHUNK]
                counts.update(dict(s.execute(select(Delivery.status, func.count()).where(Delivery.id.in_(chunk))
                                             .group_by(Delivery.status)).all()))
        return dict(counts)


def error_kind(error: str | None) -> str:
    """The part of a delivery error that names its kind: ``HTTP 503``, ``ConnectError``, ``timed out``…"""
    text = _ROUNDS.sub("", error or "").strip()
    if not text:
        return "gave up"
    m = _HTTP.match(text)
    if m:
        return m.group(1)
    if text.startswith("timed out"):
        return "timed out"
    return text.split(":", 1)[0][:80]

