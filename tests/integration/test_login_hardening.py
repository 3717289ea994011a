"""Logins resist guessing, logouts are final, and production refuses the development credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.auth import AuthService
from hub.auth.throttle import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USER
from hub.errors import ConfigError
from hub.runtime import Hub
from hub.settings import dev_secret

GOOD = "operator-pass-1"


@pytest.fixture
def hub(make_settings, fast_config: Path) -> Iterator[Hub]:
    h = Hub.build(make_settings(config_dir=fast_config))
    AuthService(h.db).create_user("liqiang", GOOD, "operator")
    yield h
    h.stop()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as c:
        yield c


def attempt(c: TestClient, username: str, password: str):
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/ui/login").text).group(1)
    return c.post("/ui/login", data={"username": username, "password": password, "csrf_token": token},
                  follow_redirects=False)


def failed_logins(hub: Hub) -> int:
    return sum(1 for e in AuthService_audit(hub) if e.action == "login.failed")


def AuthService_audit(hub: Hub):  # noqa: N802 - reads like the service it lists
    from hub.auth import AuditLog

    return AuditLog(hub.db).list(limit=500).items


def test_a_user_name_is_locked_with_429_and_retry_after_after_five_failures(client, hub, monkeypatch):
    for _ in range(MAX_FAILURES_PER_USER):
        assert attempt(client, "liqiang", "wrong").status_code == 401
    hashes = []
    import hub.auth.service as service

    real = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda *a: hashes.append(1) or real(*a))
    locked = attempt(client, "liqiang", GOOD)  # even the right password waits
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "Too many failed logins" in locked.text
    assert hashes == [] and failed_logins(hub) == MAX_FAILURES_PER_USER  # no argon2, no audit row while locked


def test_a_client_address_is_locked_after_many_failures_whatever_names_it_tries(client):
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert attempt(client, f"guess{i}", "wrong").status_code == 401
    r = attempt(client, "liqiang", GOOD)
    assert r.status_code == 429 and "retry-after" in r.headers


def test_a_successful_login_starts_the_count_of_its_user_again(client):
    for _ in range(MAX_FAILURES_PER_USER - 1):
        attempt(client, "liqiang", "wrong")
    assert attempt(client, "liqiang", GOOD).status_code == 303
    client.cookies.clear()
    assert attempt(client, "liqiang", "wrong").status_code == 401


def test_a_user_name_with_a_newline_is_refused_like_any_wrong_login(client, hub):
    assert attempt(client, "admin\n2026-12-03 INFO forged line", "admin").status_code == 401
    assert all("\n" not in e.actor for e in AuthService_audit(hub))


def test_logout_ends_the_session_on_the_server_so_a_kept_cookie_is_refused(client):
    assert attempt(client, "liqiang", GOOD).status_code == 303
    kept = client.cookies.get("hub_session")
    assert client.get("/api/messages").status_code == 200
    page = client.get("/ui/messages").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set("hub_session", kept)
    r = client.get("/api/messages")
    assert r.status_code == 401, r.text


# ---------------------------------------------------------------------- production start
STRONG_SESSION_SECRET = "k" * 16 + "-a-production-session-key"


def real_secrets(monkeypatch, hub_config: Path) -> None:
    for f in (hub_config / "connectors").glob("*.yaml"):
        monkeypatch.setenv(f"HUB_SECRET_{f.stem.upper()}", dev_secret(f"real-{f.stem}"))


def test_a_production_start_refuses_the_development_webhook_secrets_naming_the_variable(make_settings,
                                                                                          fast_config):
    with pytest.raises(ConfigError, match="HUB_SECRET_WEBSHOP"):
        Hub.build(make_settings(config_dir=fast_config, env="production"))


def test_a_production_start_refuses_admin_admin_naming_hub_admin_password(make_settings, fast_config,
                                                                           monkeypatch):
    real_secrets(monkeypatch, fast_config)
    h = Hub.build(make_settings(config_dir=fast_config, env="production", outbound_allow="127.0.0.1"))
    try:
        with pytest.raises(ConfigError, match="HUB_ADMIN_PASSWORD"):
            create_app(h)
        assert AuthService(h.db).list_users() == []  # no admin/admin was created
    finally:
        h.stop()


def test_a_postgresql_or_redis_url_means_production_unless_hub_env_says_otherwise(make_settings, tmp_path):
    assert make_settings(env=None, database_url="postgresql://hub@db/hub").production
    assert make_settings(env=None, broker_url="redis://localhost:6379/0").production
    assert not make_settings(env=None).production
    assert not make_settings(env="development", database_url="postgresql://hub@db/hub").production


@pytest.mark.parametrize("secret", [None, "too-short-a-key"])
def test_a_production_start_refuses_a_missing_or_short_session_secret_naming_it(make_settings, fast_config,
                                                                                monkeypatch, secret):
    real_secrets(monkeypatch, fast_config)
    h = Hub.build(make_settings(config_dir=fast_config, env="production", admin_password="a-strong-password",
                                outbound_allow="127.0.0.1", session_secret=secret))
    try:
        with pytest.raises(ConfigError, match="refusing a production start.*HUB_SESSION_SECRET"):
            create_app(h)
    finally:
        h.stop()


def test_a_development_start_without_a_session_secret_still_runs(make_settings, fast_config):
    h = Hub.build(make_settings(config_dir=fast_config, session_secret=None))
    try:
        with TestClient(create_app(h)) as c:
            assert c.get("/healthz").status_code == 200
    finally:
        h.stop()


def test_production_sends_session_cookies_secure_only(make_settings, fast_config, monkeypatch):
    real_secrets(monkeypatch, fast_config)
    h = Hub.build(make_settings(config_dir=fast_config, env="production", admin_password="a-strong-password",
                                outbound_allow="127.0.0.1", session_secret=STRONG_SESSION_SECRET))
    try:
        with TestClient(create_app(h), base_url="https://testserver") as c:
            r = attempt(c, "admin", "a-strong-password")
            assert r.status_code == 303
            assert "secure" in r.headers["set-cookie"].lower()
    finally:
        h.stop()
