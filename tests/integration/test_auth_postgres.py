"""Migration 0002 (users, tokens, audit) on PostgreSQL, with the same services as on SQLite."""

from __future__ import annotations

import pytest

from hub.auth import AuditLog, AuthService
from hub.store import Database
from hub.store.migrate import upgrade

pytestmark = pytest.mark.postgres


def test_users_tokens_and_the_audit_log_work_on_postgresql(pg_url):
    db = Database(pg_url)
    try:
        upgrade(db)
        upgrade(db)  # idempotent
        auth = AuthService(db)
        assert auth.ensure_admin("admin", "admin")
        assert auth.authenticate("admin", "admin") is not None
        token = auth.create_token("ci", ["query", "operate"], created_by="admin")
        assert auth.token_principal(token.token).scopes == ("operate", "query")
        audit = AuditLog(db)
        audit.record("admin", "pause", "ledger", via="ui", detail={"why": "maintenance 维护"})
        assert audit.list().items[0].detail == {"why": "maintenance 维护"}
    finally:
        db.dispose()
