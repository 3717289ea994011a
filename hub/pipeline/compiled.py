"""Connectors compiled once: each event and operation is one object holding all of its parts.

The connector file says *what* (YAML validated into :mod:`hub.connectors.models`);
these objects hold the same declarations with every JSONata expression and
mapping compiled, so a stage reads ``event.time`` or ``operation.each`` from
one place instead of parallel tables keyed by ``(connector, name)``.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.models import Aggregation, Connector, InboundEvent, Operation, Query, ResponseRule, Subscription
from hub.connectors.sources import DatabaseSource, FileSource, HttpSource
from hub.errors import MappingError
from hub.mapping import Compiled

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
DOT_SEGMENTS = {".", ".."}


@dataclass(frozen=True)
class PathTemplate:
    """``/orders/{data.order_no}``: literal parts and compiled JSONata placeholders."""

    template: str
    parts: tuple[str | Compiled, ...]

    def render(self, data: Any, functions: Any = None, bindings: dict[str, Any] | None = None) -> str:
        """The path for ``data``, each placeholder's value URL-encoded; an empty one is an error.

        ``.`` and ``..`` are encoded too (``%2E``), so a value can never climb out of its segment.
        """
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.evaluate(data, bindings, functions)
            if value is None or value == "":
                raise MappingError(f"path {self.template!r}: a placeholder is empty for this message")
            text = str(value)
            out.append(text.replace(".", "%2E") if text in DOT_SEGMENTS else urllib.parse.quote(text, safe=""))
        return "".join(out)

    def text(self, data: Any) -> str:
        """The template filled in as plain text (a query parameter's value; the HTTP client encodes it)."""
        out = []
        for part in self.parts:
            value = part if isinstance(part, str) else part.evaluate(data)
            out.append("" if value is None else value if isinstance(value, str) else _plain_text(value))
        return "".join(out)


def _plain_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class CompiledRule:
    rule: ResponseRule
    when: Compiled | None


@dataclass(frozen=True)
class CompiledEvent:
    """A native event with its mapping, time, business keys, revealed cross-references and splitter."""

    connector: str
    name: str
    declared: InboundEvent
    mapping: str
    """The mapping file's name, looked up in the library at each use (so a reload takes effect)."""
    time: Compiled | None
    correlate: tuple[Compiled, ...]
    xref: tuple[Compiled, ...]
    records: Compiled | None = None
    """With ``records:``: the batch's records, each mapped alone (see ``InboundEvent.records``)."""

    @property
    def canonical(self) -> str:
        return self.declared.canonical

    @property
    def split(self) -> bool:
        return self.declared.split


@dataclass(frozen=True)
class CompiledOperation:
    """A call to a system: path, mapping, one call per element (``each``), answer rules and revealed ids."""

    connector: str
    name: str
    declared: Operation
    path: PathTemplate
    mapping: str | None
    each: Compiled | None
    responses: tuple[CompiledRule, ...]
    response_xref: Compiled | None
    file_name: PathTemplate | None = None
    """With ``write: {kind: file}``: the file's name, on ``{delivery_id, data}``."""
    enrich: dict[str, Compiled] = field(default_factory=dict)
    """Content enricher: each name's query request (JSONata on the envelope); see ``declared.enrich``."""

    @property
    def method(self) -> str:
        return self.declared.method

    @property
    def headers(self) -> dict[str, str]:
        return self.declared.headers


@dataclass(frozen=True)
class Route:
    """A subscription resolved: deliver messages of ``type`` to ``connector``'s ``operation``.

    A recipient list (``recipients``) has no operation of its own: routing evaluates it on each
    message and makes one route per operation it names, chosen among ``choices``.
    """

    connector: str
    operation: CompiledOperation | None
    subscription: Subscription
    filter: Compiled | None
    recipients: Compiled | None = None
    choices: dict[str, CompiledOperation] = field(default_factory=dict)

    @property
    def operation_name(self) -> str:
        assert self.operation is not None, "a recipient list is resolved by routing.match"
        return self.operation.name

    @property
    def wire_tap(self) -> bool:
        return self.subscription.wire_tap


@dataclass(frozen=True)
class CompiledQuery:
    declared: Query
    path: PathTemplate
    params: str | None
    response: str


@dataclass(frozen=True)
class CompiledSource:
    """A connector's ``poll:`` with its expressions compiled: record key, watermark, records selector,
    next-page cursor and query parameters."""

    declared: HttpSource | DatabaseSource | FileSource
    key: Compiled | None
    watermark: Compiled | None = None
    records: Compiled | None = None
    next: Compiled | None = None
    query: dict[str, PathTemplate] = field(default_factory=dict)


AGGREGATION_EVENT = "aggregation/"
"""Prefix of the native event a complete aggregation's message carries: ``aggregation/<name>``."""


@dataclass(frozen=True)
class CompiledAggregation:
    """An aggregator: which messages it gathers, by which key, when it is complete."""

    connector: str
    name: str
    declared: Aggregation
    by: Compiled
    filter: Compiled | None
    when: Compiled | None

    @property
    def event(self) -> str:
        """The native event its message is translated as (one of the connector's compiled events)."""
        return AGGREGATION_EVENT + self.name


@dataclass(frozen=True)
class CompiledConnector:
    declared: Connector
    event_type: Compiled
    ordering_key: Compiled | None
    events: dict[str, CompiledEvent] = field(default_factory=dict)
    operations: dict[str, CompiledOperation] = field(default_factory=dict)
    queries: dict[str, CompiledQuery] = field(default_factory=dict)
    aggregations: dict[str, CompiledAggregation] = field(default_factory=dict)
    poll: CompiledSource | None = None

    @property
    def name(self) -> str:
        return self.declared.name
