"""What polled records have in common: their key and their contribution to the watermark."""

from __future__ import annotations

import json
from typing import Any

from hub.adapters import watermarks
from hub.errors import MappingError
from hub.ingest import Record
from hub.pipeline.compiled import CompiledSource


def to_record(source: CompiledSource, prefix: str, item: Any, n: int) -> Record:
    """``item`` as a record keyed by the source's ``key``; a record without a key stops the run (it could
    not be deduplicated, so reading on would risk storing it twice)."""
    assert source.key is not None
    value = source.key.evaluate(item)
    if value is None or value == "":
        raise MappingError(f"poll.key gives nothing for record {n} of this read: {_excerpt(item)}")
    key = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return Record(key=f"{prefix}:{key}", body=item, native_type=source.declared.event)


def advance(source: CompiledSource, mark: dict[str, Any] | None, items: list[Any]) -> dict[str, Any] | None:
    if source.watermark is None:
        return mark
    for item in items:
        mark = watermarks.highest(mark, source.watermark.evaluate(item))
    return mark


def _excerpt(item: Any) -> str:
    text = json.dumps(item, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:200] + "…"
