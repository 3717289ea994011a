"""Aggregation stage: which aggregators gather a canonical message, under which key, and when one is complete.

An aggregator (``aggregations:`` in a connector file) gathers the canonical messages of one type
that share a correlation key (``by``) until its ``completion`` holds — a ``count``, a ``when``
predicate on what has been gathered, or a ``timeout`` after the first message — and then makes
one message of its own. Pure: no database, no I/O (the store is :mod:`hub.aggregator`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from hub.errors import MappingError
from hub.pipeline.compiled import CompiledAggregation
from hub.registry import Registry

Completion = Literal["count", "when", "timeout"]
KEY_LIMIT = 255


@dataclass(frozen=True)
class Gathering:
    """One aggregator that gathers a message, and the key it files it under."""

    aggregation: CompiledAggregation
    key: str


def gatherings(registry: Registry, envelope: dict[str, Any],
               functions_for: Callable[[str], dict[str, Any]] | None = None) -> list[Gathering]:
    """The aggregators ``envelope`` goes to: its type is gathered, its filter holds and it has a key."""
    out = []
    for agg in registry.aggregations_for(envelope["type"]):
        fns = functions_for(agg.connector) if functions_for else None
        where = f"aggregation {agg.connector}.{agg.name}"
        try:
            if agg.filter is not None and not agg.filter.evaluate(envelope, None, fns):
                continue
            key = agg.by.evaluate(envelope, None, fns)
        except MappingError as exc:
            exc.message = f"{where}: {exc.message}"
            raise
        if key is None or key == "" or isinstance(key, (dict, list)):
            continue  # nothing to correlate by: not gathered
        out.append(Gathering(agg, str(key)[:KEY_LIMIT]))
    return out


def completed(agg: CompiledAggregation, key: str, messages: list[Any]) -> Completion | None:
    """What completes ``messages`` (the payloads gathered so far, in order) now, if anything: count, then when."""
    rule = agg.declared.completion
    if rule.count is not None and len(messages) >= rule.count:
        return "count"
    if agg.when is not None:
        try:
            if agg.when.evaluate({"key": key, "count": len(messages), "messages": messages}) is True:
                return "when"
        except MappingError as exc:
            exc.message = f"aggregation {agg.connector}.{agg.name} completion.when: {exc.message}"
            raise
    return None


def native_body(agg: CompiledAggregation, key: str, messages: list[Any], completion: Completion) -> dict[str, Any]:
    """The body of the message a complete aggregation makes, which its ``mapping`` reads."""
    return {"aggregation": agg.name, "key": key, "count": len(messages), "completion": completion,
            "messages": messages}
