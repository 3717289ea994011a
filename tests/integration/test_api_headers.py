"""What the hub's answers tell browsers and clients: no framing, no caching of secrets, the rules it enforces."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.auth.passwords import MIN_PASSWORD_LENGTH
from hub.auth.roles import ROLES, SCOPES
from tests.support.auth import bearer, new_token


@pytest.fixture
def client(make_settings):
    from hub.runtime import Hub

    hub = Hub.build(make_settings())
    with TestClient(create_app(hub)) as c:
        c.hub = hub  # type: ignore[attr-defined]
        yield c
    hub.stop()


def test_dashboard_pages_may_not_be_framed_and_load_scripts_from_the_hub_only(client):
    r = client.get("/ui/login")
    assert r.status_code == 200
    assert r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert r.headers["cache-control"] == "no-store"


def test_the_dashboards_static_files_stay_cacheable(client):
    r = client.get("/ui/static/app.js")
    assert r.status_code == 200 and "no-store" not in r.headers.get("cache-control", "")


def test_a_new_token_is_answered_with_cache_control_no_store(client):
    r = client.post("/api/tokens", json={"name": "reporting", "scopes": ["query"]},
                    headers=bearer(new_token(client.hub.db)))
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"


def test_a_token_name_with_a_control_character_is_refused_with_422(client):
    r = client.post("/api/tokens", json={"name": "a\u0000b", "scopes": ["query"]},
                    headers=bearer(new_token(client.hub.db)))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_the_openapi_document_states_the_name_role_scope_and_password_rules(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    user, token, change = schemas["UserRequest"]["properties"], schemas["TokenRequest"]["properties"], \
        schemas["UserChange"]["properties"]
    assert user["username"]["pattern"] == "^[A-Za-z0-9_.@-]{1,100}$"
    assert user["password"]["minLength"] == MIN_PASSWORD_LENGTH
    assert user["role"]["enum"] == list(ROLES)
    assert token["scopes"]["items"]["enum"] == list(SCOPES) and token["scopes"]["minItems"] == 1
    assert token["name"]["maxLength"] == 100 and token["name"]["minLength"] == 1
    assert change["password"]["anyOf"][0]["minLength"] == MIN_PASSWORD_LENGTH
    assert change["role"]["enum"] == list(ROLES)
