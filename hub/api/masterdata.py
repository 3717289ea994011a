"""The golden records: search, a record with its sources and provenance, history, the review queue,
merge, keep apart and unmerge. Reading needs ``read``; every change needs ``act`` and is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.api.errors import error_body
from hub.api.security import Actor, AdminDep
from hub.errors import MasterDataError
from hub.masterdata.stewardship import DEFAULT_PAGE, Stewardship

router = APIRouter(prefix="/api/masterdata", tags=["master data"])

T = TypeVar("T")
PageQ = Annotated[int, Query(ge=1, le=500)]


class MergeRequest(BaseModel):
    other: str = Field(description="the golden record absorbed into this one")


def _stewardship(request: Request, hub: Any) -> Stewardship:
    cached = getattr(request.app.state, "masterdata", None)
    if cached is None:
        cached = Stewardship.for_config(hub.db, hub.settings.config_dir)
        request.app.state.masterdata = cached
    return cached


async def _act(admin: Any, who: Any, action: str, target: str, fn: Callable[..., T], *args: Any) -> T | JSONResponse:
    """Run a steward's change; a done change is written to the audit log (same names as the dashboard's)."""
    try:
        result = await run_in_threadpool(fn, *args)
    except MasterDataError as exc:
        return JSONResponse(error_body("conflict", str(exc)), status_code=409)
    await run_in_threadpool(admin.audit.record, who.actor, action, target, via="api", detail=None)
    return result


@router.get("/entities", summary="The master-data entities declared in mappings/masterdata")
async def entities(request: Request, hub: HubDep) -> list[dict[str, Any]]:
    return _stewardship(request, hub).entities()


@router.get("/reviews", summary="Pairs waiting for a steward, with the evidence per field")
async def reviews(request: Request, hub: HubDep, entity: str | None = None, limit: PageQ = DEFAULT_PAGE,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    return await run_in_threadpool(_stewardship(request, hub).reviews, entity, limit, offset)


@router.post("/reviews/{review_id}/merge", summary="The pair is one entity: merge their golden records")
async def merge_review(review_id: str, request: Request, hub: HubDep, who: Actor, admin: AdminDep) -> Any:
    return await _act(admin, who, "masterdata.merge", review_id,
                      _stewardship(request, hub).decide, review_id, "merge", who.actor)


@router.post("/reviews/{review_id}/apart", summary="The pair are different entities: keep them apart")
async def keep_apart(review_id: str, request: Request, hub: HubDep, who: Actor, admin: AdminDep) -> Any:
    return await _act(admin, who, "masterdata.apart", review_id,
                      _stewardship(request, hub).decide, review_id, "apart", who.actor)


@router.get("/golden/{golden_id}", summary="A golden record: fields, provenance, sources, cross-references")
async def golden(golden_id: str, request: Request, hub: HubDep) -> dict[str, Any]:
    return await run_in_threadpool(_stewardship(request, hub).golden, golden_id)


@router.get("/golden/{golden_id}/history", summary="Every version of a golden record: what, from where, who")
async def history(golden_id: str, request: Request, hub: HubDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(_stewardship(request, hub).history, golden_id)


@router.get("/{entity}", summary="Search golden records (name, code, any system's id)")
async def search(entity: str, request: Request, hub: HubDep, q: str | None = None, limit: PageQ = DEFAULT_PAGE,
                 offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    return await run_in_threadpool(_stewardship(request, hub).search, entity, q, limit, offset)


@router.post("/{entity}/{golden_id}/merge", summary="Manual merge: absorb another golden record into this one")
async def merge_golden(entity: str, golden_id: str, body: MergeRequest, request: Request, hub: HubDep,
                       who: Actor, admin: AdminDep) -> Any:
    return await _act(admin, who, "masterdata.merge", golden_id,
                      _stewardship(request, hub).merge, entity, golden_id, body.other, who.actor)


@router.post("/{entity}/{golden_id}/unmerge", summary="Undo the latest merge into this golden record")
async def unmerge_golden(entity: str, golden_id: str, request: Request, hub: HubDep, who: Actor,
                         admin: AdminDep) -> Any:
    return await _act(admin, who, "masterdata.unmerge", golden_id,
                      _stewardship(request, hub).unmerge, entity, golden_id, who.actor)
