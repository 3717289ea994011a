"""Masked fields: what the hub shows, stores for search and writes in errors instead of their values.

A connector's ``masked_fields`` (phones, id numbers, bank accounts) are JSON keys. Hiding the
keys in the views (:func:`mask`) is not enough: the same values come back as text — a schema
error quoting the value, a target echoing the request in its refusal, a search for part of
a number. So the hub also learns the clear values of a message (:func:`clear_values`) and
writes every error, attempt excerpt and log line through a :class:`Redactor` built from them,
and it searches a masked copy of the payloads (:func:`search_text`), never the payloads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from hub import safejson
from hub.safejson import MAX_JSON_DEPTH, TOO_DEEP

MASK = "***"
MIN_VALUE_CHARS = 4
"""Shorter values are not replaced in text: masking every "1" or "ok" would make errors unreadable."""

__all__ = ["MASK", "mask", "clear_values", "Redactor", "search_text"]


def mask(value: Any, fields: frozenset[str]) -> Any:
    """A copy of ``value`` for showing: every key in ``fields`` as ``***``, and whatever lies deeper
    than :data:`~hub.safejson.MAX_JSON_DEPTH` as a note (bodies stored before ingest refused them).

    Iterative, so no stored value can exhaust the stack.
    """
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 1)]
    while stack:
        node, parent, slot, depth = stack.pop()
        if isinstance(node, (dict, list)) and depth > MAX_JSON_DEPTH:
            parent[slot] = TOO_DEEP
        elif isinstance(node, dict):
            copy: dict[str, Any] = {}
            parent[slot] = copy
            for k, v in node.items():
                if k in fields and v is not None:
                    copy[k] = MASK
                else:
                    copy[k] = None
                    stack.append((v, copy, k, depth + 1))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((v, items, i, depth + 1) for i, v in enumerate(node))
        else:
            parent[slot] = node
    return root[0]


def clear_values(value: Any, fields: frozenset[str]) -> set[str]:
    """The values (as text) held under a masked key anywhere in ``value``, nested ones included."""
    found: set[str] = set()
    stack: list[tuple[Any, bool, int]] = [(value, False, 1)]
    while stack:
        node, hidden, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            continue
        if isinstance(node, dict):
            stack.extend((v, hidden or k in fields, depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, hidden, depth + 1) for v in node)
        elif hidden and node is not None and not isinstance(node, bool):
            text = str(node)
            if len(text) >= MIN_VALUE_CHARS:
                found.add(text)
    return found


class Redactor:
    """Replaces known clear values in text by ``***`` (also as JSON escapes them: a target may echo
    ``\\u4e0a…``). Longest first, so a value containing another is replaced whole."""

    def __init__(self, values: Iterable[str] = ()):
        forms = set()
        for v in values:
            forms.add(v)
            forms.add(json.dumps(v)[1:-1])
        self._forms = sorted((f for f in forms if len(f) >= MIN_VALUE_CHARS), key=len, reverse=True)

    @classmethod
    def of(cls, fields: frozenset[str], *values: Any) -> Redactor:
        """A redactor for the masked values found in each of ``values`` (bodies, payloads, requests)."""
        if _without_masked_keys(fields, values) is not None:
            return cls()
        return cls(v for value in values for v in clear_values(value, fields))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def text(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def json(self, value: Any) -> Any:
        """``value`` with every string in it redacted (an error's detail)."""
        if not self._forms:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return value


def search_text(fields: frozenset[str], *values: Any) -> str:
    """The text a search looks in: ``values`` (a raw body, canonical payloads) with masked keys as ``***``.

    Non-ASCII stays as written, so a search for a name matches what the sender sent.
    """
    plain = _without_masked_keys(fields, values)
    if plain is not None:
        return plain
    return _json([mask(v, fields) for v in values])


def _without_masked_keys(fields: frozenset[str], values: tuple[Any, ...]) -> str | None:
    """``values`` as JSON text when no masked key can be in them, else None.

    Any key of ``fields`` in them is written in that text as its JSON string, so where no such string
    is, nothing is masked: the text is found by C code in microseconds, where walking a 4 KB order
    in Python takes a millisecond and a half. (The string may also be a value: then the walk decides.)
    """
    try:
        text = safejson.dumps(list(values))
    except (ValueError, TypeError, RecursionError):
        return None
    return None if any(key in text for key in _key_strings(fields)) else text


def _json(value: Any) -> str:
    """JSON text as the shortcut writes it; what neither JSON writer takes, as text."""
    try:
        return safejson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


@lru_cache(maxsize=256)
def _key_strings(fields: frozenset[str]) -> tuple[str, ...]:
    return tuple(safejson.dumps(f) for f in fields)
