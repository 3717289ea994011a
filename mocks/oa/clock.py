"""OA's notion of time and money on the wire: local China time, two-decimal strings.

OA stores naive local wall-clock times (+08:00 implied, as DingTalk shows
them) and formats them as ``YYYY-MM-DD HH:mm:ss``; amounts travel as strings
with two decimals, like every form value.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

CST = timezone(timedelta(hours=8), "CST")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
"""Largest amount OA accepts (a larger one could not be shown with two decimals)."""


def now() -> datetime:
    """The current local (+08:00) wall-clock time, to the second, naive."""
    return datetime.now(CST).replace(tzinfo=None, microsecond=0)


def fmt_time(value: datetime | None) -> str | None:
    return value.strftime(TIME_FORMAT) if value else None


def fmt_date(value: date | None) -> str | None:
    return value.strftime(DATE_FORMAT) if value else None


def money(value: Decimal) -> str:
    """``Decimal('12000')`` → ``"12000.00"``."""
    return str(value.quantize(CENTS))


def parse_money(text: str) -> Decimal | None:
    """A form value as an amount, or ``None`` unless it is a number with at most two decimals OA can hold."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > MAX_AMOUNT or value != value.quantize(CENTS):
        return None
    return value
