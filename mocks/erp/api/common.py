"""Small helpers shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Path, Query, Response
from pydantic import BaseModel

from mocks.erp.schemas.common import MAX_ID

M = TypeVar("M", bound=BaseModel)

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="numeric id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "not found: `{error: {code: not_found, field, message}}`"},
    409: {"description": "conflicts with an existing record (duplicate key)"},
    422: {"description": "invalid request or business rule broken: `{error: {code, field, message}}`"},
}


def out(schema: type[M], row: object) -> M:
    return schema.model_validate(row)


def outs(schema: type[M], rows: list[Any]) -> list[M]:
    return [schema.model_validate(r) for r in rows]


def created(response: Response, is_new: bool) -> None:
    """201 for a new record, 200 when the business key already existed."""
    response.status_code = 201 if is_new else 200
