"""The sweeper: re-enqueue work that was committed but that no worker picked up.

A crash between commit and enqueue, a lost broker message, a worker killed
mid-delivery: the database still says what is due, and the sweeper, running
every ``HUB_SWEEP_INTERVAL_S``, enqueues it again (an expired lease is given
back first, :func:`hub.delivery.lease.give_back`). It also completes the
aggregates whose ``timeout`` has passed (:meth:`hub.aggregator.Aggregator.expire`). Enqueueing twice is safe:
a delivery is claimed before it runs, so a duplicate does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.delivery.claims import CLAIM_SKEW_S
from hub.delivery.lease import give_back
from hub.settings import DEFAULT_MAX_WORKER_DEATHS
from hub.store import Database, Delivery, InboundMessage
from hub.store.models import ConnectorState, DeliveryStatus, MessageStatus

log = logging.getLogger("hub.sweeper")
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Swept:
    messages: int
    deliveries: int
    leases: int
    aggregates: int = 0
    """Aggregates completed by their timeout (each made a message, enqueued for translation)."""


class Sweeper:
    def __init__(self, *, db: Database, grace_s: float, interval_s: float,
                 enqueue_translate: Callable[[str], None], enqueue_delivery: Callable[[str], None],
                 max_worker_deaths: int = DEFAULT_MAX_WORKER_DEATHS,
                 expire_aggregates: Callable[[], list[str]] | None = None,
                 jobs: list[tuple[str, Callable[[], object]]] | None = None,
                 enqueue_delivery_later: Callable[[str, float], None] | None = None):
        self.db = db
        self.enqueue_delivery_later = enqueue_delivery_later
        self.jobs = jobs if jobs is not None else []
        """Periodic work run after each sweep (reconciliation, retention); each decides itself whether it is due."""
        self.max_worker_deaths = max_worker_deaths
        self.grace = timedelta(seconds=grace_s)
        self.interval_s = interval_s
        self.enqueue_translate = enqueue_translate
        self.enqueue_delivery = enqueue_delivery
        self.expire_aggregates = expire_aggregates
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep_once(self) -> Swept:
        now = datetime.now(UTC)
        cutoff = now - self.grace
        with self.db.session() as s:
            expired = give_back(s, now, limit=SWEEP_BATCH, max_deaths=self.max_worker_deaths)
            messages = list(s.scalars(select(InboundMessage.id).where(
                InboundMessage.status == MessageStatus.RECEIVED, InboundMessage.updated_at < cutoff)
                .limit(SWEEP_BATCH)))
            deliveries: list[str] = []
            later: list[tuple[str, float]] = []  # given back with a wait: sent to the broker with that delay
            for did, wait_s in expired:
                if wait_s > CLAIM_SKEW_S and self.enqueue_delivery_later is not None:
                    later.append((did, wait_s))
                else:
                    deliveries.append(did)
            deliveries += list(s.scalars(select(Delivery.id).where(
                Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                Delivery.next_attempt_at < cutoff).limit(SWEEP_BATCH)))
            deliveries += _stranded(s, now, cutoff)
        leases = len(expired)
        made = self.expire_aggregates() if self.expire_aggregates is not None else []
        for mid in [*messages, *made]:
            self.enqueue_translate(mid)
        for did in deliveries:
            self.enqueue_delivery(did)
        for did, wait_s in later:
            assert self.enqueue_delivery_later is not None
            self.enqueue_delivery_later(did, wait_s)
        if messages or deliveries or leases or made:
            log.info("sweeper re-enqueued %d message(s), %d delivery(ies); %d lease(s) expired; "
                     "%d aggregate(s) timed out", len(messages), len(deliveries), leases, len(made))
        return Swept(len(messages), len(deliveries), leases, len(made))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hub-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep_once()
            except Exception:  # the sweeper must outlive a database hiccup
                log.exception("sweep failed")
            self.run_jobs()

    def run_jobs(self) -> None:
        for name, job in self.jobs:
            if self._stop.is_set():
                return
            try:
                job()
            except Exception:  # one failing job must not stop the others, nor the sweeps
                log.exception("periodic job %s failed", name)


def _stranded(s: Session, now: datetime, cutoff: datetime) -> list[str]:
    """Deliveries held for a connector that is no longer paused, made pending again.

    A worker reads the pause through a short cache (:mod:`hub.pause`): one that still believed the
    connector paused after another process resumed it parks the delivery it claimed after the resume
    released the others, and nothing would wake it.
    """
    held = list(s.scalars(select(Delivery.id).where(
        Delivery.status == DeliveryStatus.PAUSED, Delivery.updated_at < cutoff,
        Delivery.connector.not_in(select(ConnectorState.name).where(ConnectorState.paused)))
        .limit(SWEEP_BATCH)))
    if held:
        s.execute(update(Delivery).where(Delivery.id.in_(held), Delivery.status == DeliveryStatus.PAUSED)
                  .values(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now))
    return held
