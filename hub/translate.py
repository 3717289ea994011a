"""Translate: raw inbound → canonical message → deliveries, in one transaction.

The connector's inbound mapping turns the native body into the canonical
payload, the catalog validates it, the envelope gets its id, subject, time,
correlation and causation, and routing creates one delivery per target — all
committed together, then the deliveries are enqueued. A mapping or schema
error marks the message ``failed`` with the error and where it is; the
message stays replayable once the mapping is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog import CanonicalType
from hub.envelope import child_traceparent, new_traceparent, parse_time
from hub.errors import ConfigError, MappingError, SchemaError
from hub.ids import new_id
from hub.mapping.functions import XrefResolver, hub_functions
from hub.registry import Registry
from hub.routing import match
from hub.store import CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.models import CorrelationKey, DeliveryStatus, MessageStatus
from hub.xref import link_in, links_of

log = logging.getLogger("hub.translate")


class Translator:
    def __init__(self, *, db: Database, registry: Registry, xref: XrefResolver,
                 enqueue_delivery: Callable[[str], None], is_paused: Callable[[str], bool]):
        self.db = db
        self.registry = registry
        self.xref = xref
        self.enqueue_delivery = enqueue_delivery
        self.is_paused = is_paused

    def translate(self, message_id: str, *, force: bool = False) -> str | None:
        """Translate one stored message; returns its new status (None if there was nothing to do)."""
        delivery_ids: list[str] = []
        paused = {name for name in self.registry.connectors if self.is_paused(name)}  # before the write lock
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id, with_for_update=True)
            if msg is None or (msg.status != MessageStatus.RECEIVED and not force):
                return None
            msg.translations += 1
            msg.updated_at = datetime.now(UTC)
            try:
                if self._ignored(msg):
                    msg.status = MessageStatus.IGNORED
                    msg.error = None
                    return msg.status
                canonical = self._canonical(s, msg)
                if canonical is None:
                    msg.status = MessageStatus.IGNORED
                    msg.error = None
                    msg.error_detail = {"kind": "ignored", "message": "the inbound mapping produced no message"}
                    return msg.status
            except (MappingError, SchemaError, ConfigError) as exc:
                msg.status = MessageStatus.FAILED
                msg.error = str(exc)
                msg.error_detail = exc.detail() if hasattr(exc, "detail") else {"kind": "config", "message": str(exc)}
                log.warning("message %s failed to translate: %s", msg.id, exc)
                return msg.status
            try:
                routes = match(self.registry, canonical.envelope(), origin=msg.connector,
                               functions_for=self._functions_for(msg.connector))
            except MappingError as exc:
                msg.status = MessageStatus.FAILED
                msg.error = str(exc)
                msg.error_detail = exc.detail()
                return msg.status
            s.add(canonical)
            msg.canonical_id = canonical.id
            msg.error = None
            msg.error_detail = None
            now = datetime.now(UTC)
            envelope = canonical.envelope()
            for route in routes:
                held = route.connector in paused
                d = Delivery(id=new_id(), message_id=msg.id, canonical_id=canonical.id,
                             connector=route.connector, operation=route.operation_name,
                             ordering_key=self._ordering_key(route.connector, envelope),
                             status=DeliveryStatus.PAUSED if held else DeliveryStatus.PENDING,
                             attempts=0, rounds=0, next_attempt_at=now, created_at=now, updated_at=now)
                s.add(d)
                if not held:
                    delivery_ids.append(d.id)
            msg.status = MessageStatus.DELIVERING if routes else MessageStatus.NO_ROUTE
            status = msg.status
        for delivery_id in delivery_ids:
            self._enqueue(delivery_id)
        return status

    def reroute(self, message_id: str) -> list[str]:
        """Send the message's current canonical form to its subscribers again, as new deliveries."""
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id, with_for_update=True)
            canonical = s.get(CanonicalMessage, msg.canonical_id) if msg and msg.canonical_id else None
            if msg is None or canonical is None:
                return []
            routes = match(self.registry, canonical.envelope(), origin=msg.connector,
                           functions_for=self._functions_for(msg.connector))
            now = datetime.now(UTC)
            ids = []
            envelope = canonical.envelope()
            for route in routes:
                d = Delivery(id=new_id(), message_id=msg.id, canonical_id=canonical.id,
                             connector=route.connector, operation=route.operation_name,
                             ordering_key=self._ordering_key(route.connector, envelope),
                             status=DeliveryStatus.PENDING, attempts=0, rounds=0,
                             next_attempt_at=now, created_at=now, updated_at=now)
                s.add(d)
                ids.append(d.id)
            msg.status = MessageStatus.DELIVERING if routes else MessageStatus.NO_ROUTE
            msg.updated_at = now
        for delivery_id in ids:
            self._enqueue(delivery_id)
        return ids

    def _enqueue(self, delivery_id: str) -> None:
        try:
            self.enqueue_delivery(delivery_id)
        except Exception:  # committed: the sweeper will enqueue it
            log.exception("enqueue of delivery %s failed; the sweeper will retry", delivery_id)

    def _ordering_key(self, connector: str, envelope: dict[str, Any]) -> str | None:
        expr = self.registry.ordering.get(connector)
        if expr is None:
            return None
        try:
            value = expr.evaluate(envelope)
        except MappingError:
            return None
        return None if value in (None, "") else str(value)[:255]

    def _functions_for(self, origin: str) -> Callable[[str], dict[str, Any]]:
        def functions(target: str) -> dict[str, Any]:
            return hub_functions(source=origin, target=target, xref=self.xref, codes=self.registry.mappings.codes)
        return functions

    def _ignored(self, msg: InboundMessage) -> bool:
        msg.native_type = msg.native_type or native_type_of(self.registry, msg.connector, msg.body)
        return is_ignored(self.registry, msg.connector, msg.native_type)

    def _canonical(self, s: Session, msg: InboundMessage) -> CanonicalMessage | None:
        """The canonical form of ``msg``; None when its mapping yields nothing (the event is not for us)."""
        attrs = msg.attributes or {}
        functions = hub_functions(source=msg.connector, target="canonical", xref=self.xref,
                                  codes=self.registry.mappings.codes)
        reading = read_native(self.registry, msg.connector, msg.body, functions=functions,
                              bindings={"connector": msg.connector, "event": attrs, "headers": msg.headers},
                              native_type=msg.native_type)
        if reading.data is None:
            return None
        for link in reading.links:
            link_in(s, str(link["entity"]), link["ids"])
        when = reading.time or (parse_time(attrs["time"]) if "time" in attrs else msg.received_at)
        canonical_id = new_id()
        correlation_id, causation_id = self._correlate(s, reading.keys, canonical_id, attrs, msg.id)
        traceparent = attrs.get("traceparent") or msg.headers.get("traceparent")
        ctype = reading.canonical_type
        return CanonicalMessage(
            id=canonical_id, message_id=msg.id, type=ctype.name, source=f"/connectors/{msg.connector}",
            subject=ctype.subject(reading.data), time=when, dataschema=ctype.dataschema,
            correlation_id=correlation_id, causation_id=causation_id,
            traceparent=child_traceparent(traceparent) if traceparent else new_traceparent(),
            data=reading.data, mapping=reading.mapping, created_at=datetime.now(UTC))

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


@dataclass(frozen=True)
class Reading:
    """What a connector's inbound declaration makes of one native body: pure, no database."""

    native_type: str
    canonical_type: CanonicalType
    mapping: str
    data: dict[str, Any] | None
    """The canonical payload, validated; None when the mapping yields nothing (not for the hub)."""
    time: datetime | None
    """When it happened, by the event's ``time`` expression; None when the event declares none."""
    links: list[dict[str, Any]]
    """Cross-references the event reveals (``xref:``)."""
    keys: list[str]
    """Business keys that tie it to a transaction (``correlate:``)."""


def native_type_of(registry: Registry, connector: str, body: Any) -> str:
    """The native event name, read with the connector's ``inbound.event_type``."""
    if connector not in registry.event_type:
        raise ConfigError(f"connector {connector!r} is no longer configured")
    value: Any = registry.event_type[connector].evaluate(body)
    if not isinstance(value, str) or not value:
        f = registry.files[connector]
        raise MappingError(f"could not read the native event name: inbound.event_type "
                           f"{f.connector.inbound.event_type!r} gave {value!r}", file=str(f.doc.path))
    return value


def is_ignored(registry: Registry, connector: str, native_type: str) -> bool:
    """An event the connector declares it ignores (``inbound.ignore``) and does not map."""
    c = registry.connector(connector)
    return c is not None and native_type in c.inbound.ignore and native_type not in c.inbound.events


def read_native(registry: Registry, connector: str, body: Any, *, functions: dict[str, Any],
                bindings: dict[str, Any] | None = None, native_type: str | None = None) -> Reading:
    """Map one native body to its canonical payload, time, cross-references and business keys."""
    native_type = native_type or native_type_of(registry, connector, body)
    c = registry.connectors[connector]
    event = c.inbound.events.get(native_type)
    if event is None:
        known = ", ".join(sorted(c.inbound.events)) or "none"
        raise ConfigError(f"connector {connector!r} has no inbound event {native_type!r} (known: {known})")
    ctype = registry.catalog.get(event.canonical)
    data = registry.mappings.get(event.mapping).evaluate(body, bindings, functions)
    if data is None:
        return Reading(native_type, ctype, event.mapping, None, None, [], [])
    ctype.validate(data)
    key = (connector, native_type)
    time_expr = registry.event_time.get(key)
    try:
        when = parse_time(time_expr.evaluate(body)) if time_expr else None
    except (ValueError, TypeError) as exc:
        raise MappingError(f"event time: {exc}", file=str(registry.files[connector].doc.path)) from None
    context = {"native": body, "data": data}
    links = [link for expr in registry.event_xref.get(key, [])
             for link in links_of(expr.evaluate(context, None, functions))]
    keys = [str(k) for expr in registry.event_correlate.get(key, [])
            for k in _as_list(expr.evaluate(context, None, functions)) if k not in (None, "")]
    return Reading(native_type, ctype, event.mapping, data, when, links, keys)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
