"""One registry of connectors, mappings, canonical types and subscriptions.

Loaded and cross-checked at start (and by ``hub connectors check``): every
mapping a connector names exists and compiles, every canonical type exists,
every filter and path template compiles. The API, the dashboard, the CLI and
the workers all read this same registry.
"""

from __future__ import annotations

from pathlib import Path

from hub.catalog import Catalog
from hub.connectors import Connector, ConnectorFile, load_connectors
from hub.connectors.models import InboundEvent, Query
from hub.errors import ConfigError, HubError, MappingError
from hub.mapping import Compiled, Engine, MappingLibrary
from hub.pipeline.compiled import (
    PLACEHOLDER,
    CompiledAggregation,
    CompiledConnector,
    CompiledEvent,
    CompiledOperation,
    CompiledQuery,
    CompiledRule,
    CompiledSource,
    PathTemplate,
    Route,
)

__all__ = ["Registry", "Route", "PathTemplate", "load_registry"]


class Registry:
    def __init__(self, config_dir: Path, engine: Engine):
        self.config_dir = config_dir
        self.engine = engine
        self.catalog = Catalog(config_dir / "mappings" / "canonical")
        self.mappings = MappingLibrary(config_dir / "mappings", engine)
        self.files: dict[str, ConnectorFile] = load_connectors(config_dir / "connectors")
        self.connectors: dict[str, Connector] = {name: f.connector for name, f in self.files.items()}
        self.compiled: dict[str, CompiledConnector] = {}
        self.routes: dict[str, list[Route]] = {}
        self.aggregations: dict[str, list[CompiledAggregation]] = {}
        """Aggregators by the canonical type they gather."""
        self._two_way: dict[tuple[str, str], bool] = {}
        for name, f in self.files.items():
            self.compiled[name] = self._compile_connector(f)
        self._check_enrichments()

    def connector(self, name: str) -> Connector | None:
        return self.connectors.get(name)

    def masked_fields(self, *connectors: str) -> frozenset[str]:
        """The keys masked for messages of these connectors (a delivery: its origin's and its target's)."""
        found = (self.connectors.get(name) for name in connectors)
        return frozenset(f for c in found if c is not None for f in c.masked_fields)

    def routes_for(self, canonical_type: str) -> list[Route]:
        return self.routes.get(canonical_type, [])

    def two_way(self, connector: str, canonical_type: str) -> bool:
        """``connector`` both sends and receives ``canonical_type``: what the hub writes to it may come
        back as an event of its own (an echo, :mod:`hub.pipeline.echo`)."""
        key = (connector, canonical_type)
        if key not in self._two_way:
            c = self.compiled.get(connector)
            self._two_way[key] = (
                c is not None and any(e.canonical == canonical_type for e in c.events.values())
                and any(r.connector == connector and not r.wire_tap for r in self.routes_for(canonical_type)))
        return self._two_way[key]

    def event(self, connector: str, native_type: str) -> CompiledEvent | None:
        c = self.compiled.get(connector)
        return c.events.get(native_type) if c else None

    def aggregations_for(self, canonical_type: str) -> list[CompiledAggregation]:
        return self.aggregations.get(canonical_type, [])

    def operation(self, connector: str, operation: str) -> CompiledOperation:
        return self.compiled[connector].operations[operation]

    # ------------------------------------------------------------------ compiling, with file:line errors
    def _compile(self, f: ConnectorFile, source: str, *path: object) -> Compiled:
        try:
            return self.engine.compile(source, file=str(f.doc.path))
        except MappingError as exc:
            raise f.error(f"{'.'.join(map(str, path))}: invalid JSONata: {exc.message}", *path) from None

    def _mapping(self, f: ConnectorFile, name: str, *path: object) -> str:
        """``name`` once it is known to exist and compile (it is looked up at each use, so a reload counts)."""
        if not self.mappings.exists(name):
            raise f.error(f"mapping file {name!r} does not exist under mappings/", *path)
        try:
            self.mappings.get(name)
        except HubError as exc:
            raise f.error(f"mapping {name!r} does not compile: {exc}", *path) from None
        return name

    def _type(self, f: ConnectorFile, name: str, *path: object) -> None:
        if name not in self.catalog:
            raise f.error(f"unknown canonical type {name!r}; no mappings/canonical/{name}.schema.json", *path)

    def _compile_connector(self, f: ConnectorFile) -> CompiledConnector:
        c = f.connector
        compiled = CompiledConnector(
            declared=c, event_type=self._compile(f, c.inbound.event_type, "inbound", "event_type"),
            ordering_key=self._compile(f, c.ordering_key, "ordering_key") if c.ordering_key else None,
            poll=self._compile_source(f) if c.poll is not None else None)
        for event_name, event in c.inbound.events.items():
            at: tuple[object, ...] = ("inbound", "events", event_name)
            self._type(f, event.canonical, *at, "canonical")
            compiled.events[event_name] = CompiledEvent(
                connector=c.name, name=event_name, declared=event,
                mapping=self._mapping(f, event.mapping, *at, "mapping"),
                time=self._compile(f, event.time, *at, "time") if event.time else None,
                correlate=tuple(self._compile(f, src, *at, "correlate", i) for i, src in enumerate(event.correlate)),
                xref=tuple(self._compile(f, src, *at, "xref", i) for i, src in enumerate(event.xref)),
                records=self._compile(f, event.records, *at, "records") if event.records else None)
        for op_name, op in c.operations.items():
            at = ("operations", op_name)
            compiled.operations[op_name] = CompiledOperation(
                connector=c.name, name=op_name, declared=op, path=self._template(f, op.path, *at, "path"),
                mapping=self._mapping(f, op.mapping, *at, "mapping") if op.mapping else None,
                each=self._compile(f, op.each, *at, "each") if op.each else None,
                responses=tuple(CompiledRule(rule, self._compile(f, rule.when, *at, "responses", i, "when")
                                             if rule.when else None)
                                for i, rule in enumerate(op.responses)),
                response_xref=self._compile(f, op.response_xref, *at, "response_xref") if op.response_xref else None,
                file_name=self._template(f, op.write.name, *at, "write", "name")
                if op.write is not None and op.write.kind == "file" else None,
                enrich={n: self._compile(f, e.request, *at, "enrich", n, "request") for n, e in op.enrich.items()})
        for q_name, q in c.queries.items():
            at = ("queries", q_name)
            compiled.queries[q_name] = CompiledQuery(
                declared=q, path=self._template(f, q.path, *at, "path"),
                params=self._mapping(f, q.params, *at, "params") if q.params else None,
                response=self._mapping(f, q.response, *at, "response"))
        for agg_name, agg in c.aggregations.items():
            at = ("aggregations", agg_name)
            self._type(f, agg.gather, *at, "gather")
            self._type(f, agg.canonical, *at, "canonical")
            compiled_agg = CompiledAggregation(
                connector=c.name, name=agg_name, declared=agg, by=self._compile(f, agg.by, *at, "by"),
                filter=self._compile(f, agg.filter, *at, "filter") if agg.filter else None,
                when=self._compile(f, agg.completion.when, *at, "completion", "when") if agg.completion.when
                else None)
            compiled.aggregations[agg_name] = compiled_agg
            event = InboundEvent(canonical=agg.canonical, mapping=agg.mapping, correlate=agg.correlate,
                                 description=agg.description or f"aggregation {agg_name}")
            compiled.events[compiled_agg.event] = CompiledEvent(
                connector=c.name, name=compiled_agg.event, declared=event,
                mapping=self._mapping(f, agg.mapping, *at, "mapping"), time=None,
                correlate=tuple(self._compile(f, src, *at, "correlate", i) for i, src in enumerate(agg.correlate)),
                xref=())
            self.aggregations.setdefault(agg.gather, []).append(compiled_agg)
        for i, sub in enumerate(c.subscriptions):
            at = ("subscriptions", i)
            self._type(f, sub.type, *at, "type")
            flt = self._compile(f, sub.filter, *at, "filter") if sub.filter else None
            if sub.recipients is not None:
                route = Route(c.name, None, sub, flt, recipients=self._compile(f, sub.recipients, *at, "recipients"),
                              choices=compiled.operations)
            else:
                assert sub.operation is not None
                route = Route(c.name, compiled.operations[sub.operation], sub, flt)
            self.routes.setdefault(sub.type, []).append(route)
        return compiled

    def _check_enrichments(self) -> None:
        """Every enrichment asks a query some connector answers (known only once every file is read)."""
        known = self.query_names()
        for f in self.files.values():
            for op_name, op in f.connector.operations.items():
                for e_name, e in op.enrich.items():
                    if e.query not in known:
                        raise f.error(f"enrichment {e_name!r} asks query {e.query!r}, which no connector answers "
                                      f"(queries: {', '.join(known) or 'none'})",
                                      "operations", op_name, "enrich", e_name, "query")

    def _compile_source(self, f: ConnectorFile) -> CompiledSource:
        p = f.connector.poll
        assert p is not None
        key = self._compile(f, p.key, "poll", "key") if p.key else None
        inbound = f.connector.inbound
        if p.event is not None and p.event not in inbound.events and p.event not in inbound.ignore:
            raise f.error(f"poll.event {p.event!r} is not one of inbound.events "
                          f"({', '.join(sorted(inbound.events)) or 'none'})", "poll", "event")
        if p.kind == "files":
            return CompiledSource(p, key)
        nxt = None
        if p.kind == "http" and p.paginate is not None and p.paginate.style == "cursor":
            if not p.paginate.next:
                raise f.error("poll.paginate: style cursor needs `next` (JSONata on the response body → the "
                              "next page's cursor)", "poll", "paginate")
            nxt = self._compile(f, p.paginate.next, "poll", "paginate", "next")
        return CompiledSource(
            p, key, watermark=self._compile(f, p.watermark, "poll", "watermark") if p.watermark else None,
            records=self._compile(f, p.records, "poll", "records") if p.kind == "http" else None, next=nxt,
            query={k: self._template(f, v, "poll", "query", k) for k, v in p.query.items()} if p.kind == "http"
            else {})

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
