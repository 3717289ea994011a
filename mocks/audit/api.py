"""``/api/events``: keep a copy of an event, list the copies; thin: parse, call :mod:`mocks.audit.archive`, answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from mocks.audit import archive
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
    copy, new = archive.keep(session, body.model_dump(mode="json", exclude_none=True))
    response.status_code = 201 if new else 200
    return copy.as_dict()


@router.get("/api/events", summary="The copies kept, in the order they arrived",
            description="Filters: `type`, `subject`, `correlationId`.")
def list_copies(session: SessionDep, type: str | None = None, subject: str | None = None,  # noqa: A002
                correlationId: str | None = None,  # noqa: N803 (the API's camelCase)
                limit: int = Query(archive.DEFAULT_LIMIT, ge=1, le=archive.MAX_LIMIT)) -> list[dict[str, Any]]:
    return [c.as_dict() for c in archive.copies(session, type=type, subject=subject, correlation_id=correlationId,
                                                limit=limit)]
