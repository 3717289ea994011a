"""MRP's calendar: dates are compact ``YYYYMMDD`` strings, timestamps ``YYYYMMDDHHMMSS``.

The product runs on China Standard Time (UTC+8), so "today" and event
timestamps are local to the plant, not UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

PLANT_TZ = timezone(timedelta(hours=8), "CST")
DATE_FORMAT = "%Y%m%d"
STAMP_FORMAT = "%Y%m%d%H%M%S"


def parse_date(value: str) -> date:
    """``"20270104"`` → ``date(2027, 1, 4)`` (raises ValueError on a bad date)."""
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"{value!r} is not a YYYYMMDD date")
    return datetime.strptime(value, DATE_FORMAT).date()


def fmt_date(value: date) -> str:
    return value.strftime(DATE_FORMAT)


def today() -> date:
    """The plant's calendar date now."""
    return datetime.now(PLANT_TZ).date()


def stamp(at: datetime | None = None) -> str:
    """A ``YYYYMMDDHHMMSS`` timestamp in plant time (now, or ``at``)."""
    at = at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(PLANT_TZ).strftime(STAMP_FORMAT)


def add_days(value: str, days: int) -> str:
    """``add_days("20270111", 7)`` → ``"20270118"``."""
    return fmt_date(parse_date(value) + timedelta(days=days))


def days_between(start: str, end: str) -> int:
    return (parse_date(end) - parse_date(start)).days
