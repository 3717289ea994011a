"""Users and API tokens (admins): add, change role, disable, set password; create and revoke tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.auth.roles import ROLES, SCOPES
from hub.dashboard import i18n
from hub.dashboard.web import Admin, Form, Services, flash, redirect, render, url
from hub.errors import InvalidRequest

router = APIRouter()


@router.get("/users")
async def users(request: Request, who: Admin, admin: Services) -> Response:
    items = await run_in_threadpool(admin.auth.list_users)
    return render(request, who, "users.html", users=items, roles=ROLES, problem=None)


@router.post("/users")
async def add_user(request: Request, who: Admin, form: Form, admin: Services) -> Response:
    username, role = str(form.get("username") or "").strip(), str(form.get("role") or "")
    try:
        await run_in_threadpool(admin.auth.create_user, username, str(form.get("password") or ""), role)
    except InvalidRequest as exc:
        items = await run_in_threadpool(admin.auth.list_users)
        return render(request, who, "users.html", status_code=422, users=items, roles=ROLES, problem=str(exc))
    await run_in_threadpool(lambda: admin.audit.record(who.actor, "user.create", username, via="ui",
                                                       detail={"role": role}))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.user_created", name=username))
    return redirect(url("/users"))


@router.post("/users/{user_id}")
async def change_user(request: Request, user_id: str, who: Admin, form: Form, admin: Services) -> Response:
    role = str(form.get("role") or "") or None
    active = {"1": True, "0": False}.get(str(form.get("active") or ""))
    password = str(form.get("password") or "") or None
    try:
        view = await run_in_threadpool(lambda: admin.auth.update_user(user_id, role=role, active=active,
                                                                      password=password))
    except InvalidRequest as exc:
        flash(request, str(exc), "error")
        return redirect(url("/users"))
    detail = {k: v for k, v in {"role": role, "active": active}.items() if v is not None}
    if password:
        detail["password"] = "changed"
    await run_in_threadpool(lambda: admin.audit.record(who.actor, "user.update", view.username, via="ui",
                                                       detail=detail))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.user_updated", name=view.username))
    return redirect(url("/users"))


@router.get("/tokens")
async def tokens(request: Request, who: Admin, admin: Services) -> Response:
    items = await run_in_threadpool(admin.auth.list_tokens)
    return render(request, who, "tokens.html", tokens=items, scopes=list(SCOPES), new=None, problem=None)


@router.post("/tokens")
async def create_token(request: Request, who: Admin, form: Form, admin: Services) -> Response:
    """Create a token and show its value on this one page (never again, never in a redirect)."""
    name = str(form.get("name") or "")
    scopes = [s for s in SCOPES if form.get(f"scope_{s}")]
    days_text = str(form.get("expires_in_days") or "").strip()
    try:
        days = int(days_text) if days_text else None
        new = await run_in_threadpool(lambda: admin.auth.create_token(name, scopes, created_by=who.actor,
                                                                      expires_in_days=days))
    except (InvalidRequest, ValueError) as exc:
        items = await run_in_threadpool(admin.auth.list_tokens)
        return render(request, who, "tokens.html", status_code=422, tokens=items, scopes=list(SCOPES), new=None,
                      problem=str(exc))
    await run_in_threadpool(lambda: admin.audit.record(who.actor, "token.create", new.info.name, via="ui",
                                                       detail={"scopes": new.info.scopes, "id": new.info.id}))
    items = await run_in_threadpool(admin.auth.list_tokens)
    response = render(request, who, "tokens.html", tokens=items, scopes=list(SCOPES), new=new, problem=None)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: str, who: Admin, form: Form, admin: Services) -> Response:
    view = await run_in_threadpool(admin.auth.revoke_token, token_id)
    await run_in_threadpool(lambda: admin.audit.record(who.actor, "token.revoke", view.name, via="ui",
                                                       detail={"id": token_id}))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.token_revoked", name=view.name))
    return redirect(url("/tokens"))
