"""MES clock and date format: local China time, no offset, ``yyyy-MM-dd HH:mm:ss``.

The plant's terminals show wall-clock time in Suzhou; timestamps are stored
naive in that zone. China has no daylight saving, so a fixed +08:00 is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
EXAMPLE = "2026-03-02 08:00:00"


def now_local() -> datetime:
    """Current plant time, naive, to the second."""
    return datetime.now(CHINA_TZ).replace(tzinfo=None, microsecond=0)


def to_local(moment: datetime) -> datetime:
    """``moment`` as naive plant time (aware values are converted, naive ones kept)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def fmt(moment: datetime | None) -> str | None:
    """``yyyy-MM-dd HH:mm:ss`` in plant time, or None."""
    return None if moment is None else to_local(moment).strftime(FORMAT)


def parse(value: Any) -> datetime:
    """Accept ``yyyy-MM-dd HH:mm:ss`` or ``yyyy-MM-dd`` (midnight) — nothing else.

    ISO strings with ``T`` or an offset are refused: the sender must convert
    to plant time, as the real product demands.
    """
    if isinstance(value, datetime):
        return to_local(value) if value.tzinfo is None else _refuse(value.isoformat())
    if not isinstance(value, str):
        raise ValueError("expected a string 'yyyy-MM-dd HH:mm:ss'")
    for pattern in (FORMAT, DATE_FORMAT):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return _refuse(value)


def _refuse(value: str) -> datetime:
    raise ValueError(f"{value!r} is not local plant time 'yyyy-MM-dd HH:mm:ss' (no 'T', no offset)")


LocalDateTime = Annotated[
    datetime,
    BeforeValidator(parse),
    PlainSerializer(lambda d: fmt(d), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$",
                    "examples": [EXAMPLE]}),
]
"""A datetime field in MES format, for request and response models."""


def utc_to_local_text(moment: datetime) -> str:
    """An aware UTC moment (the outbox's ``created_at``) as plant time text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TZ).strftime(FORMAT)
