"""Reconciliation compares what the systems themselves booked, stores mismatches and repairs a missing one."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from hub.errors import ConfigError
from hub.ids import new_id
from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.scheduled import ask_at_once
from tests.support.signing import order_created, signed
from tests.support.target import free_port
from tests.support.waiting import eventually

RECONCILE = """\
name: reconcile
every: 0
checks:
  orders:
    title: Orders, web shop vs ledger
    left:
      connector: webshop
      path: /orders
      select: "$.{'key': number, 'amount': total}"
    right:
      connector: ledger
      path: /ledger/entries
      params: {kind: order}
      select: "entries.{'key': reference, 'amount': amount}"
    replay:
      connector: webshop
"""
PROCESSES = 4


class System:
    """A system's own API over real HTTP: GET answers ``read()``; PUT hands its JSON body to ``book``."""

    def __init__(self, read: Callable[[], Any], book: Callable[[str, dict], None] | None = None):
        system = self
        self.puts = 0
        self.down = False
        self.gate: threading.Event | None = None
        """When set to an event, a GET is answered only once the event is set."""

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if system.down:
                    self.close_connection = True
                    return
                if system.gate is not None:
                    system.gate.wait(60)
                body = json.dumps(read()).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:  # noqa: N802
                data = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                system.puts += 1
                if book:
                    book(self.path, data)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Shop:
    """The web shop's own API (GET /orders) and the ledger's (GET /ledger/entries; PUT books an entry)."""

    def __init__(self) -> None:
        self.orders: list[dict] = []
        self.entries: dict[str, float] = {}
        self.shop = System(lambda: self.orders)
        self.ledger = System(lambda: {"entries": [{"reference": k, "amount": v} for k, v in self.entries.items()]},
                             lambda path, body: self.entries.__setitem__(body["reference"], body["amount"]))


@pytest.fixture
def shop(fast_config: Path, monkeypatch):
    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE, encoding="utf-8")
    s = Shop()
    monkeypatch.setenv("HUB_URL_WEBSHOP", s.shop.url)
    monkeypatch.setenv("HUB_URL_LEDGER", s.ledger.url)
    yield s
    s.shop.close()
    s.ledger.close()


@pytest.fixture
def hub(make_settings, fast_config, shop):
    h = Hub.build(make_settings(config_dir=fast_config))
    h.start_workers()
    yield h
    h.stop()


def order(client, shop: Shop, number: str, qty: str) -> str:
    body = order_created(number, total_qty=qty)
    shop.orders.append({"number": number, "total": round(int(qty) * 1280.0, 2)})
    content, headers = signed(body)
    mid = client.post("/webhooks/webshop", content=content, headers=headers).json()["id"]
    eventually(lambda: client.get(f"/api/messages/{mid}").json()["status"] == "delivered")
    return mid


def test_systems_that_agree_reconcile_with_counts_and_totals(hub, shop):
    with api_client(hub) as client:
        order(client, shop, "WS-R1", "2")
        order(client, shop, "WS-R2", "3")
        run = client.post("/api/reconcile/runs").json()
        assert run["status"] == "ok" and run["items"] == []
        [orders] = run["summary"]
        assert orders["left"] == {"count": 2, "total": 6400.0} and orders["right"] == orders["left"]


def test_a_lost_booking_and_a_changed_amount_are_mismatches_and_the_lost_one_is_replayed_to_the_ledger_only(
        hub, shop):
    with api_client(hub) as client:
        lost = order(client, shop, "WS-R3", "2")
        order(client, shop, "WS-R4", "1")
        del shop.entries["WS-R3"]  # the ledger lost it
        shop.entries["WS-R4"] = 999.0  # and someone changed the other one
        shop.entries["WS-X"] = 5.0  # and booked one the shop never sold
        run = client.post("/api/reconcile/runs").json()
        assert run["status"] == "mismatch"
        found = {(m["kind"], m["key"]): m for m in run["items"]}
        assert set(found) == {("missing_right", "WS-R3"), ("amount", "WS-R4"), ("missing_left", "WS-X")}
        assert found[("amount", "WS-R4")]["left_amount"] == 1280.0
        assert found[("amount", "WS-R4")]["right_amount"] == 999.0
        assert client.get("/api/reconcile/runs").json()[0]["id"] == run["id"]

        puts = shop.ledger.puts
        r = client.post(f"/api/reconcile/mismatches/{found[('missing_right', 'WS-R3')]['id']}/replay")
        assert r.status_code == 200, r.text
        assert r.json()["id"] == lost and len(r.json()["deliveries"]) == 1
        eventually(lambda: "WS-R3" in shop.entries)
        assert shop.ledger.puts == puts + 1
        detail = client.get(f"/api/reconcile/runs/{run['id']}").json()
        replayed = next(m for m in detail["items"] if m["key"] == "WS-R3")
        assert replayed["replayed_message_id"] == lost and replayed["replay_status"] == "delivering"
        audit = client.get("/api/audit").json()
        audit = audit["items"] if isinstance(audit, dict) else audit
        assert any(e["action"] == "replay" and e["target"] == lost for e in audit)

        no_replay = client.post(f"/api/reconcile/mismatches/{found[('amount', 'WS-R4')]['id']}/replay")
        assert no_replay.status_code == 404 and "offers no replay" in no_replay.text


def test_a_query_token_reads_runs_but_may_not_run_or_replay(hub, shop):
    with api_client(hub, "query") as client:
        assert client.get("/api/reconcile/runs").status_code == 200
        assert client.post("/api/reconcile/runs").status_code == 403


def test_a_system_that_does_not_answer_marks_its_check_in_error_not_the_run_lost(hub, shop):
    shop.ledger.down = True
    with api_client(hub) as client:
        run = client.post("/api/reconcile/runs").json()
        assert run["status"] == "error" and run["summary"][0]["error"]
        assert client.get(f"/api/reconcile/runs/{run['id']}").json()["status"] == "error"


def test_the_sweeper_reconciles_when_the_last_run_is_older_than_every(make_settings, fast_config, shop):
    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE.replace("every: 0", "every: 1h"),
                                                              encoding="utf-8")
    h = Hub.build(make_settings(config_dir=fast_config))
    try:
        assert h.reconciler.due()
        h.sweeper.run_jobs()
        [run] = h.reconciler.runs()
        assert run.trigger == "sweeper" and run.status == "ok"
        assert not h.reconciler.due()
        h.sweeper.run_jobs()
        assert len(h.reconciler.runs()) == 1
    finally:
        h.stop()


def test_a_scheduled_run_is_made_once_however_many_worker_processes_ask_at_the_same_moment(
        pg_url, fast_config, shop, tmp_path):
    from hub.store import Database
    from hub.store.migrate import upgrade

    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE.replace("every: 0", "every: 1h"),
                                                              encoding="utf-8")
    db = Database(pg_url)
    upgrade(db)  # before the processes start, as `hub db upgrade` does
    env = {**os.environ, "HUB_DATABASE_URL": pg_url, "HUB_CONFIG_DIR": str(fast_config), "HUB_ENV": "development"}
    started = [out for out in ask_at_once("reconcile", env=env, folder=tmp_path, processes=PROCESSES) if out]
    with db.engine.connect() as c:
        runs = c.execute(sa.text("SELECT id, trigger, status FROM reconcile_runs")).all()
    db.dispose()
    assert len(started) == 1, f"{len(started)} processes each started a run"
    assert [(r.id, r.trigger, r.status) for r in runs] == [(started[0], "sweeper", "ok")]


def abandoned_run(h: Hub, *, lease_until: datetime) -> str:
    """A run row as a process killed mid-run leaves it: ``running``, started a minute ago, no heartbeat since."""
    from hub.store.models import ReconcileRun

    run_id = new_id()
    with h.db.session() as s:
        s.add(ReconcileRun(id=run_id, started_at=datetime.now(UTC) - timedelta(minutes=1), trigger="sweeper",
                           status="running", summary=[], lease_until=lease_until))
    return run_id


def test_a_run_whose_process_died_is_marked_interrupted_and_the_sweeper_runs_the_checks_again(
        make_settings, fast_config, shop):
    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE.replace("every: 0", "every: 1h"),
                                                              encoding="utf-8")
    h = Hub.build(make_settings(config_dir=fast_config))
    try:
        dead = abandoned_run(h, lease_until=datetime.now(UTC) - timedelta(seconds=1))
        h.sweeper.run_jobs()
        with api_client(h) as client:
            runs = {r["id"]: r for r in client.get("/api/reconcile/runs").json()}
            assert runs[dead]["status"] == "interrupted" and runs[dead]["finished_at"]
            assert "process running it stopped" in runs[dead]["reason"]
            [again] = [r for r in runs.values() if r["id"] != dead]
            assert again["status"] == "ok" and again["trigger"] == "sweeper" and again["reason"] is None
        h.sweeper.run_jobs()  # the new run is the schedule's last one now
        assert len(h.reconciler.runs()) == 2
    finally:
        h.stop()


def test_a_run_whose_lease_has_not_passed_is_left_running_and_no_second_run_starts(make_settings, fast_config, shop):
    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE.replace("every: 0", "every: 1h"),
                                                              encoding="utf-8")
    h = Hub.build(make_settings(config_dir=fast_config))
    try:
        alive = abandoned_run(h, lease_until=datetime.now(UTC) + timedelta(hours=1))
        h.sweeper.run_jobs()
        [run] = h.reconciler.runs()
        assert (run.id, run.status, run.reason) == (alive, "running", None)
    finally:
        h.stop()


def test_a_manual_run_marks_an_abandoned_one_interrupted_and_the_dashboard_says_why(hub, shop):
    from fastapi.testclient import TestClient

    from hub.api import create_app
    from tests.integration.test_dashboard_pages import log_in

    dead = abandoned_run(hub, lease_until=datetime.now(UTC) - timedelta(seconds=1))
    with api_client(hub) as client:
        assert client.post("/api/reconcile/runs").json()["status"] == "ok"
        assert client.get(f"/api/reconcile/runs/{dead}").json()["status"] == "interrupted"
    with TestClient(create_app(hub)) as ui:
        log_in(ui)
        page = ui.get("/ui/reconcile", params={"run": dead})
        assert page.status_code == 200 and 'data-status="interrupted"' in page.text
        assert "process running it stopped" in page.text


def test_a_run_slower_than_its_lease_keeps_renewing_it_and_is_never_interrupted(make_settings, fast_config, shop):
    release = shop.shop.gate = threading.Event()  # the web shop answers only when the test lets it
    h = Hub.build(make_settings(config_dir=fast_config, lease_s=0.6))
    try:
        done: list[str] = []
        runner = threading.Thread(target=lambda: done.append(h.reconciler.run(trigger="cli")))
        runner.start()
        [run] = eventually(lambda: h.reconciler.runs(), what="the run's row")
        first = run.lease_until
        eventually(lambda: h.reconciler.runs()[0].lease_until > first, what="a renewed lease")
        release.set()
        runner.join(timeout=60)
        assert done and h.reconciler.runs()[0].status == "ok"
    finally:
        release.set()
        h.stop()


def test_hub_reconcile_prints_the_mismatches_and_exits_1(make_settings, fast_config, shop, monkeypatch):
    from hub.cli import app

    shop.entries["WS-ONLY-IN-LEDGER"] = 1.0
    monkeypatch.setenv("HUB_CONFIG_DIR", str(fast_config))
    monkeypatch.setenv("HUB_DATABASE_URL", make_settings().database_url)
    monkeypatch.setenv("HUB_ENV", "development")
    result = CliRunner().invoke(app, ["reconcile"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "missing_left" in result.output and "WS-ONLY-IN-LEDGER" in result.output


@pytest.mark.parametrize("change, message", [
    ("connector: ledger", "no connector 'nowhere'"),
    ("select: \"entries", "select:"),
    ("every: 0", "unknown key 'evry'"),
])
def test_a_bad_reconcile_file_fails_the_start_naming_file_and_line(make_settings, fast_config, change, message):
    bad = {"connector: ledger": "connector: nowhere", "select: \"entries": "select: \"entries.{(",
           "every: 0": "evry: 0"}[change]
    (fast_config / "mappings" / "reconcile.yaml").write_text(RECONCILE.replace(change, bad, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        Hub.build(make_settings(config_dir=fast_config))
    assert "reconcile.yaml:" in str(err.value)


def test_no_reconcile_file_means_no_checks(make_settings, fast_config):
    h = Hub.build(make_settings(config_dir=fast_config))
    try:
        assert not h.reconciler.due()
    finally:
        h.stop()



def test_the_dashboard_shows_the_checks_and_replays_a_missing_key(hub, shop):
    from fastapi.testclient import TestClient

    from hub.api import create_app
    from tests.integration.test_dashboard_pages import csrf_of, log_in

    with api_client(hub) as client:
        lost = order(client, shop, "WS-D1", "1")
    del shop.entries["WS-D1"]
    with TestClient(create_app(hub)) as ui:
        log_in(ui)
        page = ui.get("/ui/reconcile")
        assert page.status_code == 200 and "Reconciliation" in page.text
        r = ui.post("/ui/reconcile/run", data={"csrf_token": csrf_of(page.text)}, follow_redirects=True)
        assert r.status_code == 200 and 'data-kind="missing_right"' in r.text and "WS-D1" in r.text
        [action] = re.findall(r'action="(/ui/reconcile/mismatches/[^"]+/replay)"', r.text)
        done = ui.post(action, data={"csrf_token": csrf_of(r.text)}, follow_redirects=True)
        assert done.status_code == 200 and f"/ui/messages/{lost}" in done.text
    eventually(lambda: "WS-D1" in shop.entries)
