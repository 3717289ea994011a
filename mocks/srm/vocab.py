"""SRM's own words: status values, id formats and the ``YYYY/MM/DD`` date format.

Kept in one place so the API, the rules and the events cannot drift apart; the
hub's mappings translate these into canonical words (``ACCEPTED`` → ``accepted``,
``2026/03/15`` → ``2026-03-15``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

DATE_FORMAT: Final = "%Y/%m/%d"
DATE_PATTERN: Final = r"^\d{4}/\d{2}/\d{2}$"
CURRENCY: Final = "CNY"

# supplier qualification
APPROVED: Final = "APPROVED"
PENDING: Final = "PENDING"
BLOCKED: Final = "BLOCKED"
SUPPLIER_STATUSES: Final = (APPROVED, PENDING, BLOCKED)

# requisition
AWAITING_APPROVAL: Final = "AWAITING_APPROVAL"
REQ_REJECTED: Final = "REJECTED"
REQ_CANCELLED: Final = "CANCELLED"
ORDERED: Final = "ORDERED"
PARTIALLY_ORDERED: Final = "PARTIALLY_ORDERED"
NO_SOURCE: Final = "NO_SOURCE"

# requisition line sourcing
SOURCED: Final = "SOURCED"

# purchase order
ISSUED: Final = "ISSUED"
CONFIRMED: Final = "CONFIRMED"
CHANGED: Final = "CHANGED"
REJECTED: Final = "REJECTED"
PARTIALLY_RECEIVED: Final = "PARTIALLY_RECEIVED"
RECEIVED: Final = "RECEIVED"
CLOSED: Final = "CLOSED"
OPEN_PO_STATUSES: Final = (ISSUED, CONFIRMED, CHANGED, PARTIALLY_RECEIVED)
"""Orders still expecting goods (count towards open PO quantity)."""
IN_TRANSIT_PO_STATUSES: Final = (CONFIRMED, CHANGED, PARTIALLY_RECEIVED)
"""Orders the supplier has confirmed and not yet delivered in full."""

# purchase order line (supplier's answer)
LINE_OPEN: Final = "OPEN"
LINE_ACCEPTED: Final = "ACCEPTED"
LINE_CHANGED: Final = "CHANGED"
LINE_REJECTED: Final = "REJECTED"


def fmt_date(d: date | None) -> str | None:
    """``date(2026, 3, 15)`` → ``"2026/03/15"``."""
    return d.strftime(DATE_FORMAT) if d else None


def parse_date(text: str) -> date:
    """``"2026/03/15"`` → a date; anything else raises ValueError saying the format."""
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except (TypeError, ValueError):
        raise ValueError(f"expected a date as YYYY/MM/DD, got {text!r}") from None


def utcnow() -> datetime:
    return datetime.now(UTC)


def fmt_timestamp(at: datetime | None) -> str | None:
    """ISO 8601 UTC with ``Z`` (SQLite returns naive datetimes: they are UTC)."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_is_valid(code: str) -> bool:
    """Whether ``code`` is a unified social credit code with a correct check digit (GB 32100-2015)."""
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]
