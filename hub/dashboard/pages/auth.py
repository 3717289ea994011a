"""Log in, log out, and choose the language."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.api.security import current_principal, end_session, start_session
from hub.auth.roles import Principal
from hub.dashboard import i18n
from hub.dashboard.web import PREFIX, Form, Services, flash, redirect, render, url

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
    who = await run_in_threadpool(admin.auth.authenticate, username, password)
    if who is None:
        await run_in_threadpool(admin.audit.record, username or "?", "login.failed", None, via="ui")
        return render(request, None, "login.html", status_code=401, next=safe_next(str(form.get("next") or "")),
                      error="login.failed", username=username)
    start_session(request, who)
    await run_in_threadpool(admin.audit.record, who.actor, "login", None, via="ui")
    return redirect(safe_next(str(form.get("next") or "")))


@router.post("/logout")
async def logout(request: Request, form: Form, admin: Services,
                 who: Annotated[Principal | None, Depends(current_principal)]) -> Response:
    if who is not None:
        await run_in_threadpool(admin.audit.record, who.actor, "logout", None, via="ui")
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
