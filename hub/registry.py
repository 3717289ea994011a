"""One registry of connectors, mappings, canonical types and subscriptions.

Loaded and cross-checked at start (and by ``hub connectors check``): every
mapping a connector names exists and compiles, every canonical type exists,
every filter and path template compiles. The API, the dashboard, the CLI and
the workers all read this same registry.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.catalog import Catalog
from hub.connectors import Connector, ConnectorFile, Operation, Subscription, load_connectors
from hub.connectors.models import Query
from hub.errors import ConfigError, HubError, MappingError
from hub.mapping import Compiled, Engine, MappingLibrary

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Route:
    """A subscription resolved: deliver messages of ``type`` to ``connector``'s ``operation``."""

    connector: str
    operation_name: str
    operation: Operation
    subscription: Subscription
    filter: Compiled | None


@dataclass(frozen=True)
class PathTemplate:
    """``/orders/{data.order_no}``: literal parts and compiled JSONata placeholders."""

    template: str
    parts: tuple[str | Compiled, ...]

    def render(self, data: Any, functions: Any = None) -> str:
        """The path for ``data``, each placeholder's value URL-encoded; an empty one is an error."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.evaluate(data, None, functions)
            if value is None or value == "":
                raise MappingError(f"path {self.template!r}: a placeholder is empty for this message")
            out.append(urllib.parse.quote(str(value), safe=""))
        return "".join(out)


class Registry:
    def __init__(self, config_dir: Path, engine: Engine):
        self.config_dir = config_dir
        self.engine = engine
        self.catalog = Catalog(config_dir / "mappings" / "canonical")
        self.mappings = MappingLibrary(config_dir / "mappings", engine)
        self.files: dict[str, ConnectorFile] = load_connectors(config_dir / "connectors")
        self.connectors: dict[str, Connector] = {name: f.connector for name, f in self.files.items()}
        self.routes: dict[str, list[Route]] = {}
        self.paths: dict[tuple[str, str], PathTemplate] = {}
        self.event_time: dict[tuple[str, str], Compiled] = {}
        self.event_correlate: dict[tuple[str, str], list[Compiled]] = {}
        self.event_xref: dict[tuple[str, str], list[Compiled]] = {}
        self.event_type: dict[str, Compiled] = {}
        self.response_xref: dict[tuple[str, str], Compiled] = {}
        self.query_paths: dict[tuple[str, str], PathTemplate] = {}
        self.ordering: dict[str, Compiled] = {}
        self._check_and_compile()

    def connector(self, name: str) -> Connector | None:
        return self.connectors.get(name)

    def routes_for(self, canonical_type: str) -> list[Route]:
        return self.routes.get(canonical_type, [])

    def _compile(self, f: ConnectorFile, source: str, *path: object) -> Compiled:
        try:
            return self.engine.compile(source, file=str(f.doc.path))
        except MappingError as exc:
            raise f.error(f"{'.'.join(map(str, path))}: invalid JSONata: {exc.message}", *path) from None

    def _mapping(self, f: ConnectorFile, name: str, *path: object) -> None:
        if not self.mappings.exists(name):
            raise f.error(f"mapping file {name!r} does not exist under mappings/", *path)
        try:
            self.mappings.get(name)
        except HubError as exc:
            raise f.error(f"mapping {name!r} does not compile: {exc}", *path) from None

    def _type(self, f: ConnectorFile, name: str, *path: object) -> None:
        if name not in self.catalog:
            raise f.error(f"unknown canonical type {name!r}; no mappings/canonical/{name}.schema.json", *path)

    def _check_and_compile(self) -> None:
        for name, f in self.files.items():
            c = f.connector
            self.event_type[name] = self._compile(f, c.inbound.event_type, "inbound", "event_type")
            if c.ordering_key:
                self.ordering[name] = self._compile(f, c.ordering_key, "ordering_key")
            for event_name, event in c.inbound.events.items():
                at = ("inbound", "events", event_name)
                self._type(f, event.canonical, *at, "canonical")
                self._mapping(f, event.mapping, *at, "mapping")
                if event.time:
                    self.event_time[(name, event_name)] = self._compile(f, event.time, *at, "time")
                self.event_correlate[(name, event_name)] = [
                    self._compile(f, src, *at, "correlate", i) for i, src in enumerate(event.correlate)]
                self.event_xref[(name, event_name)] = [
                    self._compile(f, src, *at, "xref", i) for i, src in enumerate(event.xref)]
            for op_name, op in c.operations.items():
                at = ("operations", op_name)
                if op.mapping:
                    self._mapping(f, op.mapping, *at, "mapping")
                if op.response_xref:
                    self.response_xref[(name, op_name)] = self._compile(f, op.response_xref, *at, "response_xref")
                self.paths[(name, op_name)] = self._template(f, op.path, *at, "path")
            for q_name, q in c.queries.items():
                at = ("queries", q_name)
                if q.params:
                    self._mapping(f, q.params, *at, "params")
                self._mapping(f, q.response, *at, "response")
                self.query_paths[(name, q_name)] = self._template(f, q.path, *at, "path")
            for i, sub in enumerate(c.subscriptions):
                at = ("subscriptions", i)
                self._type(f, sub.type, *at, "type")
                flt = self._compile(f, sub.filter, *at, "filter") if sub.filter else None
                self.routes.setdefault(sub.type, []).append(
                    Route(name, sub.operation, c.operations[sub.operation], sub, flt))

    def _template(self, f: ConnectorFile, template: str, *at: object) -> PathTemplate:
        parts: list[str | Compiled] = []
        pos = 0
        for m in PLACEHOLDER.finditer(template):
            parts.append(template[pos:m.start()])
            parts.append(self._compile(f, m.group(1), *at))
            pos = m.end()
        parts.append(template[pos:])
        return PathTemplate(template, tuple(parts))

    def answerers(self, query: str) -> list[tuple[str, Query]]:
        """The connectors that answer ``query``, with their declarations."""
        return [(name, c.queries[query]) for name, c in sorted(self.connectors.items()) if query in c.queries]

    def query_names(self) -> list[str]:
        return sorted({q for c in self.connectors.values() for q in c.queries})

    def check_mappings_compile(self) -> list[str]:
        """Every mapping file under mappings/ compiles; returns their names."""
        names = self.mappings.names()
        for n in names:
            self.mappings.get(n)
        return names


def load_registry(config_dir: Path, engine: Engine) -> Registry:
    try:
        return Registry(config_dir, engine)
    except MappingError as exc:
        raise ConfigError(str(exc)) from None
