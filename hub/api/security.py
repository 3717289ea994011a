"""Who is calling: a dashboard session or an API token — and the guards of the operations API.

* ``Authorization: Bearer hub_…`` — an API token; its scopes decide (see :mod:`hub.auth.roles`).
* otherwise the signed session cookie of a dashboard login (Starlette's
  ``SessionMiddleware``; idle and absolute expiry, see :func:`session_principal`). Each
  session has a random id; logging out revokes it on the server (the cookie is refused at
  once, even if a copy of it was kept);
  an unsafe call on a session must carry the ``X-CSRF-Token`` header.

:func:`api_guard` protects the ``/api`` routers: safe methods need ``read``,
others ``act``; every successful action is written to the audit log. The
webhook endpoint (authenticated by its signature), ``/healthz``, ``/readyz``,
``/metrics`` and the OpenAPI document stay open.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.admin import AdminServices
from hub.api.errors import error_body
from hub.auth import csrf
from hub.auth.roles import ACT, MANAGE, READ, Principal
from hub.errors import AuthError, Forbidden, NotAuthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_USER = "uid"
SESSION_LOGIN_AT = "login_at"
SESSION_SEEN_AT = "seen_at"
SESSION_ID = "sid"
SESSION_ID_BYTES = 16
UI_PREFIX = "/ui"


def services(request: Request) -> AdminServices:
    admin: AdminServices = request.app.state.admin
    return admin


AdminDep = Annotated[AdminServices, Depends(services)]


def session_principal(request: Request) -> Principal | None:
    """The logged-in user of this request's session, or None; ends sessions past their time."""
    session = request.session
    uid, login_at, sid = session.get(SESSION_USER), session.get(SESSION_LOGIN_AT), session.get(SESSION_ID)
    if not uid or not isinstance(login_at, (int, float)) or not isinstance(sid, str):
        return None
    settings = request.app.state.hub.settings
    now = time.time()
    seen = session.get(SESSION_SEEN_AT, login_at)
    if now - login_at > settings.session_max_s or now - seen > settings.session_idle_s:
        end_session(request)
        return None
    who = services(request).auth.session_principal(uid, datetime.fromtimestamp(login_at, UTC), sid)
    if who is None:
        end_session(request)
        return None
    session[SESSION_SEEN_AT] = now
    return who


def start_session(request: Request, who: Principal) -> None:
    """A fresh session for ``who`` (a new CSRF token too: no fixation across a login)."""
    request.session.clear()
    now = time.time()
    request.session.update({SESSION_USER: who.id, SESSION_LOGIN_AT: now, SESSION_SEEN_AT: now,
                            SESSION_ID: secrets.token_urlsafe(SESSION_ID_BYTES)})
    csrf.session_token(request.session)


def end_session(request: Request) -> None:
    request.session.clear()


def session_id(request: Request) -> str | None:
    sid = request.session.get(SESSION_ID)
    return sid if isinstance(sid, str) else None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def current_principal(request: Request) -> Principal | None:
    """Token first (machines), then session (people). Cached on the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    token = bearer_token(request)
    if token is not None:
        who = await run_in_threadpool(services(request).auth.token_principal, token)
        if who is None:
            raise NotAuthenticated("the API token is unknown, revoked or expired")
        request.state.via_token = True
    else:
        who = await run_in_threadpool(session_principal, request)
        request.state.via_token = False
    request.state.principal = who
    return who


def _needs(permission: str):  # type: ignore[no-untyped-def]
    async def dependency(request: Request) -> Principal:
        who = await current_principal(request)
        if who is None:
            raise NotAuthenticated("log in, or send Authorization: Bearer <token>")
        if not who.can(permission):
            raise Forbidden(f"{who.actor} may not do this: it needs the {permission!r} permission "
                            f"({'a token scope' if who.kind == 'token' else 'a role'} that grants it)")
        if request.method not in SAFE_METHODS and not getattr(request.state, "via_token", False):
            csrf.check(request.session, request.headers.get(csrf.HEADER))
        return who
    return dependency


Reader = Annotated[Principal, Depends(_needs(READ))]
Actor = Annotated[Principal, Depends(_needs(ACT))]
Manager = Annotated[Principal, Depends(_needs(MANAGE))]


async def api_guard(request: Request) -> Principal:
    """For the operations routers: read to look, act to change. Changes go through
    :class:`~hub.auth.actions.Actions`, which writes them to the audit log."""
    unsafe = request.method not in SAFE_METHODS
    who: Principal = await _needs(ACT if unsafe else READ)(request)
    return who


async def api_auth_error(_: Request, exc: AuthError) -> JSONResponse:
    """401 (with ``WWW-Authenticate: Bearer``), 403 or 422 as the API's JSON error body."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
    return JSONResponse(error_body(exc.code, str(exc)), status_code=exc.status, headers=headers)
