"""What the per-system mapping tests share when they round-trip messages through a reference system.

A reference system runs in process (FastAPI's TestClient); its webhooks stay in its outbox and are
read from ``/_admin/webhooks``; :class:`DryHub` does what the hub does with them and for them — the
same functions the workers call, on the repository's own connectors and mappings, with no database
or network; the ids the system reveals go into a cross-reference seeded from
``mappings/xref/company.yaml`` (code tables) and ``tests/support/xref_ground_truth.yaml`` (the
master data's cross-references, which a running hub builds by matching).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from hub.connectors.models import Connector, InboundEvent
from hub.errors import MappingError
from hub.mapping import make_engine
from hub.mapping.functions import hub_functions
from hub.mapping.library import MappingCase, MappingLibrary
from hub.pipeline.inbound import is_ignored, native_type_of, read_native
from hub.pipeline.outbound import outbound_call, revealed_links
from hub.pipeline.routing import targets
from hub.queries import query_answer, query_call
from hub.registry import Registry, load_registry
from hub.settings import REPO_ROOT

GROUND_TRUTH = Path(__file__).with_name("xref_ground_truth.yaml")
"""The master data's cross-references as they were written by hand before the hub matched them."""

Envelope = Callable[[str, dict[str, Any], str, datetime], dict[str, Any]]


class SeededXref:
    """The seeded cross-reference plus what the connector's ``xref`` / ``response_xref`` reveal."""

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, str]]] = {}
        for path in (REPO_ROOT / "mappings" / "xref" / "company.yaml", GROUND_TRUTH):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for entity, rows in data.items():
                self.records.setdefault(entity, []).extend({k: str(v) for k, v in ids.items()} for ids in rows)

    def __call__(self, entity: str, value: str, frm: str, to: str) -> str | None:
        for ids in self.records.get(entity, []):
            if ids.get(frm) == value and to in ids:
                return ids[to]
        return None

    def link(self, found: Any) -> None:
        for ref in found if isinstance(found, list) else [] if found is None else [found]:
            self.records.setdefault(ref["entity"], []).append({k: str(v) for k, v in ref["ids"].items()})


@cache
def repository_registry(engine: str) -> Registry:
    """The repository's connectors and mappings, loaded once per engine."""
    return load_registry(REPO_ROOT, make_engine(engine))


Call = tuple[str, str, str, Any]
"""(operation, method, path, body); the body is the MappingError when the outbound mapping refused."""


class DryHub:
    """The hub's translation, routing and call-building for one system, without a database or network."""

    def __init__(self, system: str, engine: str, *,
                 check: Callable[[str, dict[str, Any]], None] | None = None):
        self.system = system
        self.registry = repository_registry(engine)
        self.xref = SeededXref()
        self.check = check or (lambda ctype, data: self.registry.catalog.get(ctype).validate(data))
        """How a test's canonical envelope is checked before it is routed (default: its JSON Schema)."""
        self._ids = itertools.count(1)

    def functions(self, source: str, target: str) -> dict[str, Any]:
        return hub_functions(source=source, target=target, xref=self.xref, codes=self.registry.mappings.codes)

    def inbound(self, body: dict[str, Any], native_type: str | None = None) -> tuple[dict[str, Any], list[str]] | None:
        """A webhook body (or a polled record of ``native_type``) of the system → (canonical envelope,
        correlation keys); None when the hub ignores the event. The cross-references it reveals are
        learnt. For an event that splits into several messages, use :meth:`inbound_all`."""
        found = self.inbound_all(body, native_type)
        assert len(found) <= 1, f"the event gives {len(found)} canonical messages: use inbound_all"
        return found[0] if found else None

    def inbound_all(self, body: dict[str, Any], native_type: str | None = None) -> list[tuple[dict[str, Any], list[str]]]:
        """Every (canonical envelope, correlation keys) a webhook body gives, in order (a split gives several)."""
        native = native_type or native_type_of(self.registry, self.system, body)
        if is_ignored(self.registry, self.system, native):
            return []
        reading = read_native(self.registry, self.system, body, native_type=native,
                              functions=self.functions(self.system, "canonical"))
        if reading.failed:  # the hub would park these records alone; a test means every record to map
            raise reading.failed[0].error
        out = []
        for part in reading.parts:
            self.xref.link(part.links)
            assert part.time is None or part.time.tzinfo is not None, "an event time must carry its offset"
            when = (part.time or datetime.fromisoformat("2026-11-22T10:00:00+08:00")).isoformat()
            out.append(({"specversion": "1.0", "id": f"{self.system}-{next(self._ids)}",
                         "source": f"/connectors/{self.system}", "type": reading.canonical_type.name,
                         "subject": reading.canonical_type.subject(part.data), "time": when,
                         "data": part.data}, part.keys))
        return out

    def outbound(self, envelope: dict[str, Any]) -> list[Call]:
        """The calls the system's subscriptions make for a canonical envelope."""
        self.check(envelope["type"], envelope["data"])
        origin = envelope["source"].removeprefix("/connectors/")
        calls: list[Call] = []
        functions_for = lambda t: self.functions(origin, t)  # noqa: E731
        for target in targets(self.registry, envelope, origin=origin, functions_for=functions_for):
            if target.connector != self.system:
                continue
            op = target.route.operation
            mapping = self.registry.mappings.get(op.mapping) if op.mapping else None
            try:
                call = outbound_call(op, envelope, self.functions(origin, self.system), mapping=mapping,
                                     element=target.element)
            except MappingError as exc:
                calls.append((op.name, op.method, "", exc))
                continue
            calls.append((op.name, call.method, call.path, call.body))
        return calls

    def answered(self, operation: str, envelope: dict[str, Any], request: Any, response: Any) -> None:
        """What the hub does with a successful answer: learn the cross-references it reveals."""
        self.xref.link(revealed_links(self.registry.operation(self.system, operation), request=request,
                                      response=response, data=envelope["data"],
                                      source=envelope["source"].removeprefix("/connectors/")))

    def query(self, name: str, request: dict[str, Any], system: str, call: Callable[..., Any]) -> Any:
        """Ask the system query ``name`` on ``system``'s behalf; ``call(method, path, params)`` answers."""
        method = self.registry.connectors[self.system].queries[name].method
        path, params = query_call(self.registry, self.system, name, request, system,
                                  self.functions(system, self.system))
        answer = call(method, path, params or {})
        return query_answer(self.registry, self.system, name, request, system, answer,
                            self.functions(self.system, system))


class Outbox:
    """A system's webhook bodies as the hub receives them, read once each, oldest first."""

    def __init__(self, client: Any, envelope: Envelope):
        self.client = client
        self.envelope = envelope
        self.seen: set[str] = set()

    def new(self) -> list[dict[str, Any]]:
        rows = list(reversed(self.client.get("/_admin/webhooks", params={"limit": 1000}).json()))
        fresh = [r for r in rows if r["event_id"] not in self.seen]
        self.seen |= {r["event_id"] for r in fresh}
        return [self.envelope(r["event_type"], r["data"], r["event_id"], datetime.fromisoformat(r["created_at"]))
                for r in fresh]


def send(client: Any, hub: DryHub, envelope: dict[str, Any], *, calls: list[Call] | None = None,
         models: dict[str, type[BaseModel]] | None = None) -> list[Any]:
    """Make ``calls`` (default: every call the system's subscriptions make for ``envelope``) on the
    system and let the hub learn from each answer; return the answers. With ``models``, each body
    must first pass its operation's request model (unknown fields refused)."""
    answers = []
    for op, method, path, body in hub.outbound(envelope) if calls is None else calls:
        assert not isinstance(body, Exception), f"{op}: {body}"
        if models is not None:
            models[op].model_validate(body)
        r = client.request(method, path, json=body)
        assert r.status_code < 300, f"{method} {path} {body} → {r.status_code} {r.text}"
        hub.answered(op, envelope, body, r.json())
        answers.append(r.json())
    return answers


def inbound_cases(connector: Connector, library: MappingLibrary) -> Iterator[tuple[str, InboundEvent, MappingCase]]:
    """(native event, its declaration, case) for every inbound mapping case that expects an output."""
    for native, event in connector.inbound.events.items():
        for case in library.get(event.mapping).cases:
            if case.error is None:
                yield native, event, case


def outbound_cases(connector: Connector, library: MappingLibrary) -> Iterator[Any]:
    """pytest params (canonical type, operation, case) for every case of every subscribed operation."""
    for sub in connector.subscriptions:
        op = connector.operations[sub.operation]
        assert op.mapping, f"operation {sub.operation} has no mapping"
        for case in library.get(op.mapping).cases:
            yield pytest.param(sub.type, sub.operation, case, id=f"{sub.operation}::{case.name}")
