"""CRM time: every instant is shown in China Standard Time (+08:00).

SQLite forgets offsets, so the CRM stores wall-clock +08:00 times and
re-attaches the offset on the way out; an instant received with any other
offset is converted first. A naive input is taken as CRM local time, as
the CRM's own screens would.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    """The current instant in +08:00, to the second."""
    return datetime.now(CST).replace(microsecond=0)


def local(moment: datetime) -> datetime:
    """``moment`` in +08:00 (naive values are already CRM local time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CST, microsecond=0)
    return moment.astimezone(CST).replace(microsecond=0)


def local_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else local(moment)


def today() -> date:
    return now().date()
