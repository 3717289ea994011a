"""Reconciliation (runs, their counts and mismatches; run now; replay a missing key) and retention (policy, what is due)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard.web import Form, Operator, Services, Viewer, flash, redirect, render, url
from hub.errors import HubError

router = APIRouter()


@router.get("/reconcile")
async def reconcile(request: Request, who: Viewer, admin: Services, run: str = "") -> Response:
    reconciler = admin.hub.reconciler

    def read():  # type: ignore[no-untyped-def]
        runs = reconciler.runs(20)
        chosen = run or (runs[0].id if runs else "")
        return runs, reconciler.run_with_mismatches(chosen) if chosen else (None, [])
    runs, (current, mismatches) = await run_in_threadpool(read)
    checks = reconciler.plan.file.checks if reconciler.plan else {}
    return render(request, who, "ops/reconcile.html", runs=runs, current=current, mismatches=mismatches,
                  checks=checks, configured=reconciler.plan is not None)


@router.post("/reconcile/run")
async def run_now(request: Request, who: Operator, form: Form, admin: Services) -> Response:
    run_id = await run_in_threadpool(lambda: admin.actions.reconcile(who, via="ui"))
    return redirect(url("/reconcile", run=run_id))


@router.post("/reconcile/mismatches/{mismatch_id}/replay")
async def replay(request: Request, mismatch_id: str, who: Operator, form: Form, admin: Services) -> Response:
    try:
        result = await run_in_threadpool(lambda: admin.actions.replay_mismatch(who, mismatch_id, via="ui"))
        flash(request, f"{result.id}: {result.status} — {result.detail}")
    except HubError as exc:
        flash(request, str(exc), "error")
    return redirect(url("/reconcile", run=str(form.get("run") or "")))


@router.get("/retention")
async def retention(request: Request, who: Operator, admin: Services) -> Response:
    r = admin.hub.retention
    due = await run_in_threadpool(lambda: r.run(dry_run=True)) if r.plan else None
    last_run = await run_in_threadpool(r.last_run) if r.plan else None
    return render(request, who, "ops/retention.html", plan=r.plan, due=due, last_run=last_run)
