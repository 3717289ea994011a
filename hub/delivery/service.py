"""Deliver one delivery: map, call, record every attempt, and decide what comes next.

The worker calls :meth:`Deliverer.deliver`. It claims the delivery (so a
duplicate enqueue does nothing), applies the target's outbound mapping with
ids translated through the cross-reference, and calls the target with
``Idempotency-Key`` = delivery id, a Standard Webhooks signature and a
``traceparent``. Every call is an :class:`~hub.store.Attempt`. The answer is
one of :class:`Outcome`: done, or "reschedule in N seconds" (the worker turns
that into a dramatiq retry with that delay).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.connectors import Connector, Operation
from hub.delivery import policy
from hub.delivery.calls import outbound_call, revealed_links
from hub.delivery.client import OutboundClient
from hub.envelope import child_traceparent
from hub.errors import ConfigError, DeliveryError, MappingError, RejectedDelivery, TransientDeliveryError, XrefMissing
from hub.ids import new_id
from hub.mapping.functions import XrefResolver, hub_functions
from hub.registry import Registry
from hub.settings import Settings
from hub.store import Attempt, CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus
from hub.xref import link_in

log = logging.getLogger("hub.delivery")

ORDERING_WAIT_S = 1.0
"""How soon a delivery waiting for an earlier one with the same ordering key looks again."""
UNTRANSLATED_WAIT_LIMIT = timedelta(minutes=5)
"""An untranslated earlier message holds keyed deliveries this long at most (the sweeper re-queues it)."""
CLAIM_SKEW_S = 1.0
"""A delivery may be claimed this early: broker delays and clocks are not exact."""
LEASE_MARGIN_S = 30.0
"""A claimed delivery whose worker vanished is given back after its time budget plus this."""

Observer = Callable[[str, str, float | None], None]
"""(connector, outcome, duration_ms) — metrics; an observer's failure never stops delivery."""


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in_s: float | None = None


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: Any
    headers: dict[str, str]
    retry_statuses: frozenset[int] = frozenset()
    source: str = ""


class Deliverer:
    def __init__(self, *, db: Database, registry: Registry, settings: Settings, client: OutboundClient,
                 xref: XrefResolver, is_paused: Callable[[str], bool], observers: list[Observer] | None = None):
        self.db = db
        self.registry = registry
        self.settings = settings
        self.client = client
        self.xref = xref
        self.is_paused = is_paused
        self.observers = observers or []

    # ------------------------------------------------------------------ the one entry point
    def deliver(self, delivery_id: str) -> Outcome | None:
        """Run one round for ``delivery_id``; None if it was not due or already taken."""
        claimed = self._claim(delivery_id)
        if not isinstance(claimed, str):
            return claimed  # not due, taken, or held behind an earlier delivery
        connector = self.registry.connector(claimed)
        if connector is None:
            return self._finish(delivery_id, DeliveryStatus.DEAD,
                                error=f"connector {claimed!r} is no longer configured")
        if self.is_paused(claimed):
            return self._finish(delivery_id, DeliveryStatus.PAUSED, error=None)
        try:
            request = self.build_request(delivery_id)
        except XrefMissing as exc:
            self._record(delivery_id, None, outcome="waiting", error=str(exc))
            return self._reschedule(delivery_id, connector, str(exc), None)
        except (MappingError, ConfigError) as exc:
            self._record(delivery_id, None, outcome="mapping_error", error=str(exc))
            return self._finish(delivery_id, DeliveryStatus.DEAD, error=f"outbound mapping failed: {exc}")
        try:
            for attempt in policy.in_place(connector.retry):
                with attempt:
                    self._call(delivery_id, connector, request)
        except RejectedDelivery as exc:
            return self._finish(delivery_id, DeliveryStatus.REJECTED, error=str(exc), status_code=exc.status_code)
        except TransientDeliveryError as exc:
            return self._reschedule(delivery_id, connector, str(exc), exc.retry_after_s, exc.status_code)
        return self._finish(delivery_id, DeliveryStatus.DELIVERED, error=None)

    # ------------------------------------------------------------------ steps
    def _claim(self, delivery_id: str) -> str | Outcome | None:
        """Take a due delivery under a lease and return its connector's name.

        None when it is not due or another worker has it; an Outcome when it must wait for
        something that arrived before it (see :meth:`_has_predecessor`).
        """
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            if (d is None or d.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
                    or d.next_attempt_at > now + timedelta(seconds=CLAIM_SKEW_S)):
                return None
            if d.ordering_key is not None and self._has_predecessor(s, d):
                d.next_attempt_at = now + timedelta(seconds=ORDERING_WAIT_S)
                return Outcome(DeliveryStatus.RETRYING, ORDERING_WAIT_S)
            connector = self.registry.connector(d.connector)
            budget = (connector.timeout * connector.retry.in_place_attempts + connector.retry.in_place_max
                      if connector else 0)
            claimed = s.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id,
                       Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                       Delivery.next_attempt_at <= now + timedelta(seconds=CLAIM_SKEW_S))
                .values(status=DeliveryStatus.IN_FLIGHT, updated_at=now,
                        lease_until=now + timedelta(seconds=budget + LEASE_MARGIN_S))
            ).rowcount
            return d.connector if claimed == 1 else None

    @staticmethod
    def _has_predecessor(s: Session, d: Delivery) -> bool:
        """Whether something that arrived before this keyed delivery may still have to go first.

        That is an open delivery to the same system with the same ordering key, or an earlier
        message from the same sender that is not translated yet (its key is not known until it
        is, and two events about one document often arrive back to back).
        """
        earlier = s.scalar(select(Delivery.id).where(
            Delivery.connector == d.connector, Delivery.ordering_key == d.ordering_key,
            Delivery.message_id < d.message_id, Delivery.status.in_(DeliveryStatus.OPEN)).limit(1))
        if earlier is not None:
            return True
        sender = select(InboundMessage.connector).where(InboundMessage.id == d.message_id)
        return s.scalar(select(InboundMessage.id).where(
            InboundMessage.status == MessageStatus.RECEIVED,
            InboundMessage.received_at >= datetime.now(UTC) - UNTRANSLATED_WAIT_LIMIT,
            InboundMessage.connector == sender.scalar_subquery(),
            InboundMessage.id < d.message_id).limit(1)) is not None

    def build_request(self, delivery_id: str) -> Request:
        """The call this delivery makes, with the current mapping."""
        with self.db.read() as s:
            d = s.get(Delivery, delivery_id)
            canonical = s.get(CanonicalMessage, d.canonical_id)
            origin = s.scalar(select(InboundMessage.connector).where(InboundMessage.id == d.message_id))
            envelope = canonical.envelope()
            connector_name, operation, message_id = d.connector, d.operation, d.message_id
            canonical_id, correlation_id, traceparent = canonical.id, canonical.correlation_id, canonical.traceparent
        connector = self.registry.connector(connector_name)
        op: Operation = connector.operations[operation]
        functions = hub_functions(source=origin or "", target=connector_name, xref=self.xref,
                                  codes=self.registry.mappings.codes)
        call = outbound_call(self.registry, connector_name, operation, envelope, functions)
        base = self.settings.connector_url(connector_name, connector.base_url).rstrip("/")
        headers = {**op.headers, "idempotency-key": delivery_id, "x-hub-message-id": message_id,
                   "x-hub-canonical-id": canonical_id, "x-correlation-id": correlation_id,
                   "traceparent": child_traceparent(traceparent)}
        return Request(call.method, base + call.path, call.body, headers, frozenset(op.retry_statuses),
                       origin or "")

    def _call(self, delivery_id: str, connector: Connector, request: Request) -> None:
        started = datetime.now(UTC)
        try:
            response = self.client.send(
                request.method, request.url, request.body, headers=request.headers,
                secret=self.settings.connector_secret(connector.name), message_id=delivery_id,
                timeout_s=connector.timeout, retry_statuses=request.retry_statuses)
        except DeliveryError as exc:
            elapsed = (datetime.now(UTC) - started).total_seconds() * 1000
            outcome = "rejected" if isinstance(exc, RejectedDelivery) else "transient"
            self._record(delivery_id, request, outcome=outcome, error=str(exc), status_code=exc.status_code,
                         excerpt=exc.response_excerpt, duration_ms=elapsed, started=started)
            self._observe(connector.name, outcome, elapsed)
            raise
        self._record(delivery_id, request, outcome="success", status_code=response.status_code,
                     excerpt=response.excerpt, duration_ms=response.duration_ms, started=started,
                     response=response)
        self._observe(connector.name, "success", response.duration_ms)

    def _record(self, delivery_id: str, request: Request | None, *, outcome: str, error: str | None = None,
                status_code: int | None = None, excerpt: str | None = None, duration_ms: float = 0.0,
                started: datetime | None = None, response: Any = None) -> None:
        """Store one attempt, the request it made and, after a success, the ids the answer reveals."""
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            d.attempts += 1
            if request is not None:
                d.request = {"method": request.method, "url": request.url, "body": request.body}
            s.add(Attempt(id=new_id(), delivery_id=delivery_id, number=d.attempts,
                          started_at=started or datetime.now(UTC), duration_ms=duration_ms,
                          url=request.url if request else None, status_code=status_code, outcome=outcome,
                          error=error, response_excerpt=excerpt))
            if request is not None and response is not None:
                self._capture_xref(s, d, request, response)

    def _capture_xref(self, s: Session, d: Delivery, request: Request, response: Any) -> None:
        """Record the ids a target's answer reveals (``response_xref``); never fails the delivery."""
        if (d.connector, d.operation) not in self.registry.response_xref:
            return
        data = s.get(CanonicalMessage, d.canonical_id).data
        try:
            links = revealed_links(self.registry, d.connector, d.operation, request=request.body,
                                   response=response.json, data=data, source=request.source)
            with s.begin_nested():
                for link in links:
                    link_in(s, str(link["entity"]), link["ids"])
        except (MappingError, IntegrityError) as exc:
            log.warning("response_xref of %s.%s not recorded: %s", d.connector, d.operation, exc)

    def _reschedule(self, delivery_id: str, connector: Connector, error: str, retry_after_s: float | None,
                    status_code: int | None = None) -> Outcome:
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            rounds = d.rounds + 1
        delay = policy.next_delay(connector.retry, rounds, retry_after_s)
        if delay is None:
            return self._finish(delivery_id, DeliveryStatus.DEAD, status_code=status_code,
                                error=f"gave up after {rounds} rounds: {error}")
        return self._finish(delivery_id, DeliveryStatus.RETRYING, error=error, status_code=status_code,
                            rounds=rounds, retry_in_s=delay)

    def _finish(self, delivery_id: str, status: str, *, error: str | None, status_code: int | None = None,
                rounds: int | None = None, retry_in_s: float | None = None) -> Outcome:
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            s.get(InboundMessage, d.message_id, with_for_update=True)  # serialise the status roll-up
            d.status = status
            d.last_error = error
            d.updated_at = now
            d.lease_until = None
            if status_code is not None:
                d.last_status_code = status_code
            if rounds is not None:
                d.rounds = rounds
            if retry_in_s is not None:
                d.next_attempt_at = now + timedelta(seconds=retry_in_s)
            if status == DeliveryStatus.DELIVERED:
                d.delivered_at = now
            s.flush()
            refresh_message_status(s, d.message_id)
        if status == DeliveryStatus.DEAD:
            log.warning("delivery %s is dead: %s", delivery_id, error)
            self._observe(d.connector, "dead", None)
        return Outcome(status, retry_in_s)

    def _observe(self, connector: str, outcome: str, duration_ms: float | None) -> None:
        for observer in self.observers:
            try:
                observer(connector, outcome, duration_ms)
            except Exception:  # an observer must never stop delivery
                log.exception("delivery observer failed")


def refresh_message_status(s: Any, message_id: str) -> None:
    """Roll the message's state up from the deliveries of its current canonical form."""
    msg = s.get(InboundMessage, message_id)
    if msg is None or msg.canonical_id is None:
        return
    rows = s.execute(select(Delivery.connector, Delivery.operation, Delivery.status)
                     .where(Delivery.message_id == message_id, Delivery.canonical_id == msg.canonical_id)
                     .order_by(Delivery.created_at, Delivery.id)).all()
    latest = {(c, op): st for c, op, st in rows}  # a replay's new delivery supersedes the old one
    statuses = set(latest.values())
    if not statuses:
        new = MessageStatus.NO_ROUTE
    elif DeliveryStatus.DEAD in statuses:
        new = MessageStatus.DEAD
    elif statuses & set(DeliveryStatus.OPEN):
        new = MessageStatus.DELIVERING
    elif DeliveryStatus.REJECTED in statuses:
        new = MessageStatus.REJECTED
    else:
        new = MessageStatus.DELIVERED
    if msg.status != new:
        msg.status = new
        msg.updated_at = datetime.now(UTC)
