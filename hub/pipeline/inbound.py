"""Inbound stage: one native body → the canonical messages it stands for. Pure: no database, no I/O.

The connector's event declaration decides: its mapping gives the canonical
payload (or, with ``split: true``, an array of payloads — the splitter), each
validated by the catalog, with its time, business keys (``correlate``) and the
cross-references it reveals (``xref``). The translate worker and the test
harness call the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Reading:
    """What a connector's inbound declaration makes of one native body."""

    native_type: str
    canonical_type: CanonicalType
    mapping: str
    parts: list[Part]
    """In order; empty when the mapping yields nothing (the event is not for the hub)."""


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
    """Map one native body to its canonical parts."""
    native_type = native_type or native_type_of(registry, connector, body)
    event = registry.event(connector, native_type)
    if event is None:
        known = ", ".join(sorted(registry.compiled[connector].events)) or "none"
        raise ConfigError(f"connector {connector!r} has no inbound event {native_type!r} (known: {known})")
    ctype = registry.catalog.get(event.canonical)
    output = registry.mappings.get(event.mapping).evaluate(body, bindings, functions)
    if event.split:
        if output is not None and not isinstance(output, list):
            output = [output]  # JSONata gives a one-element sequence as the element itself
        payloads = [p for p in output or [] if p is not None]
    else:
        payloads = [] if output is None else [output]
    parts = []
    for i, data in enumerate(payloads):
        try:
            ctype.validate(data)
        except SchemaError as exc:
            if not event.split:
                raise
            raise SchemaError(exc.message, schema=exc.schema, path=f"/{i}{exc.path}") from None
        parts.append(_part(registry, event, body, data, functions))
    return Reading(native_type, ctype, event.mapping, parts)


def _part(registry: Registry, event: CompiledEvent, body: Any, data: dict[str, Any],
          functions: dict[str, Any]) -> Part:
    try:
        when = parse_time(event.time.evaluate(body)) if event.time else None
    except (ValueError, TypeError) as exc:
        raise MappingError(f"event time: {exc}", file=str(registry.files[event.connector].doc.path)) from None
    context = {"native": body, "data": data}
    links = [link for expr in event.xref for link in links_of(expr.evaluate(context, None, functions))]
    keys = [str(k) for expr in event.correlate
            for k in _as_list(expr.evaluate(context, None, functions)) if k not in (None, "")]
    return Part(data, when, links, keys)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
