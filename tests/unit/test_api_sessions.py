"""Webhooks pass by the dashboard's sessions: no cookie is read or signed for them, every other route has one."""

from __future__ import annotations

from typing import Any

from hub.api.sessions import SessionsExcept
from tests.support.aio import run_async


def scope_seen_by_the_app(path: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.update(scope)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict[str, Any]) -> None:
        return None

    guarded = SessionsExcept(app, secret_key="k" * 32, session_cookie="hub_session")
    scope = {"type": "http", "method": "POST", "path": path, "headers": [(b"cookie", b"hub_session=forged")],
             "query_string": b""}
    run_async(guarded(scope, receive, send))
    return seen


def test_a_webhook_reaches_its_route_without_a_session():
    assert "session" not in scope_seen_by_the_app("/webhooks/webshop")


def test_every_other_route_has_its_session():
    assert scope_seen_by_the_app("/api/messages")["session"] == {}
    assert scope_seen_by_the_app("/webhooks")["session"] == {}  # only the connectors' routes go by
