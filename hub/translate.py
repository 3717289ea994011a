"""Translate: raw inbound → canonical messages → deliveries, in one transaction.

The pure stages decide (:mod:`hub.pipeline`): the inbound stage maps the
native body to one canonical payload or, with a splitter, several; the
routing stage names the deliveries each makes. Here they are committed
together — envelopes with their ids, subjects, times, correlation and
causation, and one delivery per target (per element for an ``each``
operation) — then the deliveries are enqueued. A mapping, schema or filter
error marks the message ``failed`` with the error and where it is; the
message stays replayable once the mapping is fixed.

Hooks (``on_canonical``) see each canonical message inside the same transaction and may answer
with envelopes of their own (the golden-record service's ``masterdata.changed``): those are
stored as canonical messages of the same inbound message, caused by the one that made them, and
routed like any other — committed with it or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.aggregator import MODE as AGGREGATION_MODE
from hub.aggregator import Aggregator
from hub.envelope import child_traceparent, new_traceparent, parse_time
from hub.errors import ConfigError, MappingError, SchemaError
from hub.ids import new_id
from hub.mapping.functions import XrefResolver, hub_functions
from hub.masking import Redactor, search_text
from hub.pipeline.compiled import AGGREGATION_EVENT
from hub.pipeline.inbound import Part, Reading, is_ignored, native_type_of, read_native
from hub.pipeline.routing import Target, targets, why_no_route
from hub.registry import Registry
from hub.store import CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.db import required
from hub.store.models import CorrelationKey, DeliveryStatus, MessageStatus
from hub.store.status import rolled_up
from hub.xref import link_in

log = logging.getLogger("hub.translate")

__all__ = ["Translator", "Reading", "read_native", "native_type_of", "is_ignored"]

CanonicalHook = Callable[[Session, dict[str, Any]], list[dict[str, Any]] | None]
"""Called in the translation's transaction for each canonical message stored (e.g. master data);
returns the envelopes it derives from it, if any."""
SUBJECT_ORDERED = frozenset({"masterdata.changed"})
"""Types delivered in order of their subject when the target's own ordering key gives none
(a golden record's changes reach a subscriber in the order they happened)."""


class Translator:
    def __init__(self, *, db: Database, registry: Registry, xref: XrefResolver,
                 enqueue_delivery: Callable[[str], None], is_paused: Callable[[str], bool],
                 on_canonical: list[CanonicalHook] | None = None, aggregator: Aggregator | None = None,
                 enqueue_translate: Callable[[str], None] | None = None):
        self.db = db
        self.aggregator = aggregator
        self.enqueue_translate = enqueue_translate
        self.registry = registry
        self.xref = xref
        self.enqueue_delivery = enqueue_delivery
        self.is_paused = is_paused
        self.on_canonical = on_canonical or []

    def translate(self, message_id: str, *, force: bool = False,
                  hand_over: Callable[[list[str]], None] | None = None) -> str | None:
        """Translate one stored message; returns its new status (None if there was nothing to do).

        The new deliveries are enqueued once committed, or given to ``hand_over`` (a worker delivers
        them itself; they are committed as due, so the sweeper brings any it drops).
        """
        paused = {name for name in self.registry.connectors if self.is_paused(name)}  # before the write lock
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id, with_for_update=True)
            if msg is None or (msg.status != MessageStatus.RECEIVED and not force):
                return None
            msg.translations += 1
            msg.updated_at = datetime.now(UTC)
            made: list[str] = []
            try:
                status, delivery_ids = self._translate(s, msg, paused, made)
            except (MappingError, SchemaError, ConfigError) as exc:
                s.rollback()  # nothing of a failed translation is kept but the failure itself
                msg = required(s, InboundMessage, message_id, for_update=True)
                msg.translations += 1
                msg.updated_at = datetime.now(UTC)
                redact = Redactor.of(self.registry.masked_fields(msg.connector), msg.body)
                msg.status = MessageStatus.FAILED
                msg.native_type = msg.native_type or self._native_type_or_none(msg)
                msg.error = redact.text(str(exc))
                msg.error_detail = redact.json(exc.detail() if hasattr(exc, "detail")
                                               else {"kind": "config", "message": str(exc)})
                log.warning("message %s failed to translate: %s", msg.id, msg.error)
                return msg.status
        for made_id in made:  # messages complete aggregations made
            self._translate_later(made_id)
        if hand_over is not None and delivery_ids:
            hand_over(delivery_ids)
            return status
        for delivery_id in delivery_ids:
            self._enqueue(delivery_id)
        return status

    def _native_type_or_none(self, msg: InboundMessage) -> str | None:
        """The native type of a message that failed, when it can be read (lists name it by it)."""
        try:
            return native_type_of(self.registry, msg.connector, msg.body)[:200]
        except (MappingError, ConfigError):
            return None

    def _translate(self, s: Session, msg: InboundMessage, paused: set[str], made: list[str]) -> tuple[str, list[str]]:
        msg.native_type = msg.native_type or native_type_of(self.registry, msg.connector, msg.body)
        msg.error, msg.error_detail = None, None
        if msg.native_type.startswith(AGGREGATION_EVENT) and msg.mode != AGGREGATION_MODE:
            raise ConfigError(f"native event {msg.native_type!r} is made by the hub's aggregator only; "
                              f"{msg.connector} may not send it")
        if is_ignored(self.registry, msg.connector, msg.native_type):
            msg.status = MessageStatus.IGNORED
            return msg.status, []
        attrs = msg.attributes or {}
        functions = hub_functions(source=msg.connector, target="canonical", xref=self.xref,
                                  codes=self.registry.mappings.codes)
        reading = read_native(self.registry, msg.connector, msg.body, functions=functions,
                              bindings={"connector": msg.connector, "event": attrs, "headers": msg.headers},
                              native_type=msg.native_type)
        if not reading.parts:
            msg.status = MessageStatus.IGNORED
            msg.error_detail = {"kind": "ignored", "message": "the inbound mapping produced no message"}
            return msg.status, []
        self._supersede(s, msg.id)
        delivery_ids: list[str] = []
        statuses = []
        derived: list[CanonicalMessage] = []
        for seq, part in enumerate(reading.parts):
            canonical = self._canonical(s, msg, reading, part, seq)
            envelope = canonical.envelope()
            s.add(canonical)
            for hook in self.on_canonical:
                derived += [self._derived(canonical, env) for env in hook(s, envelope) or []]
            made += self._gather(s, msg, canonical, envelope)
            statuses.append(self._route(s, msg, canonical, envelope, paused, delivery_ids))
        for seq, canonical in enumerate(derived, start=len(reading.parts)):
            canonical.seq = seq
            s.add(canonical)
            made += self._gather(s, msg, canonical, canonical.envelope())
            statuses.append(self._route(s, msg, canonical, canonical.envelope(), paused, delivery_ids))
        msg.status = rolled_up(statuses)
        msg.search_text = search_text(self.registry.masked_fields(msg.connector), msg.body,
                                      *(p.data for p in reading.parts))
        return msg.status, delivery_ids

    def _gather(self, s: Session, msg: InboundMessage, canonical: CanonicalMessage,
                envelope: dict[str, Any]) -> list[str]:
        """File the canonical message with the aggregators that gather it; the messages it completes."""
        if self.aggregator is None:
            return []
        return self.aggregator.gather(s, envelope, message_id=msg.id, seq=canonical.seq,
                                      functions_for=self._functions_for(msg.connector))

    def _route(self, s: Session, msg: InboundMessage, canonical: CanonicalMessage, envelope: dict[str, Any],
               paused: set[str], delivery_ids: list[str]) -> str:
        """Name the canonical message's deliveries (appended to ``delivery_ids``); returns its status."""
        found = targets(self.registry, envelope, origin=msg.connector,
                        functions_for=self._functions_for(msg.connector))
        status = self._route_status(canonical, envelope, found, msg.connector)
        delivery_ids += self._deliveries(s, msg.id, canonical, envelope, found, paused)
        return status

    def _derived(self, cause: CanonicalMessage, env: dict[str, Any]) -> CanonicalMessage:
        """A hook's envelope as a canonical message of the same inbound message, caused by ``cause``."""
        ctype = self.registry.catalog.get(str(env["type"]))
        ctype.validate(env.get("data"))
        return CanonicalMessage(
            id=str(env.get("id") or new_id()), message_id=cause.message_id, seq=0, current=True, type=ctype.name,
            source=str(env["source"]), subject=env.get("subject") or ctype.subject(env.get("data")),
            time=parse_time(env["time"]) if env.get("time") else datetime.now(UTC), dataschema=ctype.dataschema,
            correlation_id=cause.correlation_id, causation_id=cause.id,
            traceparent=child_traceparent(cause.traceparent) if cause.traceparent else new_traceparent(),
            data=env.get("data"), mapping=None, created_at=datetime.now(UTC))

    def reroute(self, message_id: str, *, to: str | None = None) -> list[str]:
        """Send the message's current canonical messages to their subscribers again, as new deliveries
        (only to connector ``to``, when given: a targeted repair)."""
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id, with_for_update=True)
            if msg is None:
                return []
            canonicals = list(s.scalars(select(CanonicalMessage).where(
                CanonicalMessage.message_id == message_id, CanonicalMessage.current).order_by(CanonicalMessage.seq)))
            if not canonicals:
                return []
            ids: list[str] = []
            statuses = []
            for canonical in canonicals:
                envelope = canonical.envelope()
                found = [t for t in targets(self.registry, envelope, origin=msg.connector,
                                            functions_for=self._functions_for(msg.connector))
                         if to is None or t.connector == to]
                statuses.append(self._route_status(canonical, envelope, found, msg.connector))
                ids += self._deliveries(s, msg.id, canonical, envelope, found, set())
            msg.status = rolled_up(statuses)
            msg.updated_at = datetime.now(UTC)
        for delivery_id in ids:
            self._enqueue(delivery_id)
        return ids

    def _route_status(self, canonical: CanonicalMessage, envelope: dict[str, Any], found: list[Target],
                      origin: str) -> str:
        """delivering, or no_route with the reasons kept (so a trace can say why nobody received it)."""
        if any(not t.tap for t in found):
            canonical.status, canonical.no_route = MessageStatus.DELIVERING, None
        else:
            canonical.status = MessageStatus.NO_ROUTE
            canonical.no_route = why_no_route(self.registry, envelope, origin=origin,
                                              functions_for=self._functions_for(origin))
        return canonical.status

    def _deliveries(self, s: Session, message_id: str, canonical: CanonicalMessage, envelope: dict[str, Any],
                    found: list[Target], paused: set[str]) -> list[str]:
        """One delivery per target; returns the ids to enqueue (a paused connector's wait)."""
        now = datetime.now(UTC)
        ids = []
        for target in found:
            held = target.connector in paused
            d = Delivery(id=new_id(), message_id=message_id, canonical_id=canonical.id,
                         connector=target.connector, operation=target.operation_name, element=target.element,
                         ordering_key=None if target.tap else self._ordering_key(target.connector, envelope),
                         correlation_id=None if target.tap else canonical.correlation_id, tap=target.tap,
                         status=DeliveryStatus.PAUSED if held else DeliveryStatus.PENDING,
                         attempts=0, rounds=0, next_attempt_at=now, created_at=now, updated_at=now)
            s.add(d)
            if not held:
                ids.append(d.id)
        return ids

    @staticmethod
    def _supersede(s: Session, message_id: str) -> None:
        """A new translation replaces the canonical messages of the previous one."""
        s.execute(update(CanonicalMessage)
                  .where(CanonicalMessage.message_id == message_id, CanonicalMessage.current)
                  .values(current=False, status=MessageStatus.SUPERSEDED))

    def _translate_later(self, message_id: str) -> None:
        if self.enqueue_translate is None:
            self.translate(message_id)
            return
        try:
            self.enqueue_translate(message_id)
        except Exception:  # committed: the sweeper will enqueue it
            log.exception("enqueue of message %s failed; the sweeper will retry", message_id)

    def _enqueue(self, delivery_id: str) -> None:
        try:
            self.enqueue_delivery(delivery_id)
        except Exception:  # committed: the sweeper will enqueue it
            log.exception("enqueue of delivery %s failed; the sweeper will retry", delivery_id)

    def _ordering_key(self, connector: str, envelope: dict[str, Any]) -> str | None:
        compiled = self.registry.compiled.get(connector)
        value = None
        if compiled is not None and compiled.ordering_key is not None:
            try:
                value = compiled.ordering_key.evaluate(envelope)
            except MappingError:
                value = None
        if value in (None, "") and envelope.get("type") in SUBJECT_ORDERED:
            value = envelope.get("subject")
        return None if value in (None, "") else str(value)[:255]

    def _functions_for(self, origin: str) -> Callable[[str], dict[str, Any]]:
        def functions(target: str) -> dict[str, Any]:
            return hub_functions(source=origin, target=target, xref=self.xref, codes=self.registry.mappings.codes)
        return functions

    def _canonical(self, s: Session, msg: InboundMessage, reading: Reading, part: Part, seq: int) -> CanonicalMessage:
        attrs = msg.attributes or {}
        for link in part.links:
            link_in(s, str(link["entity"]), link["ids"])
        when = part.time or (parse_time(attrs["time"]) if "time" in attrs else msg.received_at)
        canonical_id = new_id()
        correlation_id, causation_id = self._correlate(s, part.keys, canonical_id, attrs, msg.id)
        traceparent = attrs.get("traceparent") or msg.headers.get("traceparent")
        ctype = reading.canonical_type
        return CanonicalMessage(
            id=canonical_id, message_id=msg.id, seq=seq, current=True, type=ctype.name,
            source=f"/connectors/{msg.connector}", subject=ctype.subject(part.data), time=when,
            dataschema=ctype.dataschema, correlation_id=correlation_id, causation_id=causation_id,
            traceparent=child_traceparent(traceparent) if traceparent else new_traceparent(),
            data=part.data, mapping=reading.mapping, created_at=datetime.now(UTC))

    @staticmethod
    def _correlate(s: Session, keys: list[str], canonical_id: str, attrs: dict[str, Any],
                   message_id: str) -> tuple[str, str | None]:
        """(correlation id, causation id) from the sender's attributes, else the business keys."""
        known = {k.key: k for k in s.scalars(select(CorrelationKey).where(CorrelationKey.key.in_(keys)))} if keys else {}
        first = next((known[k] for k in keys if k in known), None)
        correlation_id = str(attrs.get("correlationid") or (first.correlation_id if first else message_id))
        causation_id = attrs.get("causationid") or (first.last_canonical_id if first else None)
        now = datetime.now(UTC)
        for k in dict.fromkeys(keys):
            row = known.get(k)
            if row is None:
                s.add(CorrelationKey(key=k[:255], correlation_id=correlation_id, last_canonical_id=canonical_id,
                                     updated_at=now))
            else:
                row.last_canonical_id, row.updated_at = canonical_id, now
        return correlation_id, causation_id
