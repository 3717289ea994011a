"""Guards every request passes before any route: refuse what no handler can take, add the page headers.

* :class:`RefuseNul` — a NUL character (``%00``) in the path, the query string or a posted
  form (``application/x-www-form-urlencoded``) is refused with ``400`` and a JSON body, on
  every route, before it can reach a database (PostgreSQL text cannot hold it; SQLite would
  store it): the same answer on both stores. (JSON bodies are checked where they are read:
  webhooks by :mod:`hub.safejson`, the API's models by their fields.) A form is read whole
  to be checked, so one past :data:`MAX_FORM_BYTES` is refused with ``413``.
* :class:`PageHeaders` — the dashboard's pages may not be framed (``X-Frame-Options: DENY``
  and ``frame-ancestors 'none'``), load scripts from the hub only (:data:`UI_CSP`), and are
  not kept by caches (``Cache-Control: no-store``: they show messages, tokens, users);
  its static files stay cacheable.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import BadRequest, FormTooLarge, RequestRefused

UI_PREFIX = "/ui"
UI_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
"""Scripts only from the hub (htmx and app.js are served from ``/ui/static``); inline ``style``
attributes are allowed, inline scripts are not."""
UI_HEADERS = ((b"x-frame-options", b"DENY"), (b"content-security-policy", UI_CSP.encode()),
              (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))
UI_STATIC = UI_PREFIX + "/static/"
NO_STORE = ((b"cache-control", b"no-store"),)


FORM = b"application/x-www-form-urlencoded"
MAX_FORM_BYTES = 2 * 1024 * 1024
"""Largest url-encoded form accepted (the playground's mapping and input are the largest)."""


def nul_in(scope: Scope) -> str | None:
    """Which part of the request line holds a NUL character, if any."""
    if "\x00" in scope.get("path", ""):
        return "the path"
    if _has_nul(scope.get("query_string", b"")):
        return "the query string"
    return None


def _has_nul(encoded: bytes) -> bool:
    return b"%00" in encoded or b"\x00" in encoded or b"\x00" in unquote_to_bytes(encoded)


def _is_form(scope: Scope) -> bool:
    return any(k == b"content-type" and v.split(b";")[0].strip().lower() == FORM for k, v in scope["headers"])


class RefuseNul:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = nul_in(scope) if scope["type"] == "http" else None
        error: RequestRefused | None = None
        if where is None and scope["type"] == "http" and _is_form(scope):
            received: list[Message] = []
            size, more = 0, True
            while more and size <= MAX_FORM_BYTES:
                message = await receive()
                received.append(message)
                size += len(message.get("body", b""))
                more = message["type"] == "http.request" and message.get("more_body", False)
            if size > MAX_FORM_BYTES:
                error = FormTooLarge(f"the form is larger than {MAX_FORM_BYTES} bytes", limit=MAX_FORM_BYTES)
            elif _has_nul(b"".join(m.get("body", b"") for m in received)):
                where = "the form"

            async def replay() -> Message:
                return received.pop(0) if received else await receive()
            receive = replay
        if where is not None:
            error = BadRequest(f"{where} holds a NUL character (%00); no id or parameter of the hub may contain one")
        if error is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps(error.body()).encode()
        await send({"type": "http.response.start", "status": error.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class PageHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(UI_PREFIX):
            await self.app(scope, receive, send)
            return

        extra = UI_HEADERS if scope["path"].startswith(UI_STATIC) else UI_HEADERS + NO_STORE

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in extra if k not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
