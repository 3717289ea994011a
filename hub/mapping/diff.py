"""Where a mapping's output differs from a test case's expected value: one line per difference, with its path.

A failed case shown as two whole JSON documents leaves the reader to find the one field that differs;
this names it (``lines[1].qty: expected 3, got 4``). DeepDiff finds the differences; numbers compare by
value (``1`` and ``1.0`` are equal, as the case's own check has it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

MISSING = "missing"
UNEXPECTED = "unexpected"
CHANGED = "changed"
KINDS = {
    "values_changed": CHANGED, "type_changes": CHANGED,
    "dictionary_item_removed": MISSING, "iterable_item_removed": MISSING,
    "dictionary_item_added": UNEXPECTED, "iterable_item_added": UNEXPECTED,
}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Difference:
    path: str
    """Where, as a JSONata path from the output's root (``lines[1].qty``; ``$`` for the whole value)."""
    kind: str
    """changed (both have it, unlike) | missing (expected, not produced) | unexpected (produced, not expected)"""
    expected: Any = None
    actual: Any = None

    def describe(self) -> str:
        if self.kind == MISSING:
            return f"{self.path}: missing (expected {shown(self.expected)})"
        if self.kind == UNEXPECTED:
            return f"{self.path}: unexpected {shown(self.actual)}"
        return f"{self.path}: expected {shown(self.expected)}, got {shown(self.actual)}"


def differences(expected: Any, actual: Any) -> list[Difference]:
    """Each place ``actual`` differs from ``expected``, in document order of their paths."""
    tree = DeepDiff(expected, actual, view="tree", ignore_numeric_type_changes=True, verbose_level=2)
    out = []
    for report, items in tree.items():
        kind = KINDS.get(report, CHANGED)
        for item in items:
            out.append(Difference(path=path_of(item.path(output_format="list")), kind=kind,
                                  expected=None if kind == UNEXPECTED else item.t1,
                                  actual=None if kind == MISSING else item.t2))
    return sorted(out, key=lambda d: _sort_key(d.path))


def path_of(parts: list[Any]) -> str:
    """``['lines', 1, 'qty']`` → ``lines[1].qty`` (a field that is not an identifier in backticks)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if IDENTIFIER.match(str(part)) else f"`{part}`"
            text += f".{name}" if text else name
    return text or "$"


def shown(value: Any, limit: int = 80) -> str:
    """A value as JSON, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sort_key(path: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]
