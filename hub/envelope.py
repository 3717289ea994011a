"""The canonical envelope's attributes: time parsing and W3C trace context."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

CHINA_TZ_NOTE = "a time without offset is read as UTC; mappings should add the sender's offset"


def parse_time(value: Any) -> datetime:
    """RFC 3339 text, or a Unix time in seconds or milliseconds → an aware datetime."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"{value!r} is not a time (RFC 3339 text or a Unix time)")


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """A new span in the same trace as ``parent`` (or a new trace)."""
    parts = (parent or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return f"00-{parts[1]}-{secrets.token_hex(8)}-{parts[3]}"
    return new_traceparent()
