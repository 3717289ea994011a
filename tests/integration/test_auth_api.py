"""The operations API is closed to strangers: tokens with scopes, sessions with CSRF, and an audit of every act."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from tests.support.auth import bearer, new_token
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually


@pytest.fixture
def app(hub):
    return create_app(hub)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def send(c: TestClient, number: str) -> str:
    body, headers = signed(order_created(number))
    r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()["id"]


def login(c: TestClient, username: str, password: str) -> str:
    """Log in through the dashboard's form; returns the session's CSRF token."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/ui/login").text).group(1)
    r = c.post("/ui/login", data={"username": username, "password": password, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/ui/messages").text).group(1)


def test_an_anonymous_call_to_the_operations_api_is_refused_with_401(client):
    r = client.get("/api/messages")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "not_authenticated"
    assert client.post("/api/deliveries/retry").status_code == 401


def test_webhooks_health_metrics_and_the_api_document_stay_open(client, target):
    mid = send(client, "WS-OPEN-1")
    assert mid
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_a_query_token_reads_but_may_not_act(client, hub):
    headers = bearer(new_token(hub.db, "query"))
    mid = send(client, "WS-Q-1")
    assert client.get(f"/api/messages/{mid}", headers=headers).status_code == 200
    r = client.post(f"/api/messages/{mid}/replay", headers=headers)
    assert r.status_code == 403 and "act" in r.json()["error"]["message"]


def test_an_operate_token_replays_and_the_replay_is_in_the_audit_log(client, hub, app, target):
    headers = bearer(new_token(hub.db, "operate"))
    mid = send(client, "WS-O-1")
    eventually(lambda: client.get(f"/api/messages/{mid}", headers=headers).json()["status"] == "delivered")
    assert client.post(f"/api/messages/{mid}/replay", headers=headers).status_code == 200
    [entry] = app.state.admin.audit.list(action="replay").items
    assert (entry.actor, entry.target, entry.via) == ("token:tests", mid, "api")
    assert client.get("/api/audit", headers=headers).json()["items"][0]["action"] == "replay"


def test_only_an_admin_token_manages_tokens_and_users(client, hub):
    operate, admin = bearer(new_token(hub.db, "operate")), bearer(new_token(hub.db, "admin"))
    assert client.get("/api/tokens", headers=operate).status_code == 403
    created = client.post("/api/tokens", json={"name": "wms-sync", "scopes": ["query"]}, headers=admin)
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/api/messages", headers=bearer(token)).status_code == 200
    client.delete(f"/api/tokens/{created.json()['info']['id']}", headers=admin)
    assert client.get("/api/messages", headers=bearer(token)).status_code == 401
    user = client.post("/api/users", json={"username": "chenjing", "password": "op-password", "role": "operator"},
                       headers=admin)
    assert user.status_code == 201 and user.json()["role"] == "operator"
    refused = client.post("/api/users", json={"username": "x", "password": "short", "role": "viewer"}, headers=admin)
    assert refused.status_code == 422 and "at least 8" in refused.json()["error"]["message"]


def test_a_dashboard_session_can_call_the_api_but_an_action_needs_the_csrf_header(client, target):
    mid = send(client, "WS-S-1")
    csrf = login(client, "admin", "admin")
    assert client.get(f"/api/messages/{mid}").status_code == 200
    assert client.post(f"/api/messages/{mid}/replay").status_code == 403
    assert client.post(f"/api/messages/{mid}/replay", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_a_viewer_session_reads_but_cannot_pause_a_connector(client, app):
    app.state.admin.auth.create_user("wangfang", "viewer-pass", "viewer")
    csrf = login(client, "wangfang", "viewer-pass")
    assert client.get("/api/connectors").status_code == 200
    assert client.post("/api/connectors/ledger/pause", headers={"X-CSRF-Token": csrf}).status_code == 403
