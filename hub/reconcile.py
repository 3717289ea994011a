"""Reconciliation: do the systems agree on what the hub carried between them?

Delivered is not the same as booked: a target may have dropped a document, booked it twice or
with another amount. ``mappings/reconcile.yaml`` declares checks; each
reads both sides through their APIs (the connectors' base URLs, the outbound allow-list and
client), turns each answer into ``[{key, amount}]`` with a JSONata ``select``, and compares:
keys on one side only, amounts that differ beyond ``tolerance``, and the counts and totals.
A run and its mismatches are stored (:class:`~hub.store.models.ReconcileRun`,
:class:`~hub.store.models.Mismatch`) for the dashboard and ``/api/reconcile``; a key missing on
the receiving side can be replayed — the newest message with that subject from the check's
``replay.connector`` — through the audited operator actions.

The sweeper runs every check when the last run is older than ``every`` — one run, however many
worker processes sweep (:meth:`Reconciler.run_scheduled`); ``hub reconcile`` runs them at once.

A run holds a lease (``HUB_LEASE_S``) that its process renews every third of it while the checks
run. A process killed mid-run stops renewing: once the lease has passed, the sweeper (or the next
run) marks the run ``interrupted`` with the reason, and an interrupted run does not count as the
schedule's last run, so the next sweep runs the checks again.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from hub.connectors.durations import Seconds, _Model
from hub.delivery.client import OutboundClient
from hub.errors import ConfigError, DeliveryError, HubError, NotFound
from hub.ids import new_id
from hub.mapping.engine import Compiled, Engine
from hub.registry import Registry
from hub.settings import Settings
from hub.store import CanonicalMessage, Database, InboundMessage
from hub.store.models import Mismatch, ReconcileRun
from hub.yamlfile import load_model

log = logging.getLogger("hub.reconcile")

FILE_NAME = "reconcile.yaml"
DEFAULT_EVERY_S = 900.0
SCHEDULE_LOCK = "hub:reconcile:scheduled"
"""The advisory lock under which a process decides that a scheduled run is due and starts it."""
MAX_MISMATCHES_PER_CHECK = 500
"""Stored per check and run; beyond it the run says how many more there were."""
RUNNING, INTERRUPTED = "running", "interrupted"
INTERRUPTED_REASON = ("the process running it stopped (killed or restarted) before the checks finished: "
                      "its lease ran out at {lease}; the checks run again at the next sweep, or run them now")


class Side(_Model):
    """One system's view: a GET on its API and how to read it."""

    connector: str = Field(description="the connector whose base URL (and HUB_URL_<NAME>) is called")
    path: str = Field(pattern=r"^/[^/]", description="GET path on that system, e.g. /api/sales-orders")
    params: dict[str, str] = Field(default_factory=dict, description="query parameters")
    select: str = Field(description="JSONata on the answer giving [{'key': …, 'amount': …}] (amount optional)")


class Replay(_Model):
    connector: str = Field(description="replay the newest message from this connector whose subject is the key")


class Check(_Model):
    title: str
    left: Side = Field(description="the system where documents start")
    right: Side = Field(description="the system that should have booked each of them")
    tolerance: float = Field(0.01, ge=0, description="amounts differing by at most this agree")
    replay: Replay | None = Field(None, description="offer a replay for a key missing on the right")


class ReconcileFile(_Model):
    name: str = Field(description="must be 'reconcile'")
    every: Seconds = Field(DEFAULT_EVERY_S, description="the sweeper runs the checks this often (0: never)")
    checks: dict[str, Check] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self) -> ReconcileFile:
        for name in self.checks:
            if not name.replace("_", "").isalnum():
                raise ValueError(f"check name {name!r}: letters, digits and _ only")
        return self


@dataclass(frozen=True)
class Plan:
    """The loaded file, its expressions compiled."""

    file: ReconcileFile
    selects: dict[tuple[str, str], Compiled]


def load_plan(config_dir: Path, registry: Registry, engine: Engine) -> Plan | None:
    """``reconcile.yaml`` validated (file:line errors), or None when there is none."""
    path = config_dir / "mappings" / FILE_NAME
    if not path.exists():
        return None
    model, doc = load_model(path, ReconcileFile, what="a reconciliation file", name_key="name")
    selects: dict[tuple[str, str], Compiled] = {}
    for name, check in model.checks.items():
        for side_name in ("left", "right"):
            side: Side = getattr(check, side_name)
            if registry.connector(side.connector) is None:
                raise ConfigError(f"checks.{name}.{side_name}.connector: no connector {side.connector!r} "
                                  f"(known: {', '.join(sorted(registry.connectors))})",
                                  file=str(path), line=doc.line_of(("checks", name, side_name, "connector")))
            try:
                selects[(name, side_name)] = engine.compile(side.select, file=f"{path}#{name}.{side_name}")
            except HubError as exc:
                raise ConfigError(f"checks.{name}.{side_name}.select: {exc}", file=str(path),
                                  line=doc.line_of(("checks", name, side_name, "select"))) from None
        if check.replay and registry.connector(check.replay.connector) is None:
            raise ConfigError(f"checks.{name}.replay.connector: no connector {check.replay.connector!r}",
                              file=str(path), line=doc.line_of(("checks", name, "replay", "connector")))
    return Plan(model, selects)


@dataclass(frozen=True)
class SideResult:
    count: int
    total: float
    amounts: dict[str, float | None]
    counts: dict[str, int]


@dataclass(frozen=True)
class CheckResult:
    check: str
    left: SideResult | None
    right: SideResult | None
    mismatches: list[dict[str, Any]]
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "error": self.error, "mismatches": len(self.mismatches),
                "left": {"count": self.left.count, "total": round(self.left.total, 2)} if self.left else None,
                "right": {"count": self.right.count, "total": round(self.right.total, 2)} if self.right else None}


class Reconciler:
    def __init__(self, *, db: Database, registry: Registry, settings: Settings, client: OutboundClient,
                 plan: Plan | None):
        self.db = db
        self.registry = registry
        self.settings = settings
        self.client = client
        self.plan = plan

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_s)

    # ------------------------------------------------------------------ running
    def due(self, now: datetime | None = None) -> bool:
        """Whether the sweeper should run the checks now (the last run, by any process, is older than ``every``)."""
        if self.plan is None or self.plan.file.every <= 0:
            return False
        now = now or datetime.now(UTC)
        with self.db.read() as s:
            last = _last_start(s)
        return last is None or now - last >= timedelta(seconds=self.plan.file.every)

    def sweep(self) -> str | None:
        """The sweeper's job: mark runs whose process is gone as interrupted, then run the checks if due."""
        self.interrupt_abandoned()
        return self.run_scheduled() if self.due() else None

    def interrupt_abandoned(self, now: datetime | None = None) -> int:
        """Mark ``running`` runs whose lease has passed as ``interrupted`` (with why); returns how many."""
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            return _interrupt_abandoned(s, now)

    def run(self, *, trigger: str, only: list[str] | None = None,
            progress: Callable[[str], None] | None = None) -> str:
        """Run the checks (all, or ``only``), store the run and its mismatches; returns the run id."""
        if self.plan is None:
            raise NotFound(f"no mappings/{FILE_NAME} in {self.settings.config_dir}")
        unknown = sorted(set(only or []) - set(self.plan.file.checks))
        if unknown:
            raise NotFound(f"no check {', '.join(unknown)} (known: {', '.join(self.plan.file.checks)})")
        run_id = new_id()
        started = datetime.now(UTC)
        with self.db.session() as s:
            _interrupt_abandoned(s, started)
            s.add(self._new_run(run_id, started, trigger))
        return self._run_checks(run_id, only, progress)

    def run_scheduled(self) -> str | None:
        """The sweeper's run, when it is due: one, however many processes ask at once; returns its id.

        Whether it is due and the run's row are decided in one transaction under a lock of the
        database (PostgreSQL's advisory lock; SQLite's write lock, taken at BEGIN): the next
        process to ask finds the run just started and leaves it to its owner. Runs whose process
        is gone are marked interrupted first, and do not count as the last run.
        """
        if self.plan is None or self.plan.file.every <= 0:
            return None
        run_id = new_id()
        with self.db.session() as s:
            if not self.db.is_sqlite:
                s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": SCHEDULE_LOCK})
            now = datetime.now(UTC)
            _interrupt_abandoned(s, now)
            last = _last_start(s)
            if last is not None and now - last < timedelta(seconds=self.plan.file.every):
                return None
            s.add(self._new_run(run_id, now, "sweeper"))
        return self._run_checks(run_id, None, None)

    def _new_run(self, run_id: str, started: datetime, trigger: str) -> ReconcileRun:
        return ReconcileRun(id=run_id, started_at=started, trigger=trigger, status=RUNNING, summary=[],
                            lease_until=started + self.lease)

    def _run_checks(self, run_id: str, only: list[str] | None, progress: Callable[[str], None] | None) -> str:
        assert self.plan is not None
        results = []
        with self._heartbeat(run_id):
            for name in only or list(self.plan.file.checks):
                if progress:
                    progress(name)
                results.append(self.run_check(name))
        with self.db.session() as s:
            run = s.get(ReconcileRun, run_id)
            assert run is not None
            run.finished_at = datetime.now(UTC)
            run.lease_until = None
            run.reason = None  # finished after all (a process paused past its lease): its results stand
            run.summary = [r.as_json() for r in results]
            run.mismatches = sum(len(r.mismatches) for r in results)
            run.status = "error" if any(r.error for r in results) else "mismatch" if run.mismatches else "ok"
            for r in results:
                for m in r.mismatches[:MAX_MISMATCHES_PER_CHECK]:
                    s.add(Mismatch(id=new_id(), run_id=run_id, check=r.check, **m))
        log.info("reconciliation %s: %s", run_id, "; ".join(
            f"{r.check}: {r.error or f'{len(r.mismatches)} mismatch(es)'}" for r in results))
        return run_id

    @contextmanager
    def _heartbeat(self, run_id: str) -> Iterator[None]:
        """While the body runs, the run's lease is renewed every third of it from a background thread."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.settings.lease_s / 3):
                try:
                    self.renew_lease(run_id)
                except Exception:  # the database may be away for a moment; the next beat tries again
                    log.exception("reconciliation %s: lease heartbeat failed", run_id)

        thread = threading.Thread(target=beat, name="hub-reconcile-lease", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)

    def renew_lease(self, run_id: str) -> bool:
        """One heartbeat: extend a running run's lease; False when it is no longer running."""
        with self.db.session() as s:
            renewed = s.execute(update(ReconcileRun).where(ReconcileRun.id == run_id, ReconcileRun.status == RUNNING)
                                .values(lease_until=datetime.now(UTC) + self.lease))
            return bool(getattr(renewed, "rowcount", 0))

    def run_check(self, name: str) -> CheckResult:
        assert self.plan is not None
        check = self.plan.file.checks[name]
        try:
            left = self._read(name, "left", check.left)
            right = self._read(name, "right", check.right)
        except (DeliveryError, HubError) as exc:
            return CheckResult(name, None, None, [], error=str(exc))
        return CheckResult(name, left, right, compare(left, right, check.tolerance))

    def _read(self, name: str, side_name: str, side: Side) -> SideResult:
        assert self.plan is not None
        connector = self.registry.connectors[side.connector]
        url = self.settings.connector_url(side.connector, connector.base_url).rstrip("/") + side.path
        response = self.client.query("GET", url, params=side.params, headers={}, timeout_s=connector.timeout)
        if response.json is None:
            raise HubError(f"{side.connector} {side.path} did not answer JSON (HTTP {response.status_code})")
        rows = self.plan.selects[(name, side_name)].evaluate(response.json)
        rows = [] if rows is None else rows if isinstance(rows, list) else [rows]
        amounts: dict[str, float | None] = {}
        counts: dict[str, int] = {}
        for row in rows:
            if not isinstance(row, dict) or row.get("key") in (None, ""):
                raise HubError(f"checks.{name}.{side_name}.select must give objects with a key; got {row!r}")
            key = str(row["key"])
            amount = _number(row.get("amount"))
            before = amounts.get(key)
            amounts[key] = amount if before is None else before + (amount or 0.0)
            counts[key] = counts.get(key, 0) + 1
        total = sum(a for a in amounts.values() if a is not None)
        return SideResult(len(rows), total, amounts, counts)

    # ------------------------------------------------------------------ replay
    def replay_candidate(self, mismatch_id: str) -> tuple[Mismatch, str]:
        """The mismatch and the message whose replay should repair it."""
        with self.db.read() as s:
            m = s.get(Mismatch, mismatch_id)
            if m is None:
                raise NotFound(f"no mismatch {mismatch_id}")
            check = self.plan.file.checks.get(m.check) if self.plan else None
            if check is None or check.replay is None or m.kind != "missing_right" or not m.key:
                raise NotFound(f"mismatch {mismatch_id} offers no replay (only a key missing on the right side "
                               "of a check with replay: does)")
            message_id = s.scalar(
                select(InboundMessage.id).join(CanonicalMessage, CanonicalMessage.message_id == InboundMessage.id)
                .where(InboundMessage.connector == check.replay.connector, CanonicalMessage.current,
                       CanonicalMessage.subject == m.key)
                .order_by(InboundMessage.received_at.desc()).limit(1))
            if message_id is None:
                raise NotFound(f"no message from {check.replay.connector} with subject {m.key}: "
                               "the hub never received it, so nothing can be replayed")
            s.expunge(m)
            return m, message_id

    def receiver(self, check: str) -> str:
        """The connector that should have booked a check's documents (its right side)."""
        assert self.plan is not None
        return self.plan.file.checks[check].right.connector

    def mark_replayed(self, mismatch_id: str, message_id: str, status: str) -> None:
        with self.db.session() as s:
            m = s.get(Mismatch, mismatch_id)
            if m is not None:
                m.replayed_message_id = message_id
                m.replayed_at = datetime.now(UTC)
                m.replay_status = status

    # ------------------------------------------------------------------ reading
    def runs(self, limit: int = 20) -> list[ReconcileRun]:
        with self.db.read() as s:
            rows = list(s.scalars(select(ReconcileRun).order_by(ReconcileRun.started_at.desc()).limit(limit)))
            for r in rows:
                s.expunge(r)
            return rows

    def run_with_mismatches(self, run_id: str) -> tuple[ReconcileRun, list[Mismatch]]:
        with self.db.read() as s:
            run = s.get(ReconcileRun, run_id)
            if run is None:
                raise NotFound(f"no reconciliation run {run_id}")
            rows = list(s.scalars(select(Mismatch).where(Mismatch.run_id == run_id)
                                  .order_by(Mismatch.check, Mismatch.kind, Mismatch.key)))
            for r in [run, *rows]:
                s.expunge(r)
            return run, rows


def _last_start(s: Session) -> datetime | None:
    """When the schedule's last run started: an interrupted one did not run the checks, so it does not count."""
    return s.scalar(select(ReconcileRun.started_at).where(ReconcileRun.status != INTERRUPTED)
                    .order_by(ReconcileRun.started_at.desc()).limit(1))


def _interrupt_abandoned(s: Session, now: datetime) -> int:
    abandoned = list(s.execute(select(ReconcileRun.id, ReconcileRun.lease_until).where(
        ReconcileRun.status == RUNNING, ReconcileRun.lease_until < now)).all())
    for run_id, lease in abandoned:
        s.execute(update(ReconcileRun).where(ReconcileRun.id == run_id, ReconcileRun.status == RUNNING).values(
            status=INTERRUPTED, finished_at=now, lease_until=None,
            reason=INTERRUPTED_REASON.format(lease=lease.isoformat(timespec="seconds") if lease else "?")))
        log.warning("reconciliation %s interrupted: its lease ran out at %s (its process is gone)", run_id, lease)
    return len(abandoned)


def compare(left: SideResult, right: SideResult, tolerance: float) -> list[dict[str, Any]]:
    """Keys on one side only, and amounts that differ beyond ``tolerance`` (as Mismatch fields)."""
    out: list[dict[str, Any]] = []
    for key in sorted(left.amounts.keys() - right.amounts.keys()):
        out.append({"kind": "missing_right", "key": key, "left_amount": left.amounts[key], "right_amount": None})
    for key in sorted(right.amounts.keys() - left.amounts.keys()):
        out.append({"kind": "missing_left", "key": key, "left_amount": None, "right_amount": right.amounts[key]})
    for key in sorted(left.amounts.keys() & right.amounts.keys()):
        a, b = left.amounts[key], right.amounts[key]
        if right.counts[key] > left.counts[key]:
            out.append({"kind": "duplicate_right", "key": key, "left_amount": a, "right_amount": b})
        elif a is not None and b is not None and abs(a - b) > tolerance:
            out.append({"kind": "amount", "key": key, "left_amount": a, "right_amount": b})
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if math.isfinite(n) else None
