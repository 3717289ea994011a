"""Retention purges (and archives) old payloads per connector, keeps the metadata, and honours a legal hold."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import update
from typer.testing import CliRunner

from hub.errors import ConfigError
from hub.runtime import Hub
from hub.store import InboundMessage
from tests.support.auth import api_client
from tests.support.scheduled import ask_at_once
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually

POLICY = """\
name: retention
every: 0
default:
  days: 30
connectors:
  webshop:
    days: 7
"""
PROCESSES = 3


def with_policy(config: Path, text: str) -> Path:
    (config / "mappings" / "retention.yaml").write_text(text, encoding="utf-8")
    return config


def build(make_settings, config: Path) -> Hub:
    h = Hub.build(make_settings(config_dir=config))
    h.start_workers()
    return h


def send(client, number: str) -> str:
    body, headers = signed(order_created(number))
    mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
    eventually(lambda: client.get(f"/api/messages/{mid}").json()["status"] == "delivered")
    return mid


def age(hub: Hub, days: float, *ids: str) -> None:
    with hub.db.session() as s:
        s.execute(update(InboundMessage).where(InboundMessage.id.in_(ids))
                  .values(received_at=datetime.now(UTC) - timedelta(days=days)))


def test_old_payloads_are_archived_then_purged_and_the_metadata_stays(make_settings, fast_config, target,
                                                                       point_ledger_at):
    point_ledger_at(target.url)
    hub = build(make_settings, with_policy(fast_config, POLICY))
    try:
        with api_client(hub) as client:
            old, recent = send(client, "WS-OLD"), send(client, "WS-NEW")
            age(hub, 8, old)
            age(hub, 6, recent)
            assert {c.connector: c.due for c in hub.retention.run(dry_run=True).connectors}["webshop"] == 1
            result = hub.retention.run()
            [shop] = [c for c in result.connectors if c.connector == "webshop"]
            assert shop.purged == 1 and shop.days == 7

            detail = client.get(f"/api/messages/{old}").json()
            assert detail["purged_at"] and detail["body"] is None
            assert detail["status"] == "delivered" and detail["subject"] == "WS-OLD"
            assert all(c["envelope"].get("data") is None for c in detail["canonical"])
            assert all(d["request"] is None and d["status"] == "delivered" for d in detail["deliveries"])
            assert "上海明辉" not in json.dumps(detail, ensure_ascii=False)
            assert client.get(f"/api/messages/{recent}").json()["body"]["order"]["number"] == "WS-NEW"

            assert [m["id"] for m in client.get("/api/messages", params={"subject": "WS-OLD"}).json()["items"]] == [old]
            assert [m["id"] for m in client.get("/api/messages", params={"q": "上海明辉"}).json()["items"]] == [recent]

            with gzip.open(shop.archive, "rt", encoding="utf-8") as f:
                [line] = [json.loads(x) for x in f]
            assert line["id"] == old and line["body"]["order"]["number"] == "WS-OLD"
            assert line["canonical"][0]["data"]["order_no"] == "WS-OLD" and line["deliveries"][0]["request"]

            r = client.post(f"/api/messages/{old}/replay")
            assert r.status_code == 409 and r.json()["error"]["code"] == "payload_purged"
            assert hub.retention.run().purged == 0  # nothing twice
    finally:
        hub.stop()


def test_a_legal_hold_keeps_everything_and_an_unsettled_message_is_never_purged(make_settings, fast_config, target,
                                                                                 point_ledger_at):
    point_ledger_at(target.url)
    policy = POLICY + "    legal_hold: true\n"
    hub = build(make_settings, with_policy(fast_config, policy))
    try:
        with api_client(hub) as client:
            held = send(client, "WS-HOLD")
            age(hub, 400, held)
            assert hub.retention.run().purged == 0
            assert client.get(f"/api/messages/{held}").json()["purged_at"] is None
    finally:
        hub.stop()
    hub = build(make_settings, with_policy(fast_config, POLICY.replace("days: 7", "days: 1\n    archive: false")))
    try:
        with api_client(hub) as client:
            hub.operations.set_paused("ledger", True)
            body, headers = signed(order_created("WS-WAIT"))
            waiting = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
            eventually(lambda: client.get(f"/api/messages/{waiting}").json()["status"] == "delivering")
            age(hub, 3, waiting, held)
            result = hub.retention.run()
            assert result.purged == 1 and [c.archive for c in result.connectors if c.purged] == [None]
            assert client.get(f"/api/messages/{waiting}").json()["purged_at"] is None
            assert client.get(f"/api/messages/{held}").json()["purged_at"] is not None
    finally:
        hub.stop()


def test_hub_retention_run_shows_progress_and_what_it_purged(make_settings, fast_config, target, point_ledger_at,
                                                             monkeypatch):
    from hub.cli import app

    point_ledger_at(target.url)
    hub = build(make_settings, with_policy(fast_config, POLICY))
    try:
        with api_client(hub) as client:
            ids = [send(client, f"WS-C{i}") for i in range(3)]
        age(hub, 10, *ids)
    finally:
        hub.stop()
    monkeypatch.setenv("HUB_CONFIG_DIR", str(fast_config))
    monkeypatch.setenv("HUB_DATABASE_URL", make_settings().database_url)
    monkeypatch.setenv("HUB_ENV", "development")
    dry = CliRunner().invoke(app, ["retention", "run", "--dry-run"], env={"COLUMNS": "200"})
    assert dry.exit_code == 0, dry.output
    assert "would purge 3 message payload(s)" in dry.output
    done = CliRunner().invoke(app, ["retention", "run"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "webshop" in done.output and "3/3" in done.output and "purged 3 message payload(s)" in done.output
    assert list((fast_config / "archive" / "webshop").glob("*.jsonl.gz"))


def test_the_sweeper_applies_the_policy_every_period(make_settings, fast_config, target, point_ledger_at):
    point_ledger_at(target.url)
    hub = Hub.build(make_settings(config_dir=with_policy(fast_config, POLICY.replace("every: 0", "every: 1h"))))
    try:
        assert hub.retention.due()
        hub.sweeper.run_jobs()
        assert hub.retention.last_run() is not None and not hub.retention.due()
    finally:
        hub.stop()


def test_a_restarted_hub_keeps_the_schedule_instead_of_applying_the_policy_again_at_once(make_settings, fast_config):
    config = with_policy(fast_config, POLICY.replace("every: 0", "every: 1h"))
    first = Hub.build(make_settings(config_dir=config))
    try:
        assert first.retention.run_scheduled() is not None
        ran_at = first.retention.last_run()
    finally:
        first.stop()
    restarted = Hub.build(make_settings(config_dir=config))
    try:
        assert restarted.retention.last_run() == ran_at and not restarted.retention.due()
        restarted.sweeper.run_jobs()
        assert restarted.retention.last_run() == ran_at
        assert ran_at is not None
        assert restarted.retention.run_scheduled(now=ran_at + timedelta(hours=1)) is not None  # the next period
        assert restarted.retention.last_run() == ran_at + timedelta(hours=1)
    finally:
        restarted.stop()


def test_a_run_on_demand_counts_for_the_schedule_and_a_dry_run_does_not(make_settings, fast_config):
    hub = Hub.build(make_settings(config_dir=with_policy(fast_config, POLICY.replace("every: 0", "every: 1h"))))
    try:
        hub.retention.run(dry_run=True)
        assert hub.retention.last_run() is None and hub.retention.due()
        hub.retention.run()
        assert hub.retention.last_run() is not None and not hub.retention.due()
        assert hub.retention.run_scheduled() is None
    finally:
        hub.stop()


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_worker_processes_sweeping_at_the_same_moment_apply_the_policy_once(request, store, make_settings,
                                                                           fast_config, tmp_path):
    from hub.store import Database
    from hub.store.migrate import upgrade

    url = request.getfixturevalue("pg_url") if store == "postgres" else make_settings().database_url
    config = with_policy(fast_config, POLICY.replace("every: 0", "every: 1h"))
    db = Database(url)
    upgrade(db)  # before the processes start, as `hub db upgrade` does
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_CONFIG_DIR": str(config), "HUB_ENV": "development"}
    signals = tmp_path / "signals"
    signals.mkdir()
    ran = [out for out in ask_at_once("retention", env=env, folder=signals, processes=PROCESSES) if out]
    with db.engine.connect() as c:
        jobs = c.execute(sa.text("SELECT name FROM scheduled_jobs")).scalars().all()
    db.dispose()
    assert ran == ["ran"], f"{len(ran)} processes each applied the policy"
    assert jobs == ["retention"]


@pytest.mark.parametrize("bad, message", [
    ("    days: 7\n", "    days: seven\n"),
    ("  webshop:\n", "  nowhere:\n"),
])
def test_a_bad_retention_file_fails_the_start_naming_file_and_line(make_settings, fast_config, bad, message):
    with_policy(fast_config, POLICY.replace(bad, message))
    with pytest.raises(ConfigError, match=r"retention.yaml:\d+"):
        Hub.build(make_settings(config_dir=fast_config))


def test_the_dashboard_shows_each_connectors_policy_and_what_is_due(make_settings, fast_config, target,
                                                                   point_ledger_at):
    from fastapi.testclient import TestClient

    from hub.api import create_app
    from tests.integration.test_dashboard_pages import log_in

    point_ledger_at(target.url)
    hub = build(make_settings, with_policy(fast_config, POLICY))
    try:
        with api_client(hub) as client:
            age(hub, 9, send(client, "WS-UI"))
        with TestClient(create_app(hub)) as ui:
            log_in(ui)
            page = ui.get("/ui/retention")
            assert page.status_code == 200
            row = page.text.split('data-connector="webshop"')[1].split("</tr>")[0]
            assert "<td>7</td>" in row and "<td>1</td>" in row
            assert hub.retention.last_run() is None  # showing what is due purges nothing
            assert "last run" not in page.text
            hub.retention.run()
            assert "last run" in ui.get("/ui/retention").text  # by whichever process ran it
    finally:
        hub.stop()


def test_the_companys_policy_keeps_each_systems_payloads_for_its_days_and_holds_mes():
    from hub.mapping import make_engine
    from hub.registry import load_registry
    from hub.retention import load_plan
    from hub.settings import REPO_ROOT

    plan = load_plan(REPO_ROOT, load_registry(REPO_ROOT, make_engine("jlens")))
    assert plan is not None, "the company has a retention policy"
    days = {name: plan.policy(name).days for name in ("crm", "erp", "bank", "oa", "srm", "wms", "mrp")}
    assert days == {"crm": 30, "erp": 90, "bank": 60, "oa": 180, "srm": 180, "wms": 90, "mrp": 90}
    assert plan.policy("mes").legal_hold and not plan.policy("erp").legal_hold
    assert plan.archive_dir == REPO_ROOT / ".hub" / "archive"  # out of the repository's history (.gitignore)
