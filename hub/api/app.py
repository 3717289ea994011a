"""Build the FastAPI app around a :class:`~hub.runtime.Hub`: the API, the admin API and the dashboard."""

from __future__ import annotations

import logging
import secrets

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from hub import __version__
from hub.admin import AdminServices
from hub.api import audit, connectors, health, masterdata, messages, processes, queries, reconcile, tokens, webhooks
from hub.api.errors import install_error_handlers
from hub.api.guards import PageHeaders, RefuseNul
from hub.api.security import UI_PREFIX, api_auth_error, api_guard
from hub.api.sessions import SessionsExcept
from hub.errors import AuthError, ConfigError
from hub.runtime import Hub
from hub.settings import PRODUCTION_REFUSAL, session_secret_problem

log = logging.getLogger("hub.api")

SESSION_COOKIE = "hub_session"

DESCRIPTION = """\
The integration hub's HTTP interface.

* **Webhooks** — systems send their events to `POST /webhooks/{connector}`, signed per
  [Standard Webhooks](https://www.standardwebhooks.com/); CloudEvents are accepted in binary and
  structured mode. The signature is their only credential.
* **Messages and deliveries** — find any message by business key, see its raw and canonical forms,
  every delivery and attempt; replay messages and retry deliveries, one by one or in bulk.
  Send `Authorization: Bearer <token>` (scope `query` to read, `operate` to act, `admin` for all)
  or use a dashboard session. Every action is written to the audit log.
* **Users, tokens, audit** — for admins.
* **Health** — `/healthz`, `/readyz` and Prometheus `/metrics` (open).
* **Dashboard** — `/ui`, in Chinese and English.
"""


def create_app(hub: Hub) -> FastAPI:
    from hub import dashboard

    app = FastAPI(title="Integration hub", version=__version__, description=DESCRIPTION)
    app.state.hub = hub
    hub.presence.join("api")
    app.state.admin = AdminServices.build(hub)
    install_error_handlers(app)

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> Response:
        if request.url.path.startswith(UI_PREFIX):
            return await dashboard.auth_error(request, exc)
        return await api_auth_error(request, exc)

    for router in (webhooks.router, health.router):
        app.include_router(router)
    for router in (messages.router, connectors.router, queries.router, masterdata.router, reconcile.router):
        app.include_router(router, dependencies=[Depends(api_guard)])
    for router in (tokens.router, audit.router, processes.router):
        app.include_router(router)
    dashboard.mount(app)
    app.add_middleware(SessionsExcept, secret_key=_session_secret(hub), session_cookie=SESSION_COOKIE,
                       max_age=int(hub.settings.session_max_s), same_site="lax",
                       https_only=hub.settings.cookies_https_only)
    app.add_middleware(PageHeaders)
    app.add_middleware(RefuseNul)
    return app


def _session_secret(hub: Hub) -> str:
    """The key signing session cookies. A production start refuses to run without a strong one: a
    random key per process would end every login at each restart and hold it on one replica only."""
    configured = hub.settings.session_secret
    problem = session_secret_problem(configured.get_secret_value() if configured else None)
    if hub.settings.production and problem:
        raise ConfigError(PRODUCTION_REFUSAL + problem)
    if configured is not None:
        return configured.get_secret_value()
    if not hub.settings.embedded:
        log.warning("HUB_SESSION_SECRET is unset: each API process signs sessions with its own random key, "
                    "so a login holds only on the replica that made it; set the same secret on all of them")
    return secrets.token_urlsafe(32)
