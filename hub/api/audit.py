"""Admin API: the audit log, newest first (operators and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from hub.api.security import Actor, AdminDep
from hub.auth.views import AuditPage

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit", response_model=AuditPage, summary="Who did what: replays, retries, pauses, logins, users")
async def list_audit(
    _: Actor,
    admin: AdminDep,
    actor: str | None = None,
    action: Annotated[str | None, Query(description="prefix, e.g. `replay` or `user.`")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> AuditPage:
    return await run_in_threadpool(lambda: admin.audit.list(actor=actor, action=action, limit=limit,
                                                            cursor=cursor))
