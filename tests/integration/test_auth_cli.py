"""`hub users` and `hub tokens`: the first users and tokens of a new installation, from the shell."""

from __future__ import annotations

from typer.testing import CliRunner

from hub.auth import AuditLog, AuthService
from hub.cli import app
from hub.store import Database
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually


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


def test_a_replay_from_the_cli_is_audited_under_the_login_name_like_one_from_the_dashboard(
        hub, fast_config, tmp_path, monkeypatch):
    with api_client(hub) as c:
        body, headers = signed(order_created("WS-CLI1"))
        mid = c.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
        eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered")
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path}/hub.db")
    monkeypatch.setenv("HUB_CONFIG_DIR", str(fast_config))
    monkeypatch.setenv("USER", "liqiang")

    replayed = CliRunner().invoke(app, ["replay", mid])

    assert replayed.exit_code == 0, replayed.output
    [entry] = AuditLog(hub.db).list(action="replay").items
    assert (entry.actor, entry.target, entry.via) == ("liqiang", mid, "cli")
