"""Users, passwords, tokens and the audit log, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.auth import AuditLog, AuthService, InvalidRequest
from hub.auth.roles import ACT, MANAGE, READ
from hub.store import Database
from hub.store.migrate import upgrade
from hub.store.models import ApiToken, User


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/auth.db")
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def auth(db) -> AuthService:
    return AuthService(db)


def test_a_password_is_stored_only_as_an_argon2_hash_and_checked_against_it(auth, db):
    auth.create_user("liqiang", "s3cret-pass", "operator")
    with db.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "liqiang"))
    assert "s3cret-pass" not in stored and stored.startswith("$argon2")
    who = auth.authenticate("liqiang", "s3cret-pass")
    assert who is not None and who.role == "operator" and who.can(ACT) and not who.can(MANAGE)
    assert auth.authenticate("liqiang", "wrong") is None
    assert auth.authenticate("nobody", "s3cret-pass") is None


def test_the_first_admin_is_created_only_when_there_is_no_user(auth):
    assert auth.ensure_admin("admin", "admin") is True
    assert auth.ensure_admin("other", "other") is False
    assert [u.username for u in auth.list_users()] == ["admin"]


def test_a_disabled_user_cannot_log_in_and_loses_the_sessions_it_had(auth):
    user = auth.create_user("wangfang", "viewer-pass", "viewer")
    login_at = datetime.now(UTC)
    assert auth.session_principal(user.id, login_at, "s-1") is not None
    auth.update_user(user.id, active=False)
    assert auth.authenticate("wangfang", "viewer-pass") is None
    assert auth.session_principal(user.id, login_at, "s-1") is None


def test_a_new_password_ends_the_sessions_that_began_before_it(auth):
    user = auth.create_user("zhaolei", "first-pass", "operator")
    old_login = datetime.now(UTC) - timedelta(minutes=5)
    auth.update_user(user.id, password="second-pass")
    assert auth.session_principal(user.id, old_login, "s-1") is None
    assert auth.session_principal(user.id, datetime.now(UTC) + timedelta(seconds=2), "s-2") is not None


def test_the_last_active_admin_cannot_be_demoted_or_disabled(auth):
    auth.ensure_admin("admin", "admin")
    [admin] = auth.list_users()
    with pytest.raises(InvalidRequest, match="without an active admin"):
        auth.update_user(admin.id, role="viewer")
    with pytest.raises(InvalidRequest, match="without an active admin"):
        auth.update_user(admin.id, active=False)


def test_names_roles_and_short_passwords_are_refused_with_a_reason(auth):
    with pytest.raises(InvalidRequest, match="role must be one of"):
        auth.create_user("x", "long-enough", "superuser")
    with pytest.raises(InvalidRequest, match="at least 8"):
        auth.create_user("x", "short", "viewer")
    with pytest.raises(InvalidRequest, match="username"):
        auth.create_user("has space", "long-enough", "viewer")
    auth.create_user("x", "long-enough", "viewer")
    with pytest.raises(InvalidRequest, match="already exists"):
        auth.create_user("x", "long-enough", "viewer")


def test_a_token_is_shown_once_stored_as_a_hash_and_grants_its_scopes(auth, db):
    new = auth.create_token("erp-reporting", ["query"], created_by="admin")
    with db.session() as s:
        row = s.scalar(select(ApiToken))
    assert new.token.startswith("hub_") and new.token not in (row.token_hash, row.prefix)
    assert new.token.startswith(row.prefix)
    who = auth.token_principal(new.token)
    assert who is not None and who.actor == "token:erp-reporting"
    assert who.can(READ) and not who.can(ACT)
    assert auth.token_principal(new.token + "x") is None


def test_a_revoked_or_expired_token_is_refused(auth, db):
    revoked = auth.create_token("old", ["operate"], created_by="admin")
    auth.revoke_token(revoked.info.id)
    assert auth.token_principal(revoked.token) is None
    expiring = auth.create_token("short-lived", ["admin"], created_by="admin", expires_in_days=1)
    with db.session() as s:
        s.get(ApiToken, expiring.info.id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert auth.token_principal(expiring.token) is None


def test_unknown_scopes_are_refused(auth):
    with pytest.raises(InvalidRequest, match="scopes must be some of"):
        auth.create_token("x", ["everything"], created_by="admin")


def test_the_audit_log_lists_newest_first_and_filters_by_actor_and_action(db):
    audit = AuditLog(db)
    audit.record("liqiang", "replay", "m-1", via="ui")
    audit.record("liqiang", "replay.remap", "m-2", via="ui", detail={"status": "delivering"})
    audit.record("token:ci", "retry", "d-1", via="api")
    assert [e.target for e in audit.list().items] == ["d-1", "m-2", "m-1"]
    assert [e.target for e in audit.list(action="replay").items] == ["m-2", "m-1"]
    assert [e.action for e in audit.list(actor="token:ci").items] == ["retry"]
    page = audit.list(limit=2)
    assert len(page.items) == 2 and audit.list(limit=2, cursor=page.next_cursor).items[0].target == "m-1"
