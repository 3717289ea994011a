"""The demo beside the reference systems: the hub's options, started as a process, never imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mocks import demo


def test_the_demo_takes_the_options_hub_demo_took():
    args = demo.parse_args([])
    assert (args.host, args.port, args.rounds, args.pause, args.stay) == ("127.0.0.1", 8000, 120, 0.3, True)
    args = demo.parse_args(["--port", "8080", "--rounds", "5", "--pause", "0", "--no-stay", "--host", "0.0.0.0"])
    assert (args.host, args.port, args.rounds, args.pause, args.stay) == ("0.0.0.0", 8080, 5, 0.0, False)
    assert args.database is None and demo.parse_args(["--database", "x.db"]).database == Path("x.db")


def test_the_hub_is_started_as_hub_up_with_the_systems_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seen: dict[str, Any] = {}

    class FakePopen:
        def __init__(self, cmd: list[str], **kw: Any):
            seen.update(cmd=cmd, env=kw["env"])

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setenv("MOCK_CRM_PORT", "19101")
    monkeypatch.setenv("MOCK_DATA_DIR", str(tmp_path / "mocks"))   # where the systems keep their state
    for system in demo.SYSTEMS:
        monkeypatch.delenv(f"MOCK_{system.upper()}_DATABASE", raising=False)
    old_wms = tmp_path / "mocks" / "wms.db"
    old_wms.parent.mkdir()
    old_wms.write_text("an old run's ledger")
    database = tmp_path / "demo.db"
    database.write_text("an old run")
    demo.start_hub("127.0.0.1", 18000, database=database, log=tmp_path / "demo.log")
    assert seen["cmd"] == [sys.executable, "-m", "hub.cli", "up", "--host", "127.0.0.1", "--port", "18000",
                           "--mocks", "--no-simulation"]
    assert not database.exists()  # a fresh database every run
    assert not old_wms.exists(), "and fresh systems: the hub would poll an old run's ledger"
    env = seen["env"]
    assert env["HUB_DATABASE_URL"] == f"sqlite:///{database}" and env["MOCK_SIMULATION"] == "0"
    assert env["HUB_URL_CRM"] == "http://127.0.0.1:19101" and env["HUB_URL_OA"] == "http://127.0.0.1:9107"
    mes_db = (tmp_path / "mocks" / "mes.db").resolve()
    assert env["HUB_MES_DB_URL"] == f"sqlite:///file:{mes_db}?mode=ro&uri=true"  # MES's own file, read-only


def test_a_database_named_with_database_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: None)
    database = tmp_path / "mine.db"
    database.write_text("last week's run")
    demo.start_hub("127.0.0.1", 18000, database=database, log=tmp_path / "demo.log", fresh=False)
    assert database.read_text() == "last week's run"


def test_the_batch_touches_every_flow_the_tests_check():
    customers = [p.customer for p in demo.BATCH]
    assert "CUS-000103" in customers  # the overdue customer, blocked
    assert any(len(p.lines) > 1 for p in demo.BATCH)
    assert demo.FINANCE_MANAGER == 90008  # 周敏 approves the payment runs in ERP


def test_the_summary_says_which_system_comes_in_on_which_adapter():
    connectors = [
        {"name": "bank", "inbound": {"events": {"statement.credit": {}}},
         "poll": {"kind": "files", "pattern": "*.csv", "event": "statement.credit"}, "poller": {"records": 3}},
        {"name": "crm", "inbound": {"events": {"salesOrder.submitted": {}}}, "poll": None},
        {"name": "mes", "inbound": {"events": {"WorkOrderCompleted": {}, "WorkOrderProgress": {}}},
         "poll": {"kind": "database", "event": "WorkOrderCompleted"}, "poller": {"records": 4}},
        {"name": "ledger", "inbound": None, "poll": None},
        {"name": "wms", "inbound": {"events": {"inventory/changed": {}, "receipt/completed": {}}},
         "poll": {"kind": "http", "path": "/api/ledger", "event": "inventory/changed"}, "poller": None},
    ]
    assert demo.adapter_lines(connectors) == [
        "  bank  file drop (*.csv files): 3 record(s) read",
        "  crm   webhooks",
        "  mes   database polling of its own tables: 4 record(s) read, webhooks for its other events",
        "  wms   HTTP polling of /api/ledger: 0 record(s) read, webhooks for its other events",
    ]
