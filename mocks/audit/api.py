"""``/api/events``: keep a copy of an event, list the copies (thin: the archive has no other rule)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from mocks.audit.models import Copy
from mocks.common import SessionDep

router = APIRouter(tags=["events"])


class EventIn(BaseModel):
    """A CloudEvents 1.0 envelope in structured JSON; every other attribute (``data`` …) is kept as sent."""

    model_config = ConfigDict(extra="allow")

    specversion: str = Field(pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=500)
    correlationid: str | None = Field(default=None, max_length=200)


@router.post("/api/events", status_code=201, summary="Keep a copy of an event",
             description="201 with the stored copy; 200 with the first copy when the same `source` + `id` "
                         "arrived before (nothing is kept twice).")
def keep(body: EventIn, session: SessionDep, response: Response) -> dict[str, Any]:
    known = session.scalars(select(Copy).where(Copy.source == body.source, Copy.event_id == body.id)).first()
    if known is not None:
        response.status_code = 200
        return known.as_dict()
    copy = Copy(source=body.source, event_id=body.id, type=body.type, subject=body.subject,
                correlation_id=body.correlationid, event=body.model_dump(mode="json", exclude_none=True),
                received_at=datetime.now(UTC))
    session.add(copy)
    session.flush()
    return copy.as_dict()


@router.get("/api/events", summary="The copies kept, in the order they arrived",
            description="Filters: `type`, `subject`, `correlationId`.")
def list_copies(session: SessionDep, type: str | None = None, subject: str | None = None,  # noqa: A002
                correlationId: str | None = None,  # noqa: N803 (the API's camelCase)
                limit: int = Query(1000, ge=1, le=10000)) -> list[dict[str, Any]]:
    q = select(Copy).order_by(Copy.copy_id).limit(limit)
    if type:
        q = q.where(Copy.type == type)
    if subject:
        q = q.where(Copy.subject == subject)
    if correlationId:
        q = q.where(Copy.correlation_id == correlationId)
    return [c.as_dict() for c in session.scalars(q)]
