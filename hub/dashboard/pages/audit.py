"""Audit log: who did what — logins, replays, retries, pauses, users and tokens (operators and admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard.web import Operator, Services, render, url

router = APIRouter()

PAGE_SIZE = 100


@router.get("/audit")
async def audit(request: Request, who: Operator, admin: Services, actor: str = "", action: str = "",
                cursor: str | None = None) -> Response:
    page = await run_in_threadpool(lambda: admin.audit.list(actor=actor or None, action=action or None,
                                                            limit=PAGE_SIZE, cursor=cursor))
    next_url = url("/audit", actor=actor, action=action, cursor=page.next_cursor) if page.next_cursor else None
    return render(request, who, "audit.html", page=page, actor=actor, action=action, next_url=next_url)
