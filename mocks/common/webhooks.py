"""Signed webhooks out of a reference system, through a transactional outbox.

A business change calls :func:`emit` in the same session, so the event is
committed with the change or not at all. A sender thread signs each event
per Standard Webhooks (the ``standardwebhooks`` library) and posts it to the
hub; short faults are retried in place (tenacity), longer outages are
rescheduled on :data:`RESCHEDULE_DELAYS_S`, and every attempt's outcome is
kept in the outbox row, exposed at ``GET /_admin/webhooks``.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from standardwebhooks.webhooks import Webhook
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from mocks.common.db import CommonBase, Database

log = logging.getLogger("mocks.webhooks")

POLL_INTERVAL_S = 0.1
SEND_TIMEOUT_S = 5.0
IN_PLACE_ATTEMPTS = 3
RESCHEDULE_DELAYS_S = (2, 5, 15, 60, 300, 1800)
"""After the in-place attempts fail: wait these in turn; after the last, the event is ``failed``."""

Envelope = Callable[[str, dict[str, Any], str, datetime], dict[str, Any]]
"""(event_type, data, event_id, occurred_at) → the system's native webhook body."""


class OutboxEvent(CommonBase):
    __tablename__ = "webhook_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(100), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id, "event_type": self.event_type, "data": self.data,
            "created_at": self.created_at.isoformat(), "status": self.status,
            "attempts": self.attempts, "last_status": self.last_status,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
        }


def emit(session: Session, event_type: str, data: dict[str, Any]) -> str:
    """Queue ``event_type`` with ``data`` for the hub, in the caller's transaction."""
    now = datetime.now(UTC)
    event_id = f"msg_{uuid.uuid4().hex}"
    session.add(OutboxEvent(event_id=event_id, event_type=event_type, data=data,
                            created_at=now, next_attempt_at=now, status="pending", attempts=0))
    return event_id


class _TransientSendError(Exception):
    pass


class WebhookSender:
    """Background thread that drains the outbox to the hub."""

    def __init__(self, db: Database, *, url: str, secret: str, envelope: Envelope):
        self.db = db
        self.url = url
        self.envelope = envelope
        self.signer = Webhook(secret)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(timeout=SEND_TIMEOUT_S)
        self.lock = threading.Lock()
        """Held while draining; a reset takes it so the tables are not dropped mid-send."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"webhooks->{self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        self._client.close()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.drain_once()
            except Exception:  # the sender must outlive any one bad row or DB hiccup
                log.exception("webhook outbox drain failed")
                sent = 0
            if not sent:
                self._wake.wait(POLL_INTERVAL_S)
                self._wake.clear()

    def drain_once(self) -> int:
        """Send every event that is due; returns how many were tried."""
        now = datetime.now(UTC)
        with self.lock, self.db.session() as session:
            due = session.scalars(
                select(OutboxEvent).where(OutboxEvent.status == "pending",
                                          OutboxEvent.next_attempt_at <= now)
                .order_by(OutboxEvent.id).limit(50)
            ).all()
            for event in due:
                if self._stop.is_set():
                    break
                self._send(event)
            return len(due)

    def _send(self, event: OutboxEvent) -> None:
        body = json.dumps(
            self.envelope(event.event_type, event.data, event.event_id, event.created_at),
            ensure_ascii=False, separators=(",", ":"),
        )
        try:
            for attempt in Retrying(stop=stop_after_attempt(IN_PLACE_ATTEMPTS),
                                    wait=wait_exponential(multiplier=0.2, max=2),
                                    retry=retry_if_exception_type(_TransientSendError),
                                    reraise=True):
                with attempt:
                    event.attempts += 1
                    self._post(event, body)
            event.status = "delivered"
            event.delivered_at = datetime.now(UTC)
            event.last_error = None
        except _TransientSendError as exc:
            event.last_error = str(exc)
            self._reschedule(event)
        except _RejectedError as exc:
            event.status = "failed"
            event.last_error = str(exc)

    def _post(self, event: OutboxEvent, body: str) -> None:
        ts = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": event.event_id,
            "webhook-timestamp": str(int(ts.timestamp())),
            "webhook-signature": self.signer.sign(event.event_id, ts, body),
        }
        try:
            resp = self._client.post(self.url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            event.last_status = None
            raise _TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        event.last_status = resp.status_code
        if resp.status_code < 300:
            return
        if resp.status_code in (408, 409, 425, 429) or resp.status_code >= 500:
            raise _TransientSendError(f"HTTP {resp.status_code}: {resp.text[:300]}")
        raise _RejectedError(f"HTTP {resp.status_code}: {resp.text[:300]}")

    @staticmethod
    def _reschedule(event: OutboxEvent) -> None:
        rounds = event.attempts // IN_PLACE_ATTEMPTS
        if rounds > len(RESCHEDULE_DELAYS_S):
            event.status = "failed"
            return
        delay = RESCHEDULE_DELAYS_S[min(rounds, len(RESCHEDULE_DELAYS_S)) - 1]
        event.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)


class _RejectedError(Exception):
    """The hub refused the event (a 4xx that retrying cannot fix)."""
