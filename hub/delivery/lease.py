"""Leases on deliveries in flight: heartbeat while a worker holds one, give it back when it stops.

A claimed delivery is ``in_flight`` until ``lease_until`` (``HUB_LEASE_S`` from the claim). While
its worker runs it, the :class:`LeaseKeeper` of that process renews the lease every third of it,
so a slow call keeps its delivery and a killed worker's deliveries come free within a lease plus a
sweep, not after the longest possible call. Renewal stops once the delivery has run past its time
budget (every in-place call timing out, plus a lease): a call stuck past it is given up on, so
whatever waits behind it is not held forever.

The sweeper gives expired leases back (:func:`give_back`). The attempt the worker opened with
its claim stays in the log, closed as ``abandoned``: the worker stopped before or during that
call, so the target may have applied it, and the next one carries the same Idempotency-Key. It
names the call's URL when the call was built before the claim (the translating worker's first
delivery) or was made; otherwise (a delivery brought by the broker, whose worker stopped before
its call was built) it has none. A delivery whose worker held no open attempt gets an
``abandoned`` attempt without a URL. Each give-back counts as a death of the delivery's worker; a
delivery whose workers died ``HUB_MAX_WORKER_DEATHS`` times is a poison message: it is parked as
``dead`` with that reason (an operator may retry it), and stops taking workers down with it. Later
deaths wait longer, and every try after a death waits a random few seconds: deliveries that
happened to share a worker with a poison message are unlikely to share its next death too.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.ids import new_id
from hub.store import Attempt, Database, Delivery, InboundMessage
from hub.store.models import DeliveryStatus
from hub.store.status import refresh_status

log = logging.getLogger("hub.lease")

ABANDONED = "abandoned"
ABANDONED_CALL = ("abandoned: the worker stopped (killed, or past the time budget) after claiming the delivery, "
                  "before or during this call; "
                  "the target may have applied it, the next call carries the same Idempotency-Key")
ABANDONED_BEFORE_CALL = "abandoned: the worker stopped before calling (no call was made)"
DEATH_BACKOFF_S = 5.0
"""After the n-th death the delivery waits (n - 1) × this before its next try, plus a spread."""
DEATH_SPREAD_S = 3.0
"""After the n-th death a random wait of up to n × this is added."""


class LeaseKeeper:
    """Renews the leases of the deliveries this process is running, from one background thread."""

    def __init__(self, db: Database, *, lease_s: float, budget_of: Callable[[str], float]):
        self.db = db
        self.lease_s = lease_s
        self.beat_s = lease_s / 3
        self.budget_of = budget_of
        """Seconds a delivery to this connector may run (its in-place calls all timing out)."""
        self._held: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def held(self, delivery_id: str) -> Iterator[None]:
        """While the body runs, ``delivery_id``'s lease is renewed (if this worker claimed it)."""
        with self._lock:
            self._held[delivery_id] = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(delivery_id, None)

    def held_ids(self) -> list[str]:
        with self._lock:
            return list(self._held)

    def renew(self) -> int:
        """One heartbeat: extend the lease of every held delivery still in flight and within budget."""
        with self._lock:
            held = dict(self._held)
        if not held:
            return 0
        now = datetime.now(UTC)
        with self.db.session() as s:
            rows = s.execute(select(Delivery.id, Delivery.connector).where(
                Delivery.id.in_(held), Delivery.status == DeliveryStatus.IN_FLIGHT)).all()
            running = time.monotonic()
            renew = []
            for delivery_id, connector in rows:
                if running - held[delivery_id] <= self.budget_of(connector) + self.lease_s:
                    renew.append(delivery_id)
                else:
                    log.warning("delivery %s is past its time budget: its lease is no longer renewed", delivery_id)
            if renew:
                s.execute(update(Delivery).where(Delivery.id.in_(renew), Delivery.status == DeliveryStatus.IN_FLIGHT)
                          .values(lease_until=now + timedelta(seconds=self.lease_s)))
        return len(renew)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="hub-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.beat_s):
            try:
                self.renew()
            except Exception:  # the database may be away for a moment; the next beat tries again
                log.exception("lease heartbeat failed")


def give_back(s: Session, now: datetime, *, limit: int, max_deaths: int) -> list[tuple[str, float]]:
    """Free the deliveries whose lease expired; return (id, seconds until due) of those tried again.

    Each one's open attempt is closed as abandoned (or an abandoned attempt is recorded when no
    call was opened), and it is due again after a short random wait — or ``dead`` when its
    workers died ``max_deaths`` times. The random wait spreads the deliveries a dead worker held,
    so those that shared it with a poison message do not meet that message again.
    """
    expired = list(s.scalars(select(Delivery).where(
        Delivery.status == DeliveryStatus.IN_FLIGHT, Delivery.lease_until < now)
        .order_by(Delivery.lease_until).limit(limit).with_for_update(skip_locked=True)))
    due: list[tuple[str, float]] = []
    for d in expired:
        deaths = _abandon_attempt(s, d, now) + 1
        d.lease_until = None
        d.updated_at = now
        if deaths >= max_deaths:
            d.status = DeliveryStatus.DEAD
            d.last_error = (f"parked as a poison message: its worker stopped {deaths} times while delivering it "
                            f"(killed, or past its time budget)")
            s.get(InboundMessage, d.message_id, with_for_update=True)  # serialise the status roll-up
            s.flush()
            refresh_status(s, d.message_id)
            log.warning("delivery %s is dead: %s", d.id, d.last_error)
            continue
        wait_s = DEATH_BACKOFF_S * (deaths - 1) + random.uniform(0, DEATH_SPREAD_S * deaths)
        d.status = DeliveryStatus.RETRYING
        d.last_error = f"its worker stopped during delivery ({deaths} time(s)); given back"
        d.next_attempt_at = now + timedelta(seconds=wait_s)
        due.append((d.id, wait_s))
    return due


def _abandon_attempt(s: Session, d: Delivery, now: datetime) -> int:
    """Close ``d``'s open attempt as abandoned (or record one); return its deaths before this one."""
    before = int(s.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.delivery_id == d.id, Attempt.outcome == ABANDONED)) or 0)
    open_ = s.scalars(select(Attempt).where(Attempt.delivery_id == d.id, Attempt.outcome == "in_flight")
                      .order_by(Attempt.number.desc())).first()
    if open_ is not None:
        open_.outcome = ABANDONED
        open_.error = ABANDONED_CALL
        open_.duration_ms = max(0.0, (now - _aware(open_.started_at)).total_seconds() * 1000)
    else:
        d.attempts += 1
        s.add(Attempt(id=new_id(), delivery_id=d.id, number=d.attempts, started_at=now, duration_ms=0.0,
                      outcome=ABANDONED, error=ABANDONED_BEFORE_CALL))
    return before


def _aware(t: datetime) -> datetime:
    """SQLite gives datetimes back without their zone (stored as UTC)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
