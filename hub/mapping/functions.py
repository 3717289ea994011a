"""The hub functions every mapping may call, handed in at evaluation.

- ``$xref(entity, id[, from[, to]])`` — translate ``id`` of ``entity`` (customer, item, supplier,
  employee, …) from one system's id to another's through the cross-reference. ``from``
  defaults to the message's source connector and ``to`` to the target, so an outbound
  mapping usually writes ``$xref("customer", customer)``. A missing cross-reference raises
  :class:`~hub.errors.XrefMissing`: the delivery waits and retries, since the master data
  may still be on its way.
- ``$hasxref(entity, id[, from[, to]])`` — whether that cross-reference exists (for filters).
- ``$codemap(table, key)`` — look ``key`` up in the code table ``mappings/codemaps/<table>.yaml``
  (units, statuses, payment terms…). An unknown key is an error naming table and key.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

import yaml

from hub.errors import ConfigError, MappingError, XrefMissing

XrefResolver = Callable[[str, str, str, str], Any]
"""(entity, id, from_system, to_system) → the other system's id, or ``None`` if unknown."""


class CodeTables:
    """Code tables from ``<mappings>/codemaps/*.yaml``: each file a flat ``key: value`` map."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.tables: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ConfigError("a code table must be a map of key: value", file=str(path), line=1)
            self.tables[path.stem] = {str(k): v for k, v in data.items()}

    def lookup(self, table: str, key: Any) -> Any:
        if key is None:
            return None
        try:
            codes = self.tables[table]
        except KeyError:
            raise MappingError(f"$codemap: no code table {table!r} (known: {', '.join(sorted(self.tables))})") from None
        try:
            return codes[str(key)]
        except KeyError:
            raise MappingError(f"$codemap: {key!r} is not in code table {table!r}") from None


def hub_functions(*, source: str, target: str, xref: XrefResolver, codes: CodeTables) -> dict[str, Callable[..., Any]]:
    def _xref(entity: str, value: Any, from_system: str | None = None, to_system: str | None = None) -> Any:
        if value is None:
            return None
        frm, to = from_system or source, to_system or target
        if frm == to:
            return value
        found = xref(entity, str(value), frm, to)
        if found is None:
            raise XrefMissing(f"$xref: no {to} id yet for {entity} {value!r} of {frm}")
        return found

    def _hasxref(entity: str, value: Any, from_system: str | None = None, to_system: str | None = None) -> bool:
        if value is None:
            return False
        frm, to = from_system or source, to_system or target
        return frm == to or xref(entity, str(value), frm, to) is not None

    def _codemap(table: str, key: Any) -> Any:
        return codes.lookup(table, key)

    return {"xref": _presigned(_xref), "hasxref": _presigned(_hasxref), "codemap": _presigned(_codemap)}


_SIGNATURES: dict[CodeType, inspect.Signature] = {}


def _presigned(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` carrying its signature. The engine reads a bound function's signature on every
    evaluation, and these closures are made per message: inspected anew each time, that was a
    twentieth of a worker's CPU. Closures of one code object have one signature."""
    code = fn.__code__
    if code not in _SIGNATURES:
        _SIGNATURES[code] = inspect.signature(fn)
    fn.__signature__ = _SIGNATURES[code]  # type: ignore[attr-defined]
    return fn


def fixture_xref(table: Mapping[str, Mapping[str, Any]]) -> XrefResolver:
    """An xref resolver over a test case's fixture: ``{entity: {id: other_id}}``."""
    def resolve(entity: str, value: str, _from: str, _to: str) -> Any:
        return table.get(entity, {}).get(value)
    return resolve
