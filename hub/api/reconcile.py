"""Reconciliation runs and their mismatches; run the checks now; replay the message a mismatch lacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.api.security import Actor, AdminDep
from hub.views import ActionResult

router = APIRouter(prefix="/api/reconcile", tags=["reconciliation"])


class RunView(BaseModel):
    id: str
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    status: str = Field(description="running | ok | mismatch | error | interrupted (its process stopped mid-run)")
    reason: str | None = Field(None, description="why an interrupted run did not finish")
    mismatches: int
    summary: list[dict[str, Any]]


class MismatchView(BaseModel):
    id: str
    check: str
    kind: str
    key: str
    left_amount: float | None
    right_amount: float | None
    replayed_message_id: str | None
    replayed_at: datetime | None
    replay_status: str | None


class RunDetail(RunView):
    items: list[MismatchView]


@router.get("/runs", response_model=list[RunView], summary="Recent reconciliation runs, newest first")
async def list_runs(hub: HubDep, limit: int = 20) -> list[RunView]:
    runs = await run_in_threadpool(hub.reconciler.runs, max(1, min(limit, 200)))
    return [RunView.model_validate(r, from_attributes=True) for r in runs]


@router.get("/runs/{run_id}", response_model=RunDetail, summary="One run with its mismatches")
async def get_run(run_id: str, hub: HubDep) -> RunDetail:
    def read() -> RunDetail:
        run, items = hub.reconciler.run_with_mismatches(run_id)
        return RunDetail(**RunView.model_validate(run, from_attributes=True).model_dump(),
                         items=[MismatchView.model_validate(m, from_attributes=True) for m in items])
    return await run_in_threadpool(read)


@router.post("/runs", response_model=RunDetail, summary="Run the checks now (all, or those named in `check`)")
async def run_now(who: Actor, admin: AdminDep, hub: HubDep, check: list[str] | None = None) -> RunDetail:
    run_id = await run_in_threadpool(lambda: admin.actions.reconcile(who, only=check or None, via="api"))
    return await get_run(run_id, hub)


@router.post("/mismatches/{mismatch_id}/replay", response_model=ActionResult,
             summary="Replay the message a key missing on the receiving side came in, to that side only")
async def replay_mismatch(mismatch_id: str, who: Actor, admin: AdminDep) -> ActionResult:
    return await run_in_threadpool(lambda: admin.actions.replay_mismatch(who, mismatch_id, via="api"))
