"""Retention: payloads leave the log after their connector's time, the messages' metadata stays.

Business data should not be kept longer than it is needed, and a log that only grows gets slower
to search and back up. ``mappings/retention.yaml`` gives each connector (or the ``default``) a
number of ``days`` and says whether payloads are ``archive``d first — one ``jsonl.gz`` file per
connector and run, a line per message with its raw body, canonical payloads and the requests
sent — and whether the connector is under ``legal_hold`` (nothing of it is purged, whatever
its days).

A purge clears what carries business data — the raw body, its headers and search copy, the
canonical payloads, the requests sent and the targets' answers — and stamps ``purged_at``. Ids,
types, subjects, correlation, statuses, times, errors and the attempt log's outcomes stay, so
traces, counts and the audit trail still hold. Only settled messages are purged (never one
still ``received`` or ``delivering``); a purged message cannot be replayed (409).

The sweeper runs the policy when the last run is older than ``every``; ``hub retention run``
runs it now, with a progress bar. When it last ran is kept in the database
(:mod:`hub.store.schedule`), not in a process: a restart does not run it again at once, and of the
worker processes sweeping at the same moment only one takes the period's run.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import delete, func, select, update

from hub.connectors.durations import Seconds, _Model
from hub.errors import ConfigError
from hub.registry import Registry
from hub.store import Attempt, CanonicalMessage, Database, Delivery, InboundMessage, SearchText, schedule
from hub.store.models import MessageStatus
from hub.yamlfile import load_model

log = logging.getLogger("hub.retention")

FILE_NAME = "retention.yaml"
JOB = "retention"
"""Its name in ``scheduled_jobs``."""
BATCH = 500
"""Messages purged per transaction: short write locks, so deliveries go on during a run."""
SETTLED = tuple(s for s in MessageStatus.ALL if s not in (MessageStatus.RECEIVED, MessageStatus.DELIVERING))


class Policy(_Model):
    days: int | None = Field(None, ge=1, description="payloads older than this are purged (none: kept)")
    archive: bool = Field(True, description="write payloads to the archive before purging them")
    legal_hold: bool = Field(False, description="keep everything of this connector, whatever its days")


class RetentionFile(_Model):
    name: str = Field(description="must be 'retention'")
    every: Seconds = Field(3600.0, description="the sweeper applies the policy this often (0: never)")
    archive_dir: str = Field("archive", description="where archives go; relative to the configuration folder")
    default: Policy = Field(default_factory=Policy, description="for connectors not listed")
    connectors: dict[str, Policy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> RetentionFile:
        if self.name != "retention":
            raise ValueError("name must be 'retention'")
        return self


@dataclass
class Plan:
    file: RetentionFile
    archive_dir: Path

    def policy(self, connector: str) -> Policy:
        own = self.file.connectors.get(connector)
        if own is None:
            return self.file.default
        if own.days is None and not own.legal_hold:  # a listed connector inherits the default's days
            return own.model_copy(update={"days": self.file.default.days})
        return own


def load_plan(config_dir: Path, registry: Registry) -> Plan | None:
    path = config_dir / "mappings" / FILE_NAME
    if not path.exists():
        return None
    model, doc = load_model(path, RetentionFile, what="a retention file", name_key="name")
    for name in model.connectors:
        if registry.connector(name) is None:
            raise ConfigError(f"connectors.{name}: no connector {name!r} (known: {', '.join(sorted(registry.connectors))})",
                              file=str(path), line=doc.line_of(("connectors", name)))
    archive = Path(model.archive_dir)
    return Plan(model, archive if archive.is_absolute() else config_dir / archive)


@dataclass
class ConnectorResult:
    connector: str
    days: int | None
    legal_hold: bool
    due: int = 0
    purged: int = 0
    archive: str | None = None


@dataclass
class RunResult:
    started_at: datetime
    dry_run: bool
    connectors: list[ConnectorResult] = field(default_factory=list)

    @property
    def purged(self) -> int:
        return sum(c.purged for c in self.connectors)

    def as_json(self) -> dict[str, Any]:
        return {"started_at": self.started_at.isoformat(), "dry_run": self.dry_run, "purged": self.purged,
                "connectors": [c.__dict__ for c in self.connectors]}


Progress = Callable[[str, int, int], None]
"""(connector, purged so far, due) after each batch."""


class Retention:
    def __init__(self, *, db: Database, registry: Registry, plan: Plan | None):
        self.db = db
        self.registry = registry
        self.plan = plan

    def last_run(self) -> datetime | None:
        """When the policy was last applied, by any process (a dry run does not count)."""
        return schedule.last_run(self.db, JOB)

    def due(self, now: datetime | None = None) -> bool:
        if self.plan is None or self.plan.file.every <= 0:
            return False
        now = now or datetime.now(UTC)
        last = self.last_run()
        return last is None or now - last >= timedelta(seconds=self.plan.file.every)

    def run_scheduled(self, now: datetime | None = None) -> RunResult | None:
        """The sweeper's run, when the period's run is due and this process claims it (one process does)."""
        now = now or datetime.now(UTC)
        if not self.due(now):
            return None
        assert self.plan is not None
        if not schedule.claim(self.db, JOB, now, timedelta(seconds=self.plan.file.every)):
            return None
        return self._apply(now, dry_run=False, progress=None, connectors=None)

    def run(self, *, now: datetime | None = None, dry_run: bool = False, progress: Progress | None = None,
            connectors: list[str] | None = None) -> RunResult:
        """Apply each connector's policy now; returns what was due and purged (and where it was archived)."""
        now = now or datetime.now(UTC)
        if not dry_run and self.plan is not None:
            schedule.record(self.db, JOB, now)
        return self._apply(now, dry_run=dry_run, progress=progress, connectors=connectors)

    def _apply(self, now: datetime, *, dry_run: bool, progress: Progress | None,
               connectors: list[str] | None) -> RunResult:
        result = RunResult(started_at=now, dry_run=dry_run)
        if self.plan is None:
            return result
        for name in connectors or sorted(self.registry.connectors):
            policy = self.plan.policy(name)
            c = ConnectorResult(name, policy.days, policy.legal_hold)
            result.connectors.append(c)
            if policy.legal_hold or policy.days is None:
                continue
            cutoff = now - timedelta(days=policy.days)
            c.due = self._count(name, cutoff)
            if dry_run or not c.due:
                continue
            archive = self._archive_path(name, now) if policy.archive else None
            c.archive = str(archive) if archive else None
            out = gzip.open(archive, "at", encoding="utf-8") if archive else None
            try:
                after = ""
                while True:  # in id order, each batch after the last: purged rows are never scanned again
                    done, after = self._purge_batch(name, cutoff, now, out, after)
                    c.purged += done
                    if progress:
                        progress(name, c.purged, c.due)
                    if done < BATCH:
                        break
            finally:
                if out:
                    out.close()
            log.info("retention: %s: %d message payload(s) purged (older than %d days)%s", name, c.purged,
                     policy.days, f", archived to {archive}" if archive else "")
        return result

    def _due_ids(self, s: Any, connector: str, cutoff: datetime, limit: int | None = None, after: str = "") -> Any:
        q = select(InboundMessage.id).where(
            InboundMessage.connector == connector, InboundMessage.received_at < cutoff, InboundMessage.id > after,
            InboundMessage.purged_at.is_(None), InboundMessage.status.in_(SETTLED)).order_by(InboundMessage.id)
        return q.limit(limit) if limit else q

    def _count(self, connector: str, cutoff: datetime) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(
                self._due_ids(s, connector, cutoff).subquery())) or 0)

    def _archive_path(self, connector: str, now: datetime) -> Path:
        assert self.plan is not None
        folder = self.plan.archive_dir / connector
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{connector}-{now.strftime('%Y%m%dT%H%M%SZ')}.jsonl.gz"

    def _purge_batch(self, connector: str, cutoff: datetime, now: datetime, out: Any, after: str) -> tuple[int, str]:
        with self.db.session() as s:
            ids = list(s.scalars(self._due_ids(s, connector, cutoff, BATCH, after).with_for_update()))
            if not ids:
                return 0, after
            if out is not None:
                for line in self._archived(s, ids):
                    out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
                out.flush()
            s.execute(update(InboundMessage).where(InboundMessage.id.in_(ids)).values(
                body=None, headers={}, attributes=None, purged_at=now))
            s.execute(delete(SearchText).where(SearchText.message_id.in_(ids)))
            s.execute(update(CanonicalMessage).where(CanonicalMessage.message_id.in_(ids)).values(data=None))
            deliveries = select(Delivery.id).where(Delivery.message_id.in_(ids)).scalar_subquery()
            s.execute(update(Delivery).where(Delivery.message_id.in_(ids)).values(request=None))
            s.execute(update(Attempt).where(Attempt.delivery_id.in_(deliveries)).values(response_excerpt=None))
            return len(ids), ids[-1]

    @staticmethod
    def _archived(s: Any, ids: list[str]) -> list[dict[str, Any]]:
        messages = {m.id: m for m in s.scalars(select(InboundMessage).where(InboundMessage.id.in_(ids)))}
        canonicals: dict[str, list[dict[str, Any]]] = {}
        for c in s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id.in_(ids))):
            canonicals.setdefault(c.message_id, []).append(c.envelope())
        requests: dict[str, list[dict[str, Any]]] = {}
        for d in s.scalars(select(Delivery).where(Delivery.message_id.in_(ids))):
            requests.setdefault(d.message_id, []).append(
                {"delivery_id": d.id, "connector": d.connector, "operation": d.operation, "request": d.request})
        return [{"id": m.id, "connector": m.connector, "sender_id": m.sender_id, "native_type": m.native_type,
                 "received_at": m.received_at.isoformat(), "status": m.status, "headers": m.headers,
                 "attributes": m.attributes, "body": m.body, "canonical": canonicals.get(m.id, []),
                 "deliveries": requests.get(m.id, [])} for m in (messages[i] for i in ids)]
