"""Dead letters: grouped by system and error; bulk retry by filter, with a confirmation and its progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard.web import Form, Operator, Services, Viewer, redirect, render, url
from hub.errors import NotFound
from hub.store.models import DeliveryStatus

router = APIRouter()


@router.get("/dead-letters")
async def dead_letters(request: Request, who: Viewer, admin: Services, connector: str = "") -> Response:
    groups = await run_in_threadpool(lambda: admin.stats.dead_groups(connector=connector or None))
    return render(request, who, "dead/list.html", groups=groups, connector=connector,
                  connectors=sorted(admin.hub.registry.connectors), total=sum(g.count for g in groups))


@router.get("/dead-letters/confirm")
async def confirm(request: Request, who: Operator, admin: Services, connector: str = "", error: str = "") -> Response:
    """What a bulk retry with this filter would do, before it is done."""
    count = await run_in_threadpool(lambda: admin.stats.count_dead(connector=connector or None,
                                                                   error_contains=error or None))
    return render(request, who, "dead/confirm.html", count=count, connector=connector, error=error)


@router.post("/dead-letters/retry")
async def bulk_retry(request: Request, who: Operator, form: Form, admin: Services) -> Response:
    connector, error = str(form.get("connector") or ""), str(form.get("error") or "")
    result, entry = await run_in_threadpool(lambda: admin.actions.bulk_retry(
        who, connector=connector or None, error_contains=error or None, via="ui"))
    if entry is None:  # the audit write failed (logged); show the plain outcome
        return redirect(url("/dead-letters"))
    return redirect(url(f"/dead-letters/batches/{entry}"))


@router.get("/dead-letters/batches/{entry_id}")
async def progress(request: Request, entry_id: str, who: Viewer, admin: Services) -> Response:
    """How the deliveries of one bulk retry are doing now (read from the store: any replica can answer)."""
    entry = await run_in_threadpool(admin.audit.get, entry_id)
    if entry.action != "bulk_retry" or not entry.detail:
        raise NotFound(f"no bulk retry {entry_id}")
    ids = entry.detail.get("ids", [])
    states = await run_in_threadpool(admin.stats.delivery_progress, ids)
    delivered = states.get(DeliveryStatus.DELIVERED, 0)
    failed = sum(states.get(s, 0) for s in (DeliveryStatus.DEAD, DeliveryStatus.REJECTED))
    still_open = sum(states.get(s, 0) for s in DeliveryStatus.OPEN)
    values: dict[str, Any] = dict(entry=entry, total=len(ids), delivered=delivered, failed=failed, still_open=still_open,
                  done=still_open == 0)
    template = "dead/_progress.html" if request.headers.get("hx-request") else "dead/progress.html"
    return render(request, who, template, **values)
