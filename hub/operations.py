"""The operations service: find messages, look inside them, replay, retry, pause.

Everything an admin does goes through here — the API routers and the
dashboard are thin faces over these methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from hub.delivery.circuit import CircuitStore
from hub.errors import NotFound, PayloadPurged
from hub.ids import new_id
from hub.masking import Redactor, mask
from hub.pause import PauseState
from hub.registry import Registry
from hub.search import DEFAULT_PAGE, MAX_PAGE, MessageFilter, MessageSearch, summary
from hub.store import Attempt, CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus
from hub.store.status import refresh_status
from hub.translate import Translator
from hub.views import (
    ActionResult,
    AttemptView,
    BulkResult,
    CanonicalView,
    DeliveryPage,
    DeliveryView,
    EchoView,
    FailedRecordView,
    MessageDetail,
    MessagePage,
    MessageSummary,
)
from hub.workers.poison import POISON_KIND

RETRYABLE = (DeliveryStatus.DEAD, DeliveryStatus.REJECTED, DeliveryStatus.RETRYING, DeliveryStatus.PAUSED)


__all__ = ["Operations", "MessageFilter", "delivery_filter", "mask"]


@dataclass(frozen=True)
class CircuitReset:
    connector: str
    was: str
    """The circuit's state before the reset: closed | half_open | open."""
    released: int
    """Parked deliveries sent at once."""


class Operations:
    def __init__(self, *, db: Database, registry: Registry, translator: Translator, pauses: PauseState,
                 enqueue_translate: Callable[[str], None], enqueue_delivery: Callable[[str], None],
                 circuits: CircuitStore | None = None):
        self.db = db
        self.circuits = circuits
        self.registry = registry
        self.translator = translator
        self.pauses = pauses
        self.enqueue_translate = enqueue_translate
        self.enqueue_delivery = enqueue_delivery

    # ------------------------------------------------------------------ reading
    def list_messages(self, f: MessageFilter, *, limit: int = DEFAULT_PAGE, cursor: str | None = None) -> MessagePage:
        """Newest first; ``f.q`` also finds a business key in raw bodies and payloads (see hub.search)."""
        return MessageSearch(self.db).find(f, limit=limit, cursor=cursor)

    def get_message(self, message_id: str) -> MessageDetail:
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id)
            if msg is None:
                raise NotFound(f"no message {message_id}")
            canonicals = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == msg.id)
                                        .order_by(CanonicalMessage.created_at, CanonicalMessage.seq)))
            deliveries = list(s.scalars(select(Delivery).where(Delivery.message_id == msg.id)
                                        .order_by(Delivery.created_at, Delivery.element)))
            failed = [c for c in canonicals if c.current and c.status == MessageStatus.FAILED]
            canonicals = [c for c in canonicals if c.error is None]  # a failed record's row is not a message
            current = [c for c in canonicals if c.current]
            masked = self._masked_fields(msg.connector)
            # Stored errors are written masked; this also covers those stored before, and other connectors' keys.
            redact = Redactor.of(self.registry.masked_fields(msg.connector, *{d.connector for d in deliveries}),
                                 msg.body, *(c.data for c in canonicals))
            line = summary(msg, current[0] if current else None, len(current) + len(failed))
            return MessageDetail(
                **line.model_copy(update={"error": redact.optional(line.error)}).model_dump(),
                mode=msg.mode, sender_id=msg.sender_id, headers=msg.headers, purged_at=msg.purged_at,
                body=mask(msg.body, masked), error_detail=redact.json(msg.error_detail),
                canonical=[CanonicalView(id=c.id, seq=c.seq, current=c.current, status=c.status, mapping=c.mapping,
                                         no_route=c.no_route,
                                         echo_of=EchoView(connector=msg.connector, **c.echo_of) if c.echo_of else None,
                                         envelope=mask(c.envelope(), masked)) for c in canonicals],
                failed_records=[FailedRecordView(message_id=msg.id, index=c.seq, canonical_id=c.id,
                                                 error=redact.optional(c.error) or "",
                                                 error_detail=redact.json(c.error_detail),
                                                 record=mask(c.data, masked), mapping=c.mapping)
                                for c in sorted(failed, key=lambda c: c.seq)],
                deliveries=[self._delivery_view(d, with_attempts=True, redact=redact) for d in deliveries])

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
        """Every current canonical message of one transaction, in business time (a split's parts each)."""
        q = (select(InboundMessage, CanonicalMessage)
             .join(CanonicalMessage, CanonicalMessage.message_id == InboundMessage.id)
             .where(CanonicalMessage.correlation_id == correlation_id, CanonicalMessage.current)
             .order_by(CanonicalMessage.time, InboundMessage.id, CanonicalMessage.seq))
        with self.db.session() as s:
            # a step is one canonical message: its own state (a masterdata.changed nobody receives is
            # no_route beside its reason, whatever happened to its siblings), else the message's
            return [summary(m, c).model_copy(update={"status": c.status or m.status}) for m, c in s.execute(q).all()]

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
    def replay_message(self, message_id: str, *, remap: bool = False, to: str | None = None) -> ActionResult:
        """Send the message again: re-route its canonical form (to every subscriber, or only to connector
        ``to``), or (``remap`` / no canonical form yet) translate the raw message again with the current
        inbound mapping."""
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id)
            if msg is None:
                raise NotFound(f"no message {message_id}")
            _refuse_purged(msg)
            has_canonical = s.scalar(select(CanonicalMessage.id).where(  # a failed record's row is no canonical form
                CanonicalMessage.message_id == message_id, CanonicalMessage.current,
                CanonicalMessage.error.is_(None)).limit(1)) is not None
            translate_again = remap or not has_canonical
            poison = (msg.error_detail or {}).get("kind") == POISON_KIND
            if translate_again:
                msg.status = MessageStatus.RECEIVED
                msg.translation_starts = 0
                msg.updated_at = datetime.now(UTC)
        if translate_again and poison:  # its translation killed workers: never in this process
            self.enqueue_translate(message_id)
            return ActionResult(id=message_id, status=MessageStatus.RECEIVED,
                                detail="queued for a worker to translate again (its translation killed workers)")
        if translate_again:
            status = self.translator.translate(message_id) or MessageStatus.RECEIVED
            return ActionResult(id=message_id, status=status, detail="translated again with the current mapping")
        ids = self.translator.reroute(message_id, to=to)
        return ActionResult(id=message_id, status=MessageStatus.DELIVERING if ids else MessageStatus.NO_ROUTE,
                            detail=f"{len(ids)} new delivery(ies)", deliveries=ids)

    def replay_record(self, message_id: str, index: int) -> ActionResult:
        """Map one failed record of a split batch again with the current mapping and send it; the records
        already delivered are not sent again (:meth:`hub.translate.Translator.replay_record`)."""
        with self.db.read() as s:
            msg = s.get(InboundMessage, message_id)
            if msg is None:
                raise NotFound(f"no message {message_id}")
            _refuse_purged(msg)
        done = self.translator.replay_record(message_id, index)
        detail = (f"record [{index}] failed again: {done.error}" if done.error is not None
                  else f"record [{index}] mapped again: {len(done.deliveries)} new delivery(ies)")
        return ActionResult(id=message_id, status=done.status, detail=detail, deliveries=done.deliveries)

    def retry_delivery(self, delivery_id: str) -> ActionResult:
        """Try a dead, rejected, paused or waiting delivery again now, with a fresh schedule."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            if d is None:
                raise NotFound(f"no delivery {delivery_id}")
            if d.status not in RETRYABLE:
                return ActionResult(id=d.id, status=d.status, detail=f"a {d.status} delivery is not retried")
            msg = s.get(InboundMessage, d.message_id, with_for_update=True)
            if msg is not None:
                _refuse_purged(msg)
            if d.status == DeliveryStatus.REJECTED:
                again = _fresh_copy(d, now)  # a new id, so a new Idempotency-Key (see _fresh_copy)
                s.add(again)
                retried = again.id
                detail = f"queued as a new delivery {again.id} (the rejected call's key is not reused)"
            else:
                d.status, d.rounds, d.next_attempt_at, d.updated_at = DeliveryStatus.PENDING, 0, now, now
                retried, detail = d.id, "queued"
            s.flush()
            refresh_status(s, d.message_id)
        self.enqueue_delivery(retried)
        return ActionResult(id=retried, status=DeliveryStatus.PENDING, detail=detail,
                            deliveries=[retried] if retried != delivery_id else [])

    def bulk_retry(self, *, status: str = DeliveryStatus.DEAD, connector: str | None = None,
                   error_contains: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = 1000) -> BulkResult:
        q = select(Delivery.id).where(*delivery_filter(status=status, connector=connector,
                                                       error_contains=error_contains, since=since, until=until))
        with self.db.session() as s:
            ids = list(s.scalars(q.order_by(Delivery.id).limit(limit)))
        results = []
        for i in ids:
            try:
                results.append(self.retry_delivery(i))
            except PayloadPurged:  # retention removed what it would send; the others go on
                continue
        retried = [r.id for r in results if r.status == DeliveryStatus.PENDING]
        return BulkResult(matched=len(ids), retried=len(retried), ids=retried)

    def set_paused(self, connector: str, paused: bool, *, by: str | None = None) -> int:
        """Pause or resume delivery to ``connector``; resuming re-queues what waited. Returns that count."""
        if self.registry.connector(connector) is None:
            raise NotFound(f"no connector {connector}")
        waiting = self.pauses.set(connector, paused, by=by)
        for i in waiting:
            self.enqueue_delivery(i)
        return len(waiting)

    def reset_circuit(self, connector: str) -> CircuitReset:
        """Close ``connector``'s circuit breaker now and send the deliveries waiting to retry at once.

        For an operator who knows the system is back before the cool-down ends; the next failures
        count from zero. 404 when the connector declares no ``circuit_breaker``.
        """
        c = self.registry.connector(connector)
        if c is None or c.circuit_breaker is None or self.circuits is None:
            raise NotFound(f"no circuit breaker for connector {connector}")
        before = self.circuits.reset(connector)
        now = datetime.now(UTC)
        with self.db.session() as s:
            parked = list(s.scalars(select(Delivery.id).where(  # parked by it, or backing off after the
                Delivery.connector == connector, Delivery.status == DeliveryStatus.RETRYING,  # failures that
                Delivery.next_attempt_at > now)))                                             # opened it
            if parked:
                s.execute(update(Delivery).where(Delivery.id.in_(parked)).values(next_attempt_at=now, updated_at=now))
        for i in parked:
            self.enqueue_delivery(i)
        return CircuitReset(connector=connector, was=before.effective(now), released=len(parked))

    def is_paused(self, connector: str) -> bool:
        return self.pauses.is_paused(connector)

    # ------------------------------------------------------------------ helpers
    def _masked_fields(self, connector: str) -> frozenset[str]:
        return self.registry.masked_fields(connector)

    def _delivery_view(self, d: Delivery, *, with_attempts: bool, redact: Redactor | None = None) -> DeliveryView:
        masked = self._masked_fields(d.connector)
        redact = redact or Redactor()
        return DeliveryView(
            id=d.id, message_id=d.message_id, canonical_id=d.canonical_id, connector=d.connector,
            operation=d.operation, element=d.element, tap=bool(d.tap), status=d.status, attempts=d.attempts,
            rounds=d.rounds,
            next_attempt_at=d.next_attempt_at, last_error=redact.optional(d.last_error),
            last_status_code=d.last_status_code,
            request=mask(d.request, masked), created_at=d.created_at, delivered_at=d.delivered_at,
            attempt_log=[_attempt_view(a, redact) for a in d.attempt_log] if with_attempts else [])


def _refuse_purged(msg: InboundMessage) -> None:
    if msg.purged_at is not None:
        raise PayloadPurged(f"message {msg.id}'s payloads were purged by retention on {msg.purged_at:%Y-%m-%d}: "
                            "nothing is left to send (its archive holds them)", purged_at=msg.purged_at.isoformat())


def _attempt_view(a: Attempt, redact: Redactor) -> AttemptView:
    view = AttemptView.model_validate(a, from_attributes=True)
    if not redact:
        return view
    return view.model_copy(update={"error": redact.optional(view.error),
                                   "response_excerpt": redact.optional(view.response_excerpt)})


def _fresh_copy(d: Delivery, now: datetime) -> Delivery:
    """A rejected delivery tried again after its cause was fixed (a mapping, master data) may send a
    different body; targets refuse a reused Idempotency-Key with another body (and a rejected call
    was not applied), so it goes as a new delivery under a new key. The roll-up counts the newest
    delivery per operation, so the rejected one is superseded."""
    values = {c.key: getattr(d, c.key) for c in Delivery.__table__.columns}
    values.update(id=new_id(), status=DeliveryStatus.PENDING, attempts=0, rounds=0, next_attempt_at=now,
                  lease_until=None, last_error=None, last_status_code=None, request=None, created_at=now,
                  updated_at=now, delivered_at=None)
    return Delivery(**values)


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
