"""Log in, log out, and choose the language."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.api.security import current_principal, end_session, session_id, start_session
from hub.auth.roles import Principal
from hub.auth.service import USERNAME
from hub.dashboard import i18n
from hub.dashboard.web import PREFIX, Form, Services, flash, redirect, render, url
from hub.errors import TooManyAttempts

router = APIRouter()

LANG_COOKIE_AGE_S = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect to another site."""
    if not target:
        return url("/")
    parts = urlsplit(target)
    inside = parts.path == PREFIX or parts.path.startswith(PREFIX + "/")
    if parts.scheme or parts.netloc or not inside or "\\" in target or target.startswith("//"):
        return url("/")
    return target


@router.get("/login")
async def login_page(request: Request, next: str | None = None, expired: bool = False) -> Response:
    who = await current_principal(request)
    if who is not None:
        return redirect(safe_next(next))
    return render(request, None, "login.html", next=safe_next(next), error="login.expired" if expired else None,
                  username="")


@router.post("/login")
async def login(request: Request, form: Form, admin: Services) -> Response:
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    name = username if USERNAME.match(username) else None  # no stranger text in queries, logs or the audit
    address = request.client.host if request.client else "unknown"
    next_page = safe_next(str(form.get("next") or ""))
    try:
        await run_in_threadpool(admin.throttle.check, name, address)
    except TooManyAttempts as exc:
        locked = render(request, None, "login.html", status_code=exc.status, next=next_page, error="login.locked",
                        minutes=-(-exc.retry_after_s // 60), username=name or "")
        locked.headers["Retry-After"] = str(exc.retry_after_s)
        return locked
    who = await run_in_threadpool(admin.auth.authenticate, username, password)
    if who is None:
        await run_in_threadpool(admin.audit.record, name or "?", "login.failed", address, via="ui")
        return render(request, None, "login.html", status_code=401, next=next_page,
                      error="login.failed", username=name or "")
    start_session(request, who)
    await run_in_threadpool(admin.audit.record, who.actor, "login", None, via="ui")
    return redirect(safe_next(str(form.get("next") or "")))


@router.post("/logout")
async def logout(request: Request, form: Form, admin: Services,
                 who: Annotated[Principal | None, Depends(current_principal)]) -> Response:
    sid = session_id(request)
    if who is not None and sid is not None:
        await run_in_threadpool(admin.auth.end_session, who, sid)
    end_session(request)
    t = i18n.translator(i18n.negotiate(request))
    flash(request, t("login.logged_out"))
    return redirect(url("/login"))


@router.post("/lang")
async def switch_language(request: Request, form: Form) -> Response:
    lang = str(form.get("lang", ""))
    response = redirect(safe_next(str(form.get("next") or "")))
    if lang in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=LANG_COOKIE_AGE_S, samesite="lax", httponly=True)
    return response
