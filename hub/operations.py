"""The operations service: find messages, look inside them, replay, retry, pause.

Everything an admin does goes through here — the API routers and the
dashboard are thin faces over these methods.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from hub.delivery.service import refresh_message_status
from hub.errors import NotFound
from hub.registry import Registry
from hub.safejson import MAX_JSON_DEPTH, TOO_DEEP
from hub.store import CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.models import ConnectorState, DeliveryStatus, MessageStatus
from hub.translate import Translator
from hub.views import (ActionResult, AttemptView, BulkResult, CanonicalView, DeliveryPage, DeliveryView,
                       MessageDetail, MessagePage, MessageSummary)

DEFAULT_PAGE = 50
MAX_PAGE = 500
PAUSE_CACHE_S = 1.0
MASK = "***"
RETRYABLE = (DeliveryStatus.DEAD, DeliveryStatus.REJECTED, DeliveryStatus.RETRYING, DeliveryStatus.PAUSED)


@dataclass(frozen=True)
class MessageFilter:
    type: str | None = None
    status: str | None = None
    connector: str | None = None
    subject: str | None = None
    correlation_id: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class Operations:
    def __init__(self, *, db: Database, registry: Registry, translator: Translator,
                 enqueue_translate: Callable[[str], None], enqueue_delivery: Callable[[str], None]):
        self.db = db
        self.registry = registry
        self.translator = translator
        self.enqueue_translate = enqueue_translate
        self.enqueue_delivery = enqueue_delivery
        self._paused: dict[str, bool] = {}
        self._paused_at = 0.0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ reading
    def list_messages(self, f: MessageFilter, *, limit: int = DEFAULT_PAGE, cursor: str | None = None) -> MessagePage:
        """Newest first; ``f.q`` also finds a business key in raw bodies and payloads (see hub.search)."""
        from hub.search import MessageSearch  # search builds on this module's views

        return MessageSearch(self.db).find(f, limit=limit, cursor=cursor)

    def get_message(self, message_id: str) -> MessageDetail:
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id)
            if msg is None:
                raise NotFound(f"no message {message_id}")
            canonicals = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == msg.id)
                                        .order_by(CanonicalMessage.created_at)))
            deliveries = list(s.scalars(select(Delivery).where(Delivery.message_id == msg.id)
                                        .order_by(Delivery.created_at)))
            current = next((c for c in canonicals if c.id == msg.canonical_id), None)
            masked = self._masked_fields(msg.connector)
            return MessageDetail(
                **_summary(msg, current).model_dump(),
                mode=msg.mode, sender_id=msg.sender_id, headers=msg.headers,
                body=mask(msg.body, masked), error_detail=msg.error_detail,
                canonical=[CanonicalView(id=c.id, current=c.id == msg.canonical_id, mapping=c.mapping,
                                         envelope=mask(c.envelope(), masked)) for c in canonicals],
                deliveries=[self._delivery_view(d, with_attempts=True) for d in deliveries])

    def list_deliveries(self, *, status: str | None = None, connector: str | None = None,
                        limit: int = DEFAULT_PAGE, cursor: str | None = None) -> DeliveryPage:
        limit = max(1, min(limit, MAX_PAGE))
        q = select(Delivery)
        if status:
            q = q.where(Delivery.status == status)
        if connector:
            q = q.where(Delivery.connector == connector)
        if cursor:
            q = q.where(Delivery.id < cursor)
        with self.db.session() as s:
            rows = list(s.scalars(q.order_by(Delivery.id.desc()).limit(limit + 1)))
            items = [self._delivery_view(d, with_attempts=False) for d in rows[:limit]]
        return DeliveryPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)

    def trace(self, correlation_id: str) -> list[MessageSummary]:
        q = (select(InboundMessage, CanonicalMessage)
             .join(CanonicalMessage, CanonicalMessage.id == InboundMessage.canonical_id)
             .where(CanonicalMessage.correlation_id == correlation_id)
             .order_by(CanonicalMessage.time, InboundMessage.id))
        with self.db.session() as s:
            return [_summary(m, c) for m, c in s.execute(q).all()]

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return dict(s.execute(select(InboundMessage.status, func.count()).group_by(InboundMessage.status)).all())

    def delivery_depth(self) -> dict[tuple[str, str], int]:
        with self.db.session() as s:
            rows = s.execute(select(Delivery.connector, Delivery.status, func.count())
                             .where(Delivery.status.in_(DeliveryStatus.OPEN + (DeliveryStatus.DEAD,)))
                             .group_by(Delivery.connector, Delivery.status)).all()
        return {(c, st): n for c, st, n in rows}

    # ------------------------------------------------------------------ acting
    def replay_message(self, message_id: str, *, remap: bool = False) -> ActionResult:
        """Send the message again: re-route its canonical form, or (``remap`` / no canonical
        form yet) translate the raw message again with the current inbound mapping."""
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id)
            if msg is None:
                raise NotFound(f"no message {message_id}")
            translate_again = remap or msg.canonical_id is None
            if translate_again:
                msg.status = MessageStatus.RECEIVED
                msg.updated_at = datetime.now(UTC)
        if translate_again:
            status = self.translator.translate(message_id) or MessageStatus.RECEIVED
            return ActionResult(id=message_id, status=status, detail="translated again with the current mapping")
        ids = self.translator.reroute(message_id)
        return ActionResult(id=message_id, status=MessageStatus.DELIVERING if ids else MessageStatus.NO_ROUTE,
                            detail=f"{len(ids)} new delivery(ies)", deliveries=ids)

    def retry_delivery(self, delivery_id: str) -> ActionResult:
        """Try a dead, rejected, paused or waiting delivery again now, with a fresh schedule."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            if d is None:
                raise NotFound(f"no delivery {delivery_id}")
            if d.status not in RETRYABLE:
                return ActionResult(id=d.id, status=d.status, detail=f"a {d.status} delivery is not retried")
            s.get(InboundMessage, d.message_id, with_for_update=True)
            d.status, d.rounds, d.next_attempt_at, d.updated_at = DeliveryStatus.PENDING, 0, now, now
            s.flush()
            refresh_message_status(s, d.message_id)
        self.enqueue_delivery(delivery_id)
        return ActionResult(id=delivery_id, status=DeliveryStatus.PENDING, detail="queued")

    def bulk_retry(self, *, status: str = DeliveryStatus.DEAD, connector: str | None = None,
                   error_contains: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000) -> BulkResult:
        q = select(Delivery.id).where(*delivery_filter(status=status, connector=connector,
                                                       error_contains=error_contains, since=since, until=until))
        with self.db.session() as s:
            ids = list(s.scalars(q.order_by(Delivery.id).limit(limit)))
        retried = [i for i in ids if self.retry_delivery(i).status == DeliveryStatus.PENDING]
        return BulkResult(matched=len(ids), retried=len(retried), ids=retried)

    def set_paused(self, connector: str, paused: bool, *, by: str | None = None) -> int:
        """Pause or resume delivery to ``connector``; resuming re-queues what waited. Returns that count."""
        if self.registry.connector(connector) is None:
            raise NotFound(f"no connector {connector}")
        now = datetime.now(UTC)
        with self.db.session() as s:
            state = s.get(ConnectorState, connector) or ConnectorState(name=connector, updated_at=now)
            state.paused, state.updated_at, state.updated_by = paused, now, by
            s.add(state)
            waiting: list[str] = []
            if not paused:
                waiting = list(s.scalars(select(Delivery.id).where(Delivery.connector == connector,
                                                                   Delivery.status == DeliveryStatus.PAUSED)))
                if waiting:
                    s.execute(update(Delivery).where(Delivery.id.in_(waiting))
                              .values(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now))
        with self._lock:
            self._paused_at = 0.0
        for i in waiting:
            self.enqueue_delivery(i)
        return len(waiting)

    def is_paused(self, connector: str) -> bool:
        with self._lock:
            if time.monotonic() - self._paused_at > PAUSE_CACHE_S:
                with self.db.session() as s:
                    self._paused = {st.name: st.paused for st in s.scalars(select(ConnectorState))}
                self._paused_at = time.monotonic()
            return self._paused.get(connector, False)

    # ------------------------------------------------------------------ helpers
    def _masked_fields(self, connector: str) -> frozenset[str]:
        c = self.registry.connector(connector)
        return frozenset(c.masked_fields) if c else frozenset()

    def _delivery_view(self, d: Delivery, *, with_attempts: bool) -> DeliveryView:
        masked = self._masked_fields(d.connector)
        return DeliveryView(
            id=d.id, message_id=d.message_id, canonical_id=d.canonical_id, connector=d.connector,
            operation=d.operation, status=d.status, attempts=d.attempts, rounds=d.rounds,
            next_attempt_at=d.next_attempt_at, last_error=d.last_error, last_status_code=d.last_status_code,
            request=mask(d.request, masked), created_at=d.created_at, delivered_at=d.delivered_at,
            attempt_log=[AttemptView.model_validate(a, from_attributes=True) for a in d.attempt_log]
            if with_attempts else [])


def delivery_filter(*, status: str, connector: str | None = None, error_contains: str | None = None,
                    since: datetime | None = None, until: datetime | None = None) -> list[Any]:
    """The conditions of a bulk retry — shared with the count shown before one is confirmed."""
    conditions: list[Any] = [Delivery.status == status]
    if connector:
        conditions.append(Delivery.connector == connector)
    if error_contains:
        conditions.append(Delivery.last_error.like(f"%{error_contains}%"))
    if since:
        conditions.append(Delivery.updated_at >= since)
    if until:
        conditions.append(Delivery.updated_at < until)
    return conditions


def _summary(m: InboundMessage, c: CanonicalMessage | None) -> MessageSummary:
    return MessageSummary(id=m.id, connector=m.connector, native_type=m.native_type,
                          type=c.type if c else None, subject=c.subject if c else None,
                          correlation_id=c.correlation_id if c else None, status=m.status, error=m.error,
                          received_at=m.received_at, updated_at=m.updated_at)


def mask(value: Any, fields: frozenset[str]) -> Any:
    """A copy of ``value`` for showing: every key in ``fields`` as ``***``, and whatever lies deeper
    than :data:`~hub.safejson.MAX_JSON_DEPTH` as a note (bodies stored before ingest refused them).

    Iterative, so no stored value can exhaust the stack.
    """
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 1)]
    while stack:
        node, parent, slot, depth = stack.pop()
        if isinstance(node, (dict, list)) and depth > MAX_JSON_DEPTH:
            parent[slot] = TOO_DEEP
        elif isinstance(node, dict):
            copy: dict[str, Any] = {}
            parent[slot] = copy
            for k, v in node.items():
                if k in fields and v is not None:
                    copy[k] = MASK
                else:
                    copy[k] = None
                    stack.append((v, copy, k, depth + 1))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((v, items, i, depth + 1) for i, v in enumerate(node))
        else:
            parent[slot] = node
    return root[0]
