"""Blocking keys: the few strings two records must share to be compared at all.

They are stored in ``md_blocking_keys`` (primary key ``entity, key, record_id``), so the
candidates of a new record are an index lookup per key — never all pairs, never a scan.
Each key is prefixed with its field and kind, so ``name:prefix:明辉`` never meets
``city:value:明辉``.
"""

from __future__ import annotations

import jellyfish

from hub.masterdata.entities import BlockingKeySpec, Entity
from hub.masterdata.fields import Normalised
from hub.masterdata.normalise import CHECKS, has_cjk, latin_words, pinyin, pinyin_initials

MAX_KEY_LENGTH = 200


def blocking_keys(entity: Entity, record: Normalised) -> set[str]:
    """The keys of one normalised record; deterministic-rule codes become keys only when valid."""
    keys: set[str] = set()
    for spec in entity.blocking:
        for value in _values(record.get(spec.field)):
            keys.update(f"{spec.field}:{spec.kind}:{k}"[:MAX_KEY_LENGTH] for k in _keys(spec, value))
    for rule in entity.rules:
        for value in _values(record.get(rule.field)):
            if CHECKS[rule.check](value):
                keys.add(f"{rule.field}:rule:{value}"[:MAX_KEY_LENGTH])
    return keys


def _keys(spec: BlockingKeySpec, value: str) -> list[str]:
    compact = value.replace(" ", "")
    if spec.kind == "value":
        return [value] if len(compact) >= spec.min_length else []
    if spec.kind == "prefix":
        return [compact[: spec.length]] if len(compact) >= spec.min_length else []
    if spec.kind == "tokens":
        return [w for w in value.split()[: spec.words] if len(w) >= spec.min_length]
    if spec.kind == "phonetic":
        return [code for w in latin_words(value)[: spec.words]
                if len(w) >= spec.min_length and (code := jellyfish.metaphone(w))]
    if spec.kind == "pinyin":
        if not has_cjk(value):
            return []
        syllables = pinyin(compact[: spec.length])
        return [syllables.replace(" ", "")] if len(compact) >= spec.min_length else []
    if spec.kind == "initials":
        initials = pinyin_initials(compact) if has_cjk(value) else "".join(w[0] for w in value.split())
        return [initials[: spec.length]] if len(initials) >= spec.min_length else []
    return []


def _values(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
