"""Survivorship: which source record wins each field of a golden record, and why.

Rules (per field, declared in the entity file): ``source_priority`` (the first listed system
that has a value; others after, most recent first), ``most_recent``, ``most_complete`` (the
longest value) and ``most_frequent`` (the value most sources agree on). Empty values never
win. Each golden field keeps its provenance: system, local id, record id, time and rule.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.masterdata.entities import Survivorship


@dataclass(frozen=True)
class Member:
    """What survivorship needs of a source record."""

    record_id: str
    system: str
    local_id: str
    received_at: datetime
    payload: dict[str, Any]


def survive(rules: Survivorship, members: list[Member]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(golden fields, provenance per field) from the members' payloads."""
    keys: list[str] = []
    for m in members:
        keys.extend(k for k in m.payload if k not in keys and k not in rules.exclude)
    fields: dict[str, Any] = {}
    provenance: dict[str, Any] = {}
    for key in keys:
        candidates = [m for m in members if not _empty(m.payload.get(key))]
        if not candidates:
            continue
        rule = rules.rule_for(key)
        winner = _pick(rule.rule, rule.order, key, candidates)
        fields[key] = winner.payload[key]
        provenance[key] = {"system": winner.system, "local_id": winner.local_id, "record_id": winner.record_id,
                           "at": winner.received_at.isoformat(), "rule": rule.rule}
    return fields, provenance


def _pick(rule: str, order: list[str], key: str, candidates: list[Member]) -> Member:
    recent = sorted(candidates, key=lambda m: (m.received_at, m.record_id), reverse=True)
    if rule == "source_priority":
        rank = {s: i for i, s in enumerate(order)}
        return min(recent, key=lambda m: rank.get(m.system, len(rank)))
    if rule == "most_complete":
        return max(recent, key=lambda m: len(_canonical(m.payload[key])))
    if rule == "most_frequent":
        counts = Counter(_canonical(m.payload[key]) for m in recent)
        return max(recent, key=lambda m: counts[_canonical(m.payload[key])])
    return recent[0]


def _canonical(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
