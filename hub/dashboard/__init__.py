"""The admin dashboard under ``/ui``: server-rendered pages (Jinja2), htmx and server-sent events.

Pages live one module each in :mod:`hub.dashboard.pages`, templates in
``templates/``, the stylesheet and the few lines of script in ``static/``
(htmx is vendored there; no Node build step). Pages call services only — the
operations service, the registry and :class:`hub.admin.AdminServices` — never SQL.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from hub.auth.roles import Principal
from hub.dashboard import i18n
from hub.dashboard.pages import (
    audit,
    auth,
    connectors,
    dead_letters,
    mappings,
    masterdata,
    messages,
    overview,
    reconcile,
    traces,
    users,
)
from hub.dashboard.web import HERE, PREFIX, render, url
from hub.errors import AuthError, CsrfRejected, HubError, InvalidRequest, NotAuthenticated, NotFound

log = logging.getLogger("hub.dashboard")

PAGES = (auth, overview, messages, traces, dead_letters, connectors, mappings, masterdata, reconcile, audit, users)


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages, static files and HTML error pages to ``app``."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for page in PAGES:
        router.include_router(page.router)
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse(url("/"), status_code=307)

    @app.get("/favicon.ico", include_in_schema=False)
    async def _favicon() -> RedirectResponse:  # for clients that ask before reading the page's icon link
        return RedirectResponse(url("/static/favicon.svg"), status_code=308)

    _html_errors_on_ui(app)


async def auth_error(request: Request, exc: AuthError) -> Response:
    """Not logged in → the login page (htmx: by ``HX-Redirect``); refused → a 403 page that says why."""
    if isinstance(exc, NotAuthenticated):
        target = url("/login", next=request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    t = i18n.translator(i18n.negotiate(request))
    message = (t("error.csrf") if isinstance(exc, CsrfRejected) else str(exc) if isinstance(exc, InvalidRequest)
               else t("error.forbidden"))
    return render(request, _known(request), "error.html", status_code=exc.status, message=message,
                  detail=None if isinstance(exc, InvalidRequest) else str(exc))


def _known(request: Request) -> Principal | None:
    """The user, if this request got as far as identifying them (so the error page keeps its menu)."""
    return getattr(request.state, "principal", None)


def _html_errors_on_ui(app: FastAPI) -> None:
    """The API answers errors in JSON; under /ui the same errors become pages a person can read."""
    api_not_found = app.exception_handlers.get(NotFound)
    api_unexpected = app.exception_handlers.get(Exception)

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(PREFIX):
            t = i18n.translator(i18n.negotiate(request))
            return render(request, _known(request), "error.html", status_code=404,
                          message=t("error.not_found", what=str(exc)))
        assert api_not_found is not None
        answer: Response = await api_not_found(request, exc)  # type: ignore[misc]
        return answer

    async def hub_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(PREFIX):
            return render(request, _known(request), "error.html", status_code=400, message=str(exc))
        assert api_unexpected is not None
        answer: Response = await api_unexpected(request, exc)  # type: ignore[misc]
        return answer

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(HubError, hub_error)
