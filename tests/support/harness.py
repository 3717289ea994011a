"""What the per-system mapping tests share when they round-trip messages through a reference system.

A reference system runs in process (FastAPI's TestClient); its webhooks stay in its outbox and are
read from ``/_admin/webhooks``; calls are made as the connector file says; the ids the system
reveals go into a cross-reference seeded from ``mappings/xref/company.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol

import pytest
import yaml

from hub.connectors.models import Connector, InboundEvent
from hub.mapping.library import MappingCase, MappingLibrary
from hub.settings import REPO_ROOT

Envelope = Callable[[str, dict[str, Any], str, datetime], dict[str, Any]]


class SeededXref:
    """The seeded cross-reference plus what the connector's ``xref`` / ``response_xref`` reveal."""

    def __init__(self) -> None:
        data = yaml.safe_load((REPO_ROOT / "mappings" / "xref" / "company.yaml").read_text(encoding="utf-8"))
        self.records: dict[str, list[dict[str, str]]] = {
            entity: [{k: str(v) for k, v in ids.items()} for ids in rows] for entity, rows in data.items()}

    def __call__(self, entity: str, value: str, frm: str, to: str) -> str | None:
        for ids in self.records.get(entity, []):
            if ids.get(frm) == value and to in ids:
                return ids[to]
        return None

    def link(self, found: Any) -> None:
        for ref in found if isinstance(found, list) else [] if found is None else [found]:
            self.records.setdefault(ref["entity"], []).append({k: str(v) for k, v in ref["ids"].items()})


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


class Calls(Protocol):
    def outbound(self, envelope: dict[str, Any]) -> list[tuple[str, str, str, Any]]: ...

    def answered(self, operation: str, envelope: dict[str, Any], request: Any, response: Any) -> None: ...


def send(client: Any, hub: Calls, envelope: dict[str, Any]) -> list[Any]:
    """Make every call the connector's subscriptions make for ``envelope``; return the answers."""
    answers = []
    for op, method, path, body in hub.outbound(envelope):
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
