"""The canonical envelope's attributes: time parsing and W3C trace context."""

from __future__ import annotations

import random
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
    return f"00-{_nonzero(128):032x}-{_nonzero(64):016x}-01"


def child_traceparent(parent: str | None) -> str:
    """A new span in the same trace as ``parent`` (or a new trace)."""
    parts = (parent or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return f"00-{parts[1]}-{_nonzero(64):016x}-{parts[3]}"
    return new_traceparent()


def _nonzero(bits: int) -> int:
    """A random trace or span id (all zeros is invalid). Ids need to be unique, not secret: the process's
    PRNG, as OpenTelemetry's SDK uses, costs no system call per message (``secrets`` read the kernel's
    random source each time, a twentieth of a worker's time)."""
    return random.getrandbits(bits) or 1
