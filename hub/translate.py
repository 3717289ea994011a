"""Translate: raw inbound → canonical messages → deliveries, in one transaction.

The pure stages decide (:mod:`hub.pipeline`): the inbound stage maps the
native body to one canonical payload or, with a splitter, several; the
routing stage names the deliveries each makes. Here they are committed
together — envelopes with their ids, subjects, times, correlation and
causation, and one delivery per target (per element for an ``each``
operation) — then the deliveries are enqueued. A mapping, schema or filter
error marks the message ``failed`` with the error and where it is; the
message stays replayable once the mapping is fixed. A split batch's record that fails alone
(:class:`hub.pipeline.inbound.FailedRecord`) is stored as a canonical message of its own with
status ``failed``, its error and the record, and no delivery, while the good records go on; the
message is ``failed`` once they are done, and :meth:`Translator.replay_record` maps that one record
again without sending the others twice.

Hooks (``on_canonical``) see each canonical message inside the same transaction and may answer
with envelopes of their own (the golden-record service's ``masterdata.changed``): those are
stored as canonical messages of the same inbound message, caused by the one that made them, and
routed like any other — committed with it or not at all.

The hot path is Core statements, no ORM loads: the message is taken and read with one ``UPDATE …
RETURNING`` (its row lock), the correlation keys are read once, and everything the translation
writes — canonical messages, keys, deliveries, the message's status — goes in one more statement
(writable CTEs on PostgreSQL, :mod:`hub.store.together`). A worker that translates also claims the
first delivery in the same transaction (``claim``) and makes its call right after the commit, so a
delivered message costs two commits: this one and the delivery's finish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Table, bindparam, insert, null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate, Update

from hub.aggregator import MODE as AGGREGATION_MODE
from hub.aggregator import Aggregator
from hub.echoes import find_echo
from hub.envelope import child_traceparent, new_traceparent, parse_time
from hub.errors import ConfigError, MappingError, NotFound, RecordNotReplayable, SchemaError
from hub.ids import new_id
from hub.mapping.functions import XrefResolver, hub_functions
from hub.masking import Redactor, search_text
from hub.pipeline.compiled import AGGREGATION_EVENT
from hub.pipeline.echo import Echo
from hub.pipeline.inbound import FailedRecord, Part, Reading, is_ignored, native_type_of, read_again, read_native
from hub.pipeline.routing import Target, targets, why_no_route
from hub.registry import Registry
from hub.search import canonical_text
from hub.store import CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.db import required
from hub.store.models import CorrelationKey, DeliveryStatus, MessageStatus
from hub.store.status import rolled_up
from hub.store.together import Bound, Write, execute_together, execute_write, insert_rows, update_row
from hub.xref import link_in

log = logging.getLogger("hub.translate")

__all__ = ["Translator", "Reading", "read_native", "native_type_of", "is_ignored"]

I = cast(Table, InboundMessage.__table__)  # noqa: E741 (the inbound table, beside C, D and K)
C = cast(Table, CanonicalMessage.__table__)
D = cast(Table, Delivery.__table__)
K = cast(Table, CorrelationKey.__table__)
T = TypeVar("T")

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
                  hand_over: Callable[[list[str], T | None], None] | None = None,
                  claim: Callable[[Session, dict[str, Any], dict[str, Any], str], T | None] | None = None
                  ) -> str | None:
        """Translate one stored message; returns its new status (None if there was nothing to do).

        The new deliveries are enqueued once committed, or given to ``hand_over`` (a worker delivers
        them itself; they are committed as due, so the sweeper brings any it drops) with what ``claim``
        took of the first one (its row, its canonical envelope, the sender) in the translation's own
        transaction (None: it may not go yet).
        """
        paused = {name for name in self.registry.connectors if self.is_paused(name)}  # before the write lock
        claimed: T | None = None
        with self.db.session() as s:
            now = datetime.now(UTC)
            msg = s.execute(_taking(force), {"taken_id": message_id, "taken_at": now}).first()
            if msg is None:
                return None
            made: list[str] = []
            try:
                status, first, delivery_ids = self._translate(s, msg, paused, made, now)
            except (MappingError, SchemaError, ConfigError) as exc:
                s.rollback()  # nothing of a failed translation is kept but the failure itself
                failed = required(s, InboundMessage, message_id, for_update=True)
                failed.translations += 1
                failed.translation_starts = 0
                failed.updated_at = datetime.now(UTC)
                redact = Redactor.of(self.registry.masked_fields(failed.connector), failed.body)
                failed.status = MessageStatus.FAILED
                failed.native_type = failed.native_type or self._native_type_or_none(failed.connector, failed.body)
                failed.error = redact.text(str(exc))
                failed.error_detail = redact.json(exc.detail() if hasattr(exc, "detail")
                                                  else {"kind": "config", "message": str(exc)})
                log.warning("message %s failed to translate: %s", failed.id, failed.error)
                return failed.status
            if hand_over is not None and claim is not None and first is not None:
                claimed = claim(s, *first, msg.connector)
        for made_id in made:  # messages complete aggregations made
            self._translate_later(made_id)
        if hand_over is not None and delivery_ids:
            hand_over(delivery_ids, claimed)
            return status
        for delivery_id in delivery_ids:
            self._enqueue(delivery_id)
        return status

    def _native_type_or_none(self, connector: str, body: Any) -> str | None:
        """The native type of a message that failed, when it can be read (lists name it by it)."""
        try:
            return native_type_of(self.registry, connector, body)[:200]
        except (MappingError, ConfigError):
            return None

    def _translate(self, s: Session, msg: Row[Any], paused: set[str], made: list[str], now: datetime
                   ) -> tuple[str, tuple[dict[str, Any], dict[str, Any]] | None, list[str]]:
        """(status, the first delivery to make with its envelope, the ids of the deliveries to make)."""
        native_type = msg.native_type or native_type_of(self.registry, msg.connector, msg.body)
        values: dict[str, Any] = dict(native_type=native_type, error=None, error_detail=null())
        done = update(I).where(I.c.id == msg.id)
        if native_type.startswith(AGGREGATION_EVENT) and msg.mode != AGGREGATION_MODE:
            raise ConfigError(f"native event {native_type!r} is made by the hub's aggregator only; "
                              f"{msg.connector} may not send it")
        if is_ignored(self.registry, msg.connector, native_type):
            s.execute(done.values(**values, status=MessageStatus.IGNORED))
            return MessageStatus.IGNORED, None, []
        attrs = msg.attributes or {}
        functions = hub_functions(source=msg.connector, target="canonical", xref=self.xref,
                                  codes=self.registry.mappings.codes)
        reading = read_native(self.registry, msg.connector, msg.body, functions=functions,
                              bindings={"connector": msg.connector, "event": attrs, "headers": msg.headers},
                              native_type=native_type)
        if not reading.parts and not reading.failed:
            values["error_detail"] = {"kind": "ignored", "message": "the inbound mapping produced no message"}
            s.execute(done.values(**values, status=MessageStatus.IGNORED))
            return MessageStatus.IGNORED, None, []
        keys = _Keys(s)
        canonicals: list[CanonicalMessage] = []
        deliveries: list[dict[str, Any]] = []
        statuses = []
        derived: list[CanonicalMessage] = []
        redact = Redactor.of(self.registry.masked_fields(msg.connector), msg.body) if reading.failed else Redactor()
        failures: list[tuple[int, str]] = []
        for seq, item in enumerate(reading.in_order()):  # numbered in order, whatever records gave nothing
            if isinstance(item, FailedRecord):
                canonicals.append(self._failed(msg, reading, item, seq, redact))
                statuses.append(MessageStatus.FAILED)
                failures.append((seq, str(canonicals[-1].error)))
                continue
            canonical = self._canonical(s, msg, reading, item, seq, keys)
            statuses.append(self._pass_on(s, msg, canonical, paused, deliveries, made, derived))
            canonicals.append(canonical)
        for seq, canonical in enumerate(derived, start=reading.batch_size):
            canonical.seq = seq
            canonicals.append(canonical)
            made += self._gather(s, msg, canonical, canonical.envelope())
            statuses.append(self._route(s, msg, canonical, canonical.envelope(), paused, deliveries))
        status = rolled_up(statuses)
        values["status"] = status
        if failures:
            values.update(_records_failed(failures, reading.batch_size))
            log.warning("message %s: %s", msg.id, values["error"])
        writes: list[Write] = [self._supersede(msg.id), insert_rows(C, [_row(C, c) for c in canonicals]),
                               *keys.writes(now), self._search_text(s, msg, [p.data for p in reading.parts])]
        if deliveries:
            writes.append(insert_rows(D, deliveries))
        execute_together(s, writes, update_row(I, msg.id, values, "translated"))
        due = [d for d in deliveries if d["status"] == DeliveryStatus.PENDING]
        first = (due[0], _read_back(next(c for c in canonicals if c.id == due[0]["canonical_id"]))) if due else None
        return status, first, [d["id"] for d in due]

    def _pass_on(self, s: Session, msg: Row[Any], canonical: CanonicalMessage, paused: set[str],
                 deliveries: list[dict[str, Any]], made: list[str], derived: list[CanonicalMessage]) -> str:
        """Hand a new canonical message to the hooks and the aggregators, and name its deliveries
        (appended to ``deliveries``, its hooks' messages to ``derived``); returns its status."""
        envelope = canonical.envelope()
        for hook in self.on_canonical:
            derived += [self._derived(canonical, env) for env in hook(s, envelope) or []]
        made += self._gather(s, msg, canonical, envelope)
        return self._route(s, msg, canonical, envelope, paused, deliveries)

    def _failed(self, msg: Row[Any], reading: Reading, failure: FailedRecord, seq: int,
                redact: Redactor) -> CanonicalMessage:
        """The row of a record that failed alone, at ``seq`` in the batch: status failed, its error, and the
        record as its data (what a replay maps again); it makes no delivery."""
        attrs = msg.attributes or {}
        traceparent = attrs.get("traceparent") or msg.headers.get("traceparent")
        ctype = reading.canonical_type
        error = failure.error
        return CanonicalMessage(
            id=new_id(), message_id=msg.id, seq=seq, current=True, status=MessageStatus.FAILED,
            type=ctype.name, source=f"/connectors/{msg.connector}", subject=None,
            time=parse_time(attrs["time"]) if "time" in attrs else msg.received_at, dataschema=ctype.dataschema,
            correlation_id=str(attrs.get("correlationid") or msg.id), causation_id=attrs.get("causationid"),
            traceparent=child_traceparent(traceparent) if traceparent else new_traceparent(),
            data=failure.record, mapping=reading.mapping, error=redact.text(str(error)),
            error_detail=redact.json(error.detail()), created_at=datetime.now(UTC))

    def _gather(self, s: Session, msg: Row[Any], canonical: CanonicalMessage,
                envelope: dict[str, Any]) -> list[str]:
        """File the canonical message with the aggregators that gather it; the messages it completes."""
        if self.aggregator is None:
            return []
        return self.aggregator.gather(s, envelope, message_id=msg.id, seq=canonical.seq,
                                      functions_for=self._functions_for(msg.connector))

    def _route(self, s: Session, msg: Row[Any], canonical: CanonicalMessage, envelope: dict[str, Any],
               paused: set[str], deliveries: list[dict[str, Any]]) -> str:
        """Name the canonical message's deliveries (appended to ``deliveries``); returns its status.
        An echo of a call the hub made to the sender does not go back to where that call's message came from."""
        echo = find_echo(s, self.registry, msg.connector, canonical.type, msg.body, datetime.now(UTC))
        if echo is not None:
            canonical.echo_of = echo.as_json()
            log.info("message %s from %s echoes delivery %s: not sent back to %s", msg.id, msg.connector,
                     echo.delivery_id, echo.origin)
        found = targets(self.registry, envelope, origin=msg.connector,
                        functions_for=self._functions_for(msg.connector), echo=echo)
        status = self._route_status(canonical, envelope, found, msg.connector, echo)
        deliveries += self._deliveries(msg.id, canonical, envelope, found, paused)
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

    def replay_record(self, message_id: str, index: int) -> RecordReplayed:
        """Map record ``index`` of a split batch, which failed alone, again with the current mapping.

        On success it is routed and delivered like any part; the batch's other records are neither
        translated nor delivered again. Still failing, it stays failed with the new error.
        """
        paused = {name for name in self.registry.connectors if self.is_paused(name)}  # before the write lock
        made: list[str] = []
        with self.db.session() as s:
            taken = select(I.c.id, I.c.connector, I.c.native_type, I.c.headers, I.c.body, I.c.attributes,
                           I.c.received_at).where(I.c.id == message_id).with_for_update()
            msg = cast("Row[Any] | None", s.execute(taken).first())
            if msg is None:
                raise NotFound(f"no message {message_id}")
            rows = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == message_id,
                                                                 CanonicalMessage.current)))
            failed = _failed_record(rows, message_id, index)
            functions = hub_functions(source=msg.connector, target="canonical", xref=self.xref,
                                      codes=self.registry.mappings.codes)
            try:
                reading = read_again(self.registry, msg.connector, msg.body, str(msg.native_type), index,
                                     failed.data, functions=functions,
                                     bindings={"connector": msg.connector, "event": msg.attributes or {},
                                               "headers": msg.headers})
            except ConfigError as exc:
                raise RecordNotReplayable(f"record [{index}] of message {message_id} cannot be replayed alone: "
                                          f"{exc}; replay the whole message") from None
            redact = Redactor.of(self.registry.masked_fields(msg.connector), msg.body)
            if reading.failed:
                error = reading.failed[0].error
                failed.error, failed.error_detail = redact.text(str(error)), redact.json(error.detail())
                self._settle_batch(s, msg, rows)
                return RecordReplayed(MessageStatus.FAILED, [], failed.error)
            failed.current, failed.status = False, MessageStatus.SUPERSEDED
            fresh, deliveries = self._replayed_parts(s, msg, reading, failed.seq, rows, paused, made)
            self._settle_batch(s, msg, [c for c in rows if c is not failed] + fresh)
            if fresh:
                s.execute(insert(C).values([_row(C, c) for c in fresh]))
            if deliveries:
                s.execute(insert(D).values(deliveries))
            ids = [d["id"] for d in deliveries if d["status"] == DeliveryStatus.PENDING]
            status = fresh[0].status if fresh else MessageStatus.IGNORED
        for made_id in made:
            self._translate_later(made_id)
        for delivery_id in ids:
            self._enqueue(delivery_id)
        return RecordReplayed(str(status), ids, None)

    def _replayed_parts(self, s: Session, msg: Row[Any], reading: Reading, seq: int, rows: list[CanonicalMessage],
                        paused: set[str], made: list[str]) -> tuple[list[CanonicalMessage], list[dict[str, Any]]]:
        """The canonical messages of a replayed record, at ``seq`` (its hooks' after the batch), and their
        deliveries."""
        if not reading.parts:  # the mapping now gives nothing for it: not for the hub
            return [], []
        keys = _Keys(s)
        canonical = self._canonical(s, msg, reading, reading.parts[0], seq, keys)
        deliveries: list[dict[str, Any]] = []
        derived: list[CanonicalMessage] = []
        self._pass_on(s, msg, canonical, paused, deliveries, made, derived)
        fresh = [canonical]
        for seq, more in enumerate(derived, start=max(c.seq for c in rows) + 1):
            more.seq = seq
            fresh.append(more)
            made += self._gather(s, msg, more, more.envelope())
            self._route(s, msg, more, more.envelope(), paused, deliveries)
        for write in keys.writes(datetime.now(UTC)):
            execute_write(s, write)
        return fresh, deliveries

    def _settle_batch(self, s: Session, msg: Row[Any], current: list[CanonicalMessage]) -> None:
        """The message's status, error and search text from its current canonical messages."""
        values: dict[str, Any] = {"status": rolled_up(str(c.status) for c in current), "updated_at": datetime.now(UTC),
                                  "error": None, "error_detail": null()}
        failed = sorted((c for c in current if c.status == MessageStatus.FAILED), key=lambda c: c.seq)
        if failed:
            batch = sum(1 for c in current if c.mapping is not None)  # a hook's message is not of the batch
            values.update(_records_failed([(c.seq, str(c.error)) for c in failed], batch))
        s.execute(update(I).where(I.c.id == msg.id).values(**values))
        execute_write(s, self._search_text(s, msg, [c.data for c in current if c.status != MessageStatus.FAILED]))

    def _search_text(self, s: Session, msg: Row[Any], payloads: list[Any]) -> Bound:
        """The masked copy of the message's current canonical payloads, for search (:mod:`hub.search`)."""
        return canonical_text(s.get_bind().dialect.name, msg.id,
                              search_text(self.registry.masked_fields(msg.connector), *payloads))

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
                if canonical.status == MessageStatus.FAILED:  # a record that failed alone has nothing to send
                    statuses.append(MessageStatus.FAILED)
                    continue
                envelope = canonical.envelope()
                echo = Echo(**canonical.echo_of) if canonical.echo_of and to is None else None  # `to`: a repair
                found = [t for t in targets(self.registry, envelope, origin=msg.connector,
                                            functions_for=self._functions_for(msg.connector), echo=echo)
                         if to is None or t.connector == to]
                statuses.append(self._route_status(canonical, envelope, found, msg.connector, echo))
                rows = self._deliveries(msg.id, canonical, envelope, found, set())
                if rows:
                    s.execute(insert(D).values(rows))
                ids += [d["id"] for d in rows]
            msg.status = rolled_up(statuses)
            msg.updated_at = datetime.now(UTC)
        for delivery_id in ids:
            self._enqueue(delivery_id)
        return ids

    def _route_status(self, canonical: CanonicalMessage, envelope: dict[str, Any], found: list[Target],
                      origin: str, echo: Echo | None = None) -> str:
        """delivering, or no_route with the reasons kept (so a trace can say why nobody received it)."""
        if any(not t.tap for t in found):
            canonical.status, canonical.no_route = MessageStatus.DELIVERING, None
        else:
            canonical.status = MessageStatus.NO_ROUTE
            canonical.no_route = why_no_route(self.registry, envelope, origin=origin,
                                              functions_for=self._functions_for(origin), echo=echo)
        return canonical.status

    def _deliveries(self, message_id: str, canonical: CanonicalMessage, envelope: dict[str, Any],
                    found: list[Target], paused: set[str]) -> list[dict[str, Any]]:
        """One delivery row per target (a paused connector's waits, ``paused``)."""
        now = datetime.now(UTC)
        return [dict(id=new_id(), message_id=message_id, canonical_id=canonical.id, connector=target.connector,
                     operation=target.operation_name, element=target.element,
                     ordering_key=None if target.tap else self._ordering_key(target.connector, envelope),
                     correlation_id=None if target.tap else canonical.correlation_id, tap=target.tap,
                     status=DeliveryStatus.PAUSED if target.connector in paused else DeliveryStatus.PENDING,
                     attempts=0, rounds=0, next_attempt_at=now, created_at=now, updated_at=now)
                for target in found]

    @staticmethod
    def _supersede(message_id: str) -> Write:
        """A new translation replaces the canonical messages of the previous one."""
        return Bound(_superseding(), {"superseded_message_id": message_id})

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

    def _canonical(self, s: Session, msg: Row[Any], reading: Reading, part: Part, seq: int,
                   keys: _Keys) -> CanonicalMessage:
        """The canonical message of one part (not added to the session: the translation inserts it)."""
        attrs = msg.attributes or {}
        for link in part.links:
            link_in(s, str(link["entity"]), link["ids"])
        when = part.time or (parse_time(attrs["time"]) if "time" in attrs else msg.received_at)
        canonical_id = new_id()
        correlation_id, causation_id = keys.correlate(part.keys, canonical_id, attrs, msg.id)
        traceparent = attrs.get("traceparent") or msg.headers.get("traceparent")
        ctype = reading.canonical_type
        return CanonicalMessage(
            id=canonical_id, message_id=msg.id, seq=seq, current=True, type=ctype.name,
            source=f"/connectors/{msg.connector}", subject=ctype.subject(part.data), time=when,
            dataschema=ctype.dataschema, correlation_id=correlation_id, causation_id=causation_id,
            traceparent=child_traceparent(traceparent) if traceparent else new_traceparent(),
            data=part.data, mapping=reading.mapping, created_at=datetime.now(UTC))


class _Keys:
    """The correlation keys one translation reads and moves: each read at most once, all written at the end.

    A later part of the same message sees what an earlier one did to a key (its correlation id, and
    itself as the last message). A key new to the store is inserted, so two translations creating
    the same key at once conflict (and the later is retried) rather than split one transaction in two.
    """

    def __init__(self, s: Session):
        self.s = s
        self.stored: dict[str, tuple[str, str] | None] = {}
        """key → (correlation id, last canonical id) as stored before this translation, None if absent."""
        self.now: dict[str, tuple[str, str]] = {}
        """key → (correlation id, last canonical id) after this translation's parts so far."""

    def correlate(self, keys: list[str], canonical_id: str, attrs: dict[str, Any],
                  message_id: str) -> tuple[str, str | None]:
        """(correlation id, causation id) from the sender's attributes, else the business keys."""
        keys = list(dict.fromkeys(k[:255] for k in keys))
        unread = [k for k in keys if k not in self.stored]
        if unread:
            found = {r.key: (r.correlation_id, r.last_canonical_id) for r in self.s.execute(
                select(K.c.key, K.c.correlation_id, K.c.last_canonical_id).where(K.c.key.in_(unread)))}
            self.stored.update({k: found.get(k) for k in unread})
        first = next((known for k in keys if (known := self.now.get(k) or self.stored[k]) is not None), None)
        correlation_id = str(attrs.get("correlationid") or (first[0] if first else message_id))
        causation_id = attrs.get("causationid") or (first[1] if first else None)
        for k in keys:
            known = self.now.get(k) or self.stored[k]
            self.now[k] = (known[0] if known else correlation_id, canonical_id)
        return correlation_id, causation_id

    def writes(self, now: datetime) -> list[Write]:
        """The inserts and updates that store the keys as this translation leaves them."""
        new = [dict(key=k, correlation_id=cid, last_canonical_id=last, updated_at=now)
               for k, (cid, last) in self.now.items() if self.stored[k] is None]
        moved: dict[str, list[str]] = {}
        for k, (_, last) in self.now.items():
            if self.stored[k] is not None:
                moved.setdefault(last, []).append(k)
        writes: list[Write] = [insert_rows(K, new)] if new else []
        writes += [Bound(_moving_keys(i), {f"moved_{i}__keys": ks, f"moved_{i}__last": last, f"moved_{i}__at": now})
                   for i, (last, ks) in enumerate(moved.items())]
        return writes


@dataclass(frozen=True)
class RecordReplayed:
    """What a failed record's replay did: its new status, the deliveries it made, the error if it failed again."""

    status: str
    deliveries: list[str]
    error: str | None


def _failed_record(current: list[CanonicalMessage], message_id: str, index: int) -> CanonicalMessage:
    """The current row of failed record ``index`` (NotFound when the batch has no such record;
    RecordNotReplayable when that record did not fail, or was replayed already)."""
    found = next((c for c in current if c.seq == index), None)
    failed = sorted(c.seq for c in current if c.status == MessageStatus.FAILED)
    if found is None:
        raise NotFound(f"message {message_id} has no record [{index}]; its failed records: "
                       f"{', '.join(f'[{i}]' for i in failed) or 'none'}")
    if found.status != MessageStatus.FAILED:
        raise RecordNotReplayable(f"record [{index}] of message {message_id} is {found.status}, not failed: "
                              "only a failed record is replayed alone", status=found.status)
    return found


def _records_failed(failed: list[tuple[int, str]], batch: int) -> dict[str, Any]:
    """The message's ``error`` and ``error_detail`` while records of its batch are failed: (index, error) each."""
    first_index, first_error = failed[0]
    text = (f"record [{first_index}] of a batch of {batch} failed: {first_error}" if len(failed) == 1 else
            f"{len(failed)} records of a batch of {batch} failed; record [{first_index}]: {first_error}")
    return {"error": text, "error_detail": {"kind": "records", "message": text, "batch": batch,
                                            "failed": [index for index, _ in failed]}}


def _read_back(canonical: CanonicalMessage) -> dict[str, Any]:
    """A canonical message's envelope as the store gives it back (its time in UTC)."""
    return {**canonical.envelope(), "time": canonical.time.astimezone(UTC).isoformat()}


def _row(table: Table, obj: Any) -> dict[str, Any]:
    """A transient ORM object's column values, for a Core insert."""
    return {c.name: getattr(obj, c.key) for c in table.columns}


@cache
def _taking(force: bool) -> ReturningUpdate[Any]:
    """The message taken for translation (its row locked) and read, built once: counted as finished,
    whatever it gives, so no worker died in it (:mod:`hub.workers.poison`). Unless ``force``d, only a
    message waiting for translation. Parameters: ``taken_id``, ``taken_at``."""
    taken = update(I).where(I.c.id == bindparam("taken_id")).values(
        translations=I.c.translations + 1, translation_starts=0,
        updated_at=bindparam("taken_at", type_=I.c.updated_at.type))
    if not force:
        taken = taken.where(I.c.status == MessageStatus.RECEIVED)
    return taken.returning(I.c.id, I.c.connector, I.c.mode, I.c.native_type, I.c.headers, I.c.body,
                           I.c.attributes, I.c.received_at)


@cache
def _moving_keys(i: int) -> Update:
    """The ``i``-th group of correlation keys a translation moves to one canonical message, built once."""
    return (update(K).where(K.c.key.in_(bindparam(f"moved_{i}__keys", expanding=True)))
            .values(last_canonical_id=bindparam(f"moved_{i}__last"),
                    updated_at=bindparam(f"moved_{i}__at", type_=K.c.updated_at.type)))


@cache
def _superseding() -> Update:
    return (update(C).where(C.c.message_id == bindparam("superseded_message_id"), C.c.current)
            .values(current=False, status=MessageStatus.SUPERSEDED))
