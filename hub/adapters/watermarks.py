"""Watermarks: how far a source has been read — a number, a timestamp or an opaque increasing string.

Stored as ``{"value": …, "type": …}`` so a timestamp goes back to a database as a timestamp and the
safety lag can be taken off it; the highest value seen wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

NUMBER, DATETIME, STRING = "number", "datetime", "string"


def typed(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"value": str(value).lower(), "type": STRING}
    if isinstance(value, (int, float)):
        return {"value": value, "type": NUMBER}
    if isinstance(value, datetime):
        return {"value": value.isoformat(), "type": DATETIME}
    text = str(value)
    return {"value": text, "type": DATETIME if _as_datetime(text) is not None else STRING}


def highest(current: dict[str, Any] | None, value: Any) -> dict[str, Any] | None:
    candidate = typed(value)
    if candidate is None:
        return current
    if current is None or _order(candidate) > _order(current):
        return candidate
    return current


def since(mark: dict[str, Any] | None, lag_s: float, *, native: bool = False) -> Any:
    """The value a read starts after: the watermark, less the lag when it is a timestamp.

    ``native``: a timestamp as a ``datetime`` (for a database driver), otherwise as ISO text.
    """
    if mark is None:
        return None
    if mark["type"] != DATETIME:
        return mark["value"]
    at = _as_datetime(mark["value"])
    assert at is not None
    at -= timedelta(seconds=lag_s)
    return at if native else at.isoformat()


def _order(mark: dict[str, Any]) -> tuple[int, Any]:
    if mark["type"] == NUMBER:
        return (0, mark["value"])
    if mark["type"] == DATETIME:
        at = _as_datetime(mark["value"])
        if at is not None:
            return (1, at.timestamp() if at.tzinfo else at.replace(tzinfo=None).timestamp())
    return (2, str(mark["value"]))


def _as_datetime(text: str) -> datetime | None:
    if len(text) < 10 or not text[:4].isdigit() or text[4] != "-":
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
