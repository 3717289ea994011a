"""Inbound stage: one native body → the canonical messages it stands for. Pure: no database, no I/O.

The connector's event declaration decides: its mapping gives the canonical
payload (or, with ``split: true``, an array of payloads — the splitter), each
validated by the catalog, with its time, business keys (``correlate``) and the
cross-references it reveals (``xref``). The translate worker and the test
harness call the same function.

A split is read record by record so that one bad record never holds the others back. With
``records:`` the event names its batch's records and the mapping is evaluated once per record (the
record as its input, the whole body as ``$native``): a record whose mapping throws, or whose payload
breaks the schema, becomes a :class:`FailedRecord` beside the good parts. Without ``records:`` the
mapping runs once over the body, and a payload that breaks the schema fails alone all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.catalog import CanonicalType
from hub.envelope import parse_time
from hub.errors import ConfigError, MappingError, SchemaError
from hub.pipeline.compiled import CompiledEvent
from hub.registry import Registry
from hub.xref import links_of


@dataclass(frozen=True)
class Part:
    """One canonical message a native event yields."""

    data: dict[str, Any]
    """The canonical payload, validated."""
    time: datetime | None
    """When it happened, by the event's ``time`` expression; None when the event declares none."""
    links: list[dict[str, Any]]
    """Cross-references it reveals (``xref:``)."""
    keys: list[str]
    """Business keys that tie it to a transaction (``correlate:``)."""
    index: int = 0
    """Its record's place in a split batch (0 for an event that is not split)."""


@dataclass(frozen=True)
class FailedRecord:
    """A record of a split batch that gave no valid payload: kept with its error, to be replayed alone."""

    index: int
    record: Any
    """What failed: the record the mapping was given (``records:``), else the payload the schema refused."""
    error: MappingError | SchemaError


@dataclass(frozen=True)
class Reading:
    """What a connector's inbound declaration makes of one native body."""

    native_type: str
    canonical_type: CanonicalType
    mapping: str
    parts: list[Part]
    """In order; empty when the mapping yields nothing (the event is not for the hub)."""
    failed: list[FailedRecord] = field(default_factory=list)
    """Records of a split batch that failed alone, in order (the others are in ``parts``)."""

    @property
    def batch_size(self) -> int:
        return len(self.parts) + len(self.failed)

    def in_order(self) -> list[Part | FailedRecord]:
        """The parts and the failed records together, in the batch's order."""
        return sorted([*self.parts, *self.failed], key=lambda item: item.index)


def native_type_of(registry: Registry, connector: str, body: Any) -> str:
    """The native event name, read with the connector's ``inbound.event_type``."""
    compiled = registry.compiled.get(connector)
    if compiled is None:
        raise ConfigError(f"connector {connector!r} is no longer configured")
    value: Any = compiled.event_type.evaluate(body)
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
    """Map one native body to its canonical parts (and, for a split, the records that failed alone)."""
    native_type = native_type or native_type_of(registry, connector, body)
    event = _event(registry, connector, native_type)
    ctype = registry.catalog.get(event.canonical)
    reading = Reading(native_type, ctype, event.mapping, [])
    if event.records is not None:
        for i, record in enumerate(_records(event, body, bindings, functions)):
            _read_record(registry, event, reading, body, i, record, bindings, functions)
        return reading
    output = registry.mappings.get(event.mapping).evaluate(body, bindings, functions)
    if not event.split:
        if output is not None:
            ctype.validate(output)
            reading.parts.append(_part(registry, event, body, output, functions))
        return reading
    for i, payload in enumerate(_payloads(output)):
        _keep(registry, event, reading, body, i, payload, payload, functions)
    return reading


def read_again(registry: Registry, connector: str, body: Any, native_type: str, index: int, record: Any, *,
               functions: dict[str, Any], bindings: dict[str, Any] | None = None) -> Reading:
    """Map record ``index`` of a split batch again with the current mapping (a failed record's replay).

    With ``records:`` the stored ``record`` is mapped alone; without, the mapping runs over the body
    and its payload ``index`` is taken. The reading holds that one record, as a part or as failed.
    """
    event = _event(registry, connector, native_type)
    if not event.split:
        raise ConfigError(f"{connector}'s event {native_type!r} is no longer split")
    reading = Reading(native_type, registry.catalog.get(event.canonical), event.mapping, [])
    if event.records is not None:
        _read_record(registry, event, reading, body, index, record, bindings, functions)
        return reading
    try:
        payloads = _payloads(registry.mappings.get(event.mapping).evaluate(body, bindings, functions))
        if index >= len(payloads):
            raise MappingError(f"the mapping now gives {len(payloads)} payload(s): there is no payload [{index}]",
                               file=event.mapping)
    except MappingError as exc:
        reading.failed.append(FailedRecord(index, record, exc))
        return reading
    _keep(registry, event, reading, body, index, payloads[index], payloads[index], functions)
    return reading


def _event(registry: Registry, connector: str, native_type: str) -> CompiledEvent:
    event = registry.event(connector, native_type)
    if event is None:
        known = ", ".join(sorted(registry.compiled[connector].events)) or "none"
        raise ConfigError(f"connector {connector!r} has no inbound event {native_type!r} (known: {known})")
    return event


def _records(event: CompiledEvent, body: Any, bindings: dict[str, Any] | None,
             functions: dict[str, Any]) -> list[Any]:
    """The batch's records by the event's ``records`` expression (one record stands for itself)."""
    assert event.records is not None
    value = event.records.evaluate(body, bindings, functions)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _payloads(output: Any) -> list[Any]:
    """A split mapping's payloads, in order (JSONata gives a one-element sequence as the element itself)."""
    if output is not None and not isinstance(output, list):
        output = [output]
    return [p for p in output or [] if p is not None]


def _read_record(registry: Registry, event: CompiledEvent, reading: Reading, body: Any, index: int,
                 record: Any, bindings: dict[str, Any] | None, functions: dict[str, Any]) -> None:
    """Map one record alone: a part, a failed record, or nothing (its mapping gives nothing).

    ``$native`` is bound only for a mapping that reads it: an engine may convert every binding at each
    evaluation, and the whole body once per record is what makes a large batch slow.
    """
    mapping = registry.mappings.get(event.mapping)
    if "$native" in mapping.source:
        bindings = {**(bindings or {}), "native": body}
    try:
        payload = mapping.evaluate(record, bindings, functions)
    except MappingError as exc:
        reading.failed.append(FailedRecord(index, record, exc))
        return
    if payload is not None:
        _keep(registry, event, reading, body, index, payload, record, functions)


def _keep(registry: Registry, event: CompiledEvent, reading: Reading, body: Any, index: int, payload: Any,
          record: Any, functions: dict[str, Any]) -> None:
    """Validate one payload of a split; a part if it holds, else a failed record (the others go on)."""
    try:
        reading.canonical_type.validate(payload)
        reading.parts.append(_part(registry, event, body, payload, functions, index=index))
    except (MappingError, SchemaError) as exc:
        reading.failed.append(FailedRecord(index, record, exc))


def _part(registry: Registry, event: CompiledEvent, body: Any, data: dict[str, Any],
          functions: dict[str, Any], *, index: int = 0) -> Part:
    try:
        when = parse_time(event.time.evaluate(body)) if event.time else None
    except (ValueError, TypeError) as exc:
        raise MappingError(f"event time: {exc}", file=str(registry.files[event.connector].doc.path)) from None
    context = {"native": body, "data": data}
    links = [link for expr in event.xref for link in links_of(expr.evaluate(context, None, functions))]
    keys = [str(k) for expr in event.correlate
            for k in _as_list(expr.evaluate(context, None, functions)) if k not in (None, "")]
    return Part(data, when, links, keys, index)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
