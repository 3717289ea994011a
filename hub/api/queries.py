"""``/query/{name}``: synchronous answers from the systems (stock, order status, credit…)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.api.errors import error_body
from hub.errors import QueryInvalid, QueryUnanswered

router = APIRouter(prefix="/query", tags=["queries"])


@router.get("", summary="The queries the connected systems answer")
async def list_queries(hub: HubDep) -> dict[str, list[str]]:
    return {name: [c for c, _ in hub.registry.answerers(name)] for name in hub.queries.names()}


@router.get(
    "/{name}",
    summary="Ask a query; every system that answers it is asked at once",
    description="Query parameters form the request (e.g. `?item=PRD-DESK-1200&warehouse=WH02`); `system` "
                "names whose ids they are (default: each answering system's own). The answer merges every "
                "system's part; `sources` says which answered and how fast.",
    responses={200: {"content": {"application/json": {"example": {
        "query": "inventory.availability",
        "answer": {"item": "PRD-DESK-1200", "on_hand": 20, "reserved": 0, "available": 20, "incoming": []},
        "sources": {"wms": {"status": "ok", "ms": 12.5}}}}}},
               404: {"description": "no system answers this query"},
               422: {"description": "the request does not match the query's schema"},
               502: {"description": "no system could answer"}},
)
async def ask(name: str, request: Request, hub: HubDep) -> Any:
    params = dict(request.query_params)
    system = params.pop("system", None)
    try:
        answer = await run_in_threadpool(hub.queries.ask, name, _typed(params), system=system)
    except QueryInvalid as exc:
        return JSONResponse(error_body("invalid_query", str(exc)), status_code=422)
    except QueryUnanswered as exc:
        return JSONResponse(error_body("unanswered", str(exc), sources=exc.sources), status_code=502)
    return {"query": answer.query, "answer": answer.answer, "sources": answer.sources}


def _typed(params: dict[str, str]) -> dict[str, Any]:
    """Numbers in the query string become numbers, so requests validate against their schemas."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        try:
            out[k] = int(v) if v.lstrip("-").isdigit() else float(v) if _is_float(v) else v
        except ValueError:
            out[k] = v
    return out


def _is_float(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return any(c in v for c in ".eE") and v.strip() not in ("", "inf", "nan")
