"""`hub users` and `hub tokens`: the first users and tokens of a new installation, from the shell."""

from __future__ import annotations

from typer.testing import CliRunner

from hub.auth import AuthService
from hub.cli import app
from hub.store import Database


def test_users_added_from_the_cli_can_log_in_and_do_not_stop_the_first_admin_being_created(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "liqiang", "--role", "operator", "--password", "op-secret-1"])
    assert added.exit_code == 0, added.output
    refused = runner.invoke(app, ["users", "add", "x", "--role", "god", "--password", "long-enough"])
    assert refused.exit_code == 1 and "role must be one of" in refused.output
    token = runner.invoke(app, ["tokens", "create", "ci", "--scope", "query"]).output.strip()
    db = Database(url)
    try:
        auth = AuthService(db)
        assert auth.authenticate("liqiang", "op-secret-1").role == "operator"
        assert auth.token_principal(token).scopes == ("query",)
        assert auth.ensure_admin("admin", "admin") is True
    finally:
        db.dispose()
