"""Dashboard sessions for every route but the webhooks.

A webhook is authenticated by its signature alone, so its request has no session to read and no
cookie to sign: :class:`SessionsExcept` hands ``/webhooks/…`` straight to the app and every other
request to Starlette's ``SessionMiddleware`` (which reads, verifies and re-signs the cookie).
"""

from __future__ import annotations

from typing import Literal

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

WEBHOOKS_PREFIX = "/webhooks/"


class SessionsExcept:
    def __init__(self, app: ASGIApp, secret_key: str, session_cookie: str = "session",
                 max_age: int | None = None, same_site: Literal["lax", "strict", "none"] = "lax",
                 https_only: bool = False, exempt: tuple[str, ...] = (WEBHOOKS_PREFIX,)) -> None:
        self.app = app
        self.exempt = exempt
        self.with_sessions = SessionMiddleware(app, secret_key=secret_key, session_cookie=session_cookie,
                                               max_age=max_age, same_site=same_site, https_only=https_only)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
        else:
            await self.with_sessions(scope, receive, send)
