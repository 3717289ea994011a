"""The archive's one rule: an event is kept once per ``source`` + ``id``; copies list in arrival order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.audit.models import Copy

DEFAULT_LIMIT = 1000
"""Copies listed at most, unless asked for fewer or more (up to MAX_LIMIT)."""
MAX_LIMIT = 10_000


def keep(session: Session, event: dict[str, Any]) -> tuple[Copy, bool]:
    """Store ``event`` (a validated CloudEvent) unless its ``source`` + ``id`` is held; (the copy, whether new)."""
    known = session.scalars(select(Copy).where(Copy.source == event["source"], Copy.event_id == event["id"])).first()
    if known is not None:
        return known, False
    copy = Copy(source=event["source"], event_id=event["id"], type=event["type"], subject=event.get("subject"),
                correlation_id=event.get("correlationid"), event=event, received_at=datetime.now(UTC))
    session.add(copy)
    session.flush()
    return copy, True


def copies(session: Session, *, type: str | None = None, subject: str | None = None,  # noqa: A002
           correlation_id: str | None = None, limit: int = DEFAULT_LIMIT) -> list[Copy]:
    """The copies held, oldest first, narrowed by whichever of the filters is given."""
    q = select(Copy).order_by(Copy.copy_id).limit(limit)
    for column, value in ((Copy.type, type), (Copy.subject, subject), (Copy.correlation_id, correlation_id)):
        if value:
            q = q.where(column == value)
    return list(session.scalars(q))
