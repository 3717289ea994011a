"""JSON the hub will store: parsed strictly, checked without recursion, the same on SQLite and PostgreSQL.

A webhook body is refused (:class:`~hub.errors.UnsafeJson`, 422) when it holds

- ``NaN``, ``Infinity``, a number too large for a double or an integer of more than
  :data:`MAX_INT_DIGITS` digits (JSON has no NaN or Infinity, PostgreSQL refuses them
  where SQLite would store them, and no system can take such numbers);
- a NUL character (``\\u0000``) in a key or a string (PostgreSQL text cannot hold it, and
  the field would reach text columns, logs and target systems), or a lone UTF-16 surrogate
  escape (``\\ud800`` without its pair: not a character, so no UTF-8 answer could carry it);
- objects and arrays nested deeper than :data:`MAX_JSON_DEPTH` (no business message needs it,
  and every reader of a stored body would have to walk it).

Bytes that are not UTF-8, or not JSON, are :class:`~hub.errors.BadPayload` (400). The walk is
iterative, so no input can exhaust the stack; :func:`hub.masking.mask` bounds what is shown
of values stored before the limit existed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from hub.errors import BadPayload, UnsafeJson

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays accepted (the top-level object is depth 1)."""
MAX_INT_DIGITS = 100
"""Longest integer accepted, in digits (far above any amount or id; Python's own limit is 4300)."""
TOO_DEEP = f"… (nested deeper than {MAX_JSON_DEPTH} levels: not shown)"
NUL = "\x00"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""json.loads joins a valid surrogate pair into one character: any surrogate left is alone."""


def loads(data: bytes | str, *, what: str = "body") -> Any:
    """Parse ``data`` strictly; raise BadPayload or UnsafeJson saying what is wrong and where."""
    if isinstance(data, bytes):
        value = _plainly(data)
        if value is not _NOT_PLAIN:
            return value
    text = utf8(data, what=what) if isinstance(data, bytes) else data
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise _too_deep(what) from None
    except json.JSONDecodeError as exc:
        raise BadPayload(f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    check(value, what=what)
    return value


_NOT_PLAIN = object()
_LONG_NUMBER = re.compile(rb"\d{19}")
"""Nineteen digits in a row: an integer orjson might read as a float (a long fraction goes the strict
way too)."""


def _plainly(data: bytes) -> Any:
    """``data`` parsed by orjson (20 µs for a 4 KB order, where the strict parse and check take 200),
    when nothing in it needs the strict parser's verdict; else :data:`_NOT_PLAIN`.

    orjson already refuses what :func:`loads` refuses of a string's or a number's form: bytes that are
    not UTF-8, NaN and Infinity, numbers beyond a double, lone surrogates. What it would take, it is
    not given: a NUL (only writable as the escape ``\\u0000``), an integer it would read as a float,
    and nesting deeper than :data:`MAX_JSON_DEPTH`, checked on what it read. Anything it refuses goes
    to the strict parser, which names the fault.
    """
    if b"\\u0000" in data or _LONG_NUMBER.search(data):
        return _NOT_PLAIN
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _NOT_PLAIN
    return value if _within_depth(value) else _NOT_PLAIN


def _within_depth(value: Any) -> bool:
    """Whether no object or array of ``value`` lies deeper than MAX_JSON_DEPTH (a level at a time)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_JSON_DEPTH):
        if not level:
            return True
        deeper: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            deeper.extend(c for c in children if isinstance(c, (dict, list)))
        level = deeper
    return not level


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, non-ASCII as it is: by orjson (a 4 KB order in 3 µs, where
    :func:`json.dumps` takes 35), or by :mod:`json` where orjson refuses (integers beyond 64 bits,
    nesting beyond 255 levels). Raises TypeError for what neither can write."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def utf8(data: bytes, *, what: str = "body") -> str:
    """``data`` as text, or BadPayload naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadPayload(f"{what} is not UTF-8 text: byte 0x{data[exc.start]:02x} at position {exc.start} "
                         "is invalid (send JSON encoded as UTF-8)", position=exc.start) from None


def check(value: Any, *, what: str = "body") -> None:
    """Refuse NUL characters, non-finite numbers and nesting past MAX_JSON_DEPTH — without recursion."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep(what, path)
            for key, child in node.items():
                if NUL in key or LONE_SURROGATE.search(key):
                    raise _bad_text(what, f"{path}, in a key", key)
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(node, list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep(what, path)
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(node))
        elif isinstance(node, str):
            if NUL in node or LONE_SURROGATE.search(node):
                raise _bad_text(what, path, node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise UnsafeJson(f"{what} holds {node} at {path}: JSON has no NaN or Infinity", path=path)


def _constant(name: str) -> Any:
    raise UnsafeJson(f"body holds {name}: JSON has no NaN or Infinity (send null or a string)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJson(f"body holds the number {text[:40]}, too large for a double (send it as a string)")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeJson(f"body holds an integer of {len(text.lstrip('-'))} digits; the limit is "
                         f"{MAX_INT_DIGITS} (send it as a string)")
    return int(text)


def _too_deep(what: str, path: str | None = None) -> UnsafeJson:
    at = f" (at {path[:200]})" if path else ""
    return UnsafeJson(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels{at}", limit=MAX_JSON_DEPTH)


def _bad_text(what: str, path: str, text: str) -> UnsafeJson:
    found = "a NUL character (\\u0000)" if NUL in text else "a lone UTF-16 surrogate (not a character)"
    return UnsafeJson(f"{what} holds {found} at {path[:200]}: the hub does not store it", path=path[:200])
