"""The ``pollers`` table: each source's watermark, health and leader lease, shared by every process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.store import Database
from hub.store.models import Poller

IDLE, POLLING, FAILING = "idle", "polling", "failing"
STATE_GAUGE = {IDLE: 0, POLLING: 1, FAILING: 2}


class LeaseLost(Exception):
    """Another process took the source over (this one stalled past its lease): its batch is not stored."""


@dataclass(frozen=True)
class PollerView:
    connector: str
    kind: str
    state: str
    watermark: Any
    leader: str | None
    lease_until: datetime | None
    last_run_at: datetime | None
    last_ok_at: datetime | None
    next_run_at: datetime | None
    failures: int
    last_error: str | None
    records: int


class PollerStore:
    def __init__(self, db: Database, *, lease_s: float):
        """``lease_s`` (``HUB_POLLER_LEASE_S``): a leader that has not renewed its lease for this long
        is replaced by another process."""
        self.db = db
        self.lease = timedelta(seconds=lease_s)

    def ensure(self, connector: str, kind: str) -> None:
        now = datetime.now(UTC)
        with self.db.session() as s:
            if s.get(Poller, connector) is not None:
                return
        try:
            with self.db.session() as s:
                s.add(Poller(connector=connector, kind=kind, state=IDLE, failures=0, records=0, updated_at=now))
        except IntegrityError:  # another process made it first
            pass

    def acquire(self, connector: str, me: str) -> bool:
        """Take or renew the lease on ``connector``'s source; False while another live process holds it."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            done = s.execute(update(Poller).where(
                Poller.connector == connector,
                or_(Poller.leader == me, Poller.leader.is_(None), Poller.lease_until < now))
                .values(leader=me, lease_until=now + self.lease, heartbeat_at=now))
            return bool(getattr(done, "rowcount", 0))

    def hold(self, s: Session, connector: str, me: str) -> None:
        """Inside a batch's transaction: renew the lease, or refuse the batch if it was lost."""
        now = datetime.now(UTC)
        done = s.execute(update(Poller).where(Poller.connector == connector, Poller.leader == me)
                         .values(lease_until=now + self.lease, heartbeat_at=now))
        if not getattr(done, "rowcount", 0):
            raise LeaseLost(f"{me} no longer holds the lease on {connector}")

    def release(self, connector: str, me: str) -> None:
        with self.db.session() as s:
            s.execute(update(Poller).where(Poller.connector == connector, Poller.leader == me)
                      .values(leader=None, lease_until=None))

    def due(self, connector: str) -> bool:
        with self.db.read() as s:
            next_run = s.scalar(select(Poller.next_run_at).where(Poller.connector == connector))
        return next_run is None or next_run <= datetime.now(UTC)

    def watermark(self, connector: str) -> Any:
        with self.db.read() as s:
            return s.scalar(select(Poller.watermark).where(Poller.connector == connector))

    def set_watermark(self, s: Session, connector: str, watermark: Any, stored: int) -> None:
        row = s.get(Poller, connector, with_for_update=True)
        if row is None:
            return
        if watermark is not None:
            row.watermark = watermark
        row.records += stored
        row.updated_at = datetime.now(UTC)

    def started(self, connector: str) -> None:
        now = datetime.now(UTC)
        with self.db.session() as s:
            s.execute(update(Poller).where(Poller.connector == connector)
                      .values(state=POLLING, last_run_at=now, updated_at=now))

    def succeeded(self, connector: str, next_in_s: float) -> None:
        now = datetime.now(UTC)
        with self.db.session() as s:
            s.execute(update(Poller).where(Poller.connector == connector).values(
                state=IDLE, failures=0, last_error=None, last_ok_at=now,
                next_run_at=now + timedelta(seconds=next_in_s), updated_at=now))

    def failed(self, connector: str, error: str, *, every_s: float, backoff_max_s: float) -> float:
        """Record a failed run; returns the back-off before the next one (every, 2×every, 4×every …, capped)."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            row = s.get(Poller, connector, with_for_update=True)
            if row is None:
                return every_s
            row.failures += 1
            wait = float(min(backoff_max_s, every_s * 2 ** (row.failures - 1)))
            row.state, row.last_error = FAILING, error[:2000]
            row.next_run_at, row.updated_at = now + timedelta(seconds=wait), now
            return wait

    def views(self) -> dict[str, PollerView]:
        with self.db.read() as s:
            return {r.connector: PollerView(
                connector=r.connector, kind=r.kind, state=r.state, watermark=(r.watermark or {}).get("value"),
                leader=r.leader, lease_until=r.lease_until, last_run_at=r.last_run_at, last_ok_at=r.last_ok_at,
                next_run_at=r.next_run_at, failures=r.failures, last_error=r.last_error, records=r.records)
                for r in s.scalars(select(Poller).order_by(Poller.connector))}
