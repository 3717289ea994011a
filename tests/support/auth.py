"""Call the operations API as a machine does: with an API token (the API refuses anonymous calls)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub.api import create_app
from hub.runtime import Hub
from hub.store import Database


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_token(db: Database | str, *scopes: str) -> str:
    """A fresh token with ``scopes`` (default: admin) in the hub's database, migrated if needed."""
    from hub.auth import AuthService
    from hub.store.migrate import upgrade

    database = Database(db) if isinstance(db, str) else db
    if isinstance(db, str):
        upgrade(database)
    try:
        return AuthService(database).create_token("tests", list(scopes or ("admin",)), created_by="tests").token
    finally:
        if isinstance(db, str):
            database.dispose()


def api_client(hub: Hub, *scopes: str) -> TestClient:
    """A TestClient on the hub's app that sends an API token with ``scopes`` (default: admin)."""
    return TestClient(create_app(hub), headers=bearer(new_token(hub.db, *scopes)))
