"""Reading an entity's fields out of a payload, normalised.

Paths are small on purpose: ``name``, ``address.city``, ``contacts[].mobile`` (each element
of a list) and ``family_name+given_name`` (joined with a space). The field's own name is
tried last, so a flat CSV row with a ``phone`` column fills ``phone`` however the
canonical payload nests it.
"""

from __future__ import annotations

from typing import Any

from hub.masterdata.entities import Entity, FieldSpec
from hub.masterdata.normalise import NORMALISERS

Normalised = dict[str, str | list[str] | None]


def normalise_record(entity: Entity, payload: dict[str, Any]) -> Normalised:
    """Every declared field of ``payload``: one string, several (distinct, in order), or None."""
    out: Normalised = {}
    for name, spec in entity.fields.items():
        out[name] = _field(name, spec, payload)
    return out


def _field(name: str, spec: FieldSpec, payload: dict[str, Any]) -> str | list[str] | None:
    fn = NORMALISERS[spec.normalise]
    values: list[str] = []
    for path in [*spec.path, name]:
        for raw in extract(payload, path):
            norm = fn(raw)
            if norm and norm not in values:
                values.append(norm)
        if values:
            break
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def extract(payload: Any, path: str) -> list[str]:
    """The non-empty scalar values at ``path`` as strings."""
    if "+" in path:
        parts = [" ".join(extract(payload, p)) for p in path.split("+")]
        joined = " ".join(p for p in parts if p)
        return [joined] if joined else []
    nodes: list[Any] = [payload]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step[:-2] if many else step
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(key) if isinstance(node, dict) else None
            if many and isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        nodes = nxt
    return [str(n) for n in nodes if n not in (None, "") and not isinstance(n, (dict, list))]
