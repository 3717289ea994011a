"""The mapping playground: run any mapping (or an edited copy) on any input, and keep the result as a test.

The input is pasted JSON or a logged message: the raw body for an inbound
mapping, the canonical envelope for an outbound one (both masked as the
dashboard shows them). An inbound mapping that reads one record of a batch
(``records:``) gets a record — a failed one first — with the message's body
as ``$native``. ``$xref`` answers from the live cross-reference and
every lookup is recorded, so that a saved test case carries its own fixture
and runs anywhere. The source is anyone's typing, so it runs in the
:mod:`~hub.mapping.sandbox`, never in the hub's process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from hub.errors import ConfigError, HubError, MappingError, NotFound
from hub.mapping import Compiled
from hub.mapping.functions import XrefResolver
from hub.mapping.library import CASES_SUFFIX, SUFFIX, CaseResult
from hub.mapping.sandbox import Sandbox
from hub.operations import Operations
from hub.registry import Registry

PLAYGROUND_FILE = "playground"


@dataclass(frozen=True)
class Usage:
    """Where a mapping is used: ``inbound`` (native body → canonical) or ``outbound`` (envelope → call)."""

    direction: str
    connector: str
    name: str
    """The native event (inbound) or the operation (outbound)."""


@dataclass
class RunResult:
    ok: bool
    output: Any = None
    error: str | None = None
    position: int | None = None
    line: int | None = None
    column: int | None = None
    xref: dict[str, dict[str, Any]] = field(default_factory=dict)
    bindings: dict[str, Any] = field(default_factory=dict)


class Playground:
    def __init__(self, *, registry: Registry, ops: Operations, xref: XrefResolver):
        self.registry = registry
        self.ops = ops
        self.xref = xref
        self.sandbox = Sandbox(engine=registry.engine.name, codes_root=registry.mappings.root / "codemaps")

    def close(self) -> None:
        self.sandbox.close()

    def usages(self) -> dict[str, list[Usage]]:
        """Every mapping name → where connectors use it."""
        out: dict[str, list[Usage]] = {}
        for name, c in sorted(self.registry.connectors.items()):
            for event_name, event in c.inbound.events.items():
                out.setdefault(event.mapping, []).append(Usage("inbound", name, event_name))
            for op_name, op in c.operations.items():
                if op.mapping:
                    out.setdefault(op.mapping, []).append(Usage("outbound", name, op_name))
        return out

    def sample_input(self, mapping: str, message_id: str, record: int | None = None) -> Any:
        """What ``mapping`` reads for a logged message: its raw body, or its current canonical envelope —
        or, for a mapping of one record of a batch, failed record ``record`` (default: the first failed
        one, else the batch's first record)."""
        detail = self.ops.get_message(message_id)
        uses = self.usages().get(mapping, [])
        if uses and uses[0].direction == "outbound":
            current = next((c for c in detail.canonical if c.current), None)
            if current is None:
                raise NotFound(f"message {message_id} has no canonical form yet (its translation failed)")
            return current.envelope
        selector = self._records_of(uses[0]) if uses else None
        if selector is not None:
            failed = [r for r in detail.failed_records if record is None or r.index == record]
            if failed:
                return failed[0].record
            if record is not None:
                raise NotFound(f"message {message_id} has no failed record [{record}]")
            records = selector.evaluate(detail.body)
            return (records if isinstance(records, list) else [records])[0] if records else {}
        return detail.body

    def _records_of(self, usage: Usage) -> Compiled | None:
        """The compiled ``records:`` of an inbound usage's event, if it declares one."""
        event = self.registry.event(usage.connector, usage.name) if usage.direction == "inbound" else None
        return event.records if event is not None else None

    def run(self, source: str, data: Any, *, mapping: str | None = None, message: str | None = None) -> RunResult:
        """Compile ``source`` and evaluate it on ``data`` with the bindings the hub would give it (for a
        mapping of one record of a batch, ``$native`` is logged ``message``'s body, masked)."""
        uses = self.usages().get(mapping or "")
        usage = uses[0] if uses else None
        origin, target, bindings = "playground", "canonical", {}
        if usage and usage.direction == "inbound":
            origin, bindings = usage.connector, {"connector": usage.connector, "event": {}, "headers": {}}
            if self._records_of(usage) is not None:
                bindings["native"] = self.ops.get_message(message).body if message else {}
        elif usage:
            origin, target = _origin(data), usage.connector
            bindings = {"target": usage.connector, "operation": usage.name}
        looked_up: dict[str, dict[str, Any]] = {}

        def recording_xref(entity: str, value: str, frm: str, to: str) -> Any:
            found = self.xref(entity, value, frm, to)
            if found is not None:
                looked_up.setdefault(entity, {})[value] = found
            return found

        case_bindings = {"source": origin, "target": target, **bindings}
        try:
            output = self.sandbox.evaluate(source, data, bindings=bindings, origin=origin, target=target,
                                           xref=recording_xref, file=mapping or PLAYGROUND_FILE)
        except MappingError as exc:
            line, col = _line_col(source, exc.position)
            return RunResult(False, error=exc.message, position=exc.position, line=line, column=col,
                             xref=looked_up, bindings=case_bindings)
        return RunResult(True, output=output, xref=looked_up, bindings=case_bindings)

    def save_case(self, mapping: str, name: str, data: Any, result: RunResult) -> CaseResult:
        """Append ``data`` with the result it gives now (output, or error) to the mapping's test cases."""
        library = self.registry.mappings
        if not mapping.endswith(SUFFIX) or not library.exists(mapping):
            raise NotFound(f"no mapping {mapping}")
        name = name.strip()
        if not name:
            raise ConfigError("a test case needs a name")
        existing = library.get(mapping)
        if any(c.name == name for c in existing.cases):
            raise ConfigError(f"{mapping} already has a test case named {name!r}")
        case: dict[str, Any] = {"name": name, "input": data}
        if result.bindings:
            case["bindings"] = result.bindings
        if result.xref:
            case["xref"] = result.xref
        if result.ok:
            case["expected"] = result.output
        else:
            case["error"] = result.error or "error"
        path = existing.path.with_name(existing.path.name.removesuffix(SUFFIX) + CASES_SUFFIX)
        before = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = yaml.safe_dump([case], allow_unicode=True, sort_keys=False, width=110)
        path.write_text(before + ("" if not before or before.endswith("\n") else "\n") + text, encoding="utf-8")
        library.reload()
        try:
            saved = library.get(mapping)
        except HubError:
            path.write_text(before, encoding="utf-8")
            library.reload()
            raise
        return library.run_case(saved, next(c for c in saved.cases if c.name == name))


def _origin(envelope: Any) -> str:
    source = envelope.get("source", "") if isinstance(envelope, dict) else ""
    return str(source).rsplit("/", 1)[-1] or "playground"


def _line_col(source: str, position: int | None) -> tuple[int | None, int | None]:
    """1-based line and column of the character a JSONata error points at (its ``position`` is
    the offset just after the offending token, as JSONata reports it)."""
    if position is None:
        return None, None
    before = source[:max(0, position - 1)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
