"""The hub's API and worker processes with the mapping version each has loaded; reloading mappings in all."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.api.security import AdminDep, Manager, Reader
from hub.presence import ProcessView, ReloadResult

router = APIRouter(prefix="/api", tags=["processes"])


@router.get("/processes", response_model=list[ProcessView],
            summary="Running API and worker processes, each with the mapping version it has loaded")
async def list_processes(_: Reader, hub: HubDep) -> list[ProcessView]:
    return await run_in_threadpool(hub.presence.processes)


@router.post("/mappings/reload", response_model=ReloadResult,
             summary="Reload mapping files and code tables in every API and worker process")
async def reload_mappings(who: Manager, admin: AdminDep) -> ReloadResult:
    """Answers once every process has applied the reload, or after a few seconds with ``reached`` below
    the number of processes (a process that missed it still loads the files when it next starts)."""
    return await run_in_threadpool(lambda: admin.actions.reload_mappings(who, via="api"))
