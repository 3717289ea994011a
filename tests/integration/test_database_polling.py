"""Database polling on real PostgreSQL and SQLite tables that change while the poller runs: every
row version is stored once — none lost, none twice — late commits are caught by the safety lag, and
a read that dies half-way is read again from the old watermark."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update

from hub.adapters import records as records_module
from hub.runtime import Hub
from hub.store import InboundMessage
from hub.store.models import Poller
from tests.support.poll_config import write_config

CHANGE_TABLE = """
kind: database
url: ${HUB_MES_DB_URL}
sql: SELECT id, wo, status, qty FROM wo_changes WHERE id > :watermark ORDER BY id
key: $string(id)
watermark: id
start: 0
batch: 3
event: statement.line
every: 0.1s
"""

TIMESTAMPED = """
kind: database
url: ${HUB_MES_DB_URL}
sql: SELECT wo, status, qty, updated_at FROM work_orders WHERE updated_at > :watermark ORDER BY updated_at
key: wo & "@" & updated_at
watermark: updated_at
start: '2026-01-01T00:00:00+00:00'
lag: 5s
batch: 4
event: statement.line
every: 0.1s
"""


def make_hub(make_settings, tmp_path: Path, poll: str) -> Hub:
    return Hub.build(make_settings(config_dir=write_config(tmp_path / "config", poll)))


def stored(hub: Hub) -> list[str]:
    with hub.db.read() as s:
        return list(s.scalars(select(InboundMessage.sender_id).where(InboundMessage.connector == "bank")))


def due_now(hub: Hub) -> None:
    with hub.db.session() as s:
        s.execute(update(Poller).values(next_run_at=None))


def poll_while(hub: Hub, writer: threading.Thread) -> int:
    """Poll again and again while ``writer`` changes the table, then twice more once it is done."""
    runs = 0
    while writer.is_alive() or runs < 2:
        if not writer.is_alive():
            runs += 1
        due_now(hub)
        hub.pollers.run_once()
        time.sleep(0.02)
    return runs


@pytest.fixture
def sqlite_source(tmp_path, monkeypatch) -> Iterator[Path]:
    path = tmp_path / "mes.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE wo_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, wo TEXT, status TEXT, qty INT)")
    monkeypatch.setenv("HUB_MES_DB_URL", f"sqlite:///{path}")
    yield path


def test_a_sqlite_change_table_written_while_polled_is_stored_row_for_row(make_settings, tmp_path, sqlite_source):
    hub = make_hub(make_settings, tmp_path, CHANGE_TABLE)
    written: list[int] = []

    def write() -> None:
        with sqlite3.connect(sqlite_source, timeout=30) as c:
            for i in range(40):
                cur = c.execute("INSERT INTO wo_changes (wo, status, qty) VALUES (?, ?, ?)",
                                (f"WO-{i % 7}", ["released", "started", "reported"][i % 3], i))
                c.commit()
                written.append(int(cur.lastrowid or 0))
                time.sleep(0.005)

    writer = threading.Thread(target=write)
    try:
        writer.start()
        poll_while(hub, writer)
        writer.join()
        keys = stored(hub)
        assert sorted(keys) == sorted(f"db:{i}" for i in written) and len(keys) == 40
        with hub.db.read() as s:
            row = s.get(Poller, "bank")
            assert row is not None and row.watermark == {"value": max(written), "type": "number"}
            assert row.records == 40
            body = s.scalars(select(InboundMessage.body).where(InboundMessage.sender_id == "db:1")).one()
        assert body == {"id": 1, "wo": "WO-0", "status": "released", "qty": 0}
    finally:
        hub.stop()


def test_a_read_that_dies_half_way_is_read_again_without_loss_or_duplicates(make_settings, tmp_path, sqlite_source,
                                                                             monkeypatch):
    with sqlite3.connect(sqlite_source) as c:
        c.executemany("INSERT INTO wo_changes (wo, status, qty) VALUES (?, 'released', ?)",
                      [(f"WO-{i}", i) for i in range(8)])
    hub = make_hub(make_settings, tmp_path, CHANGE_TABLE)
    real = records_module.to_record

    def dies_at_the_fifth(source, prefix, item, n):
        if item["id"] == 5:
            raise RuntimeError("process killed")
        return real(source, prefix, item, n)

    try:
        monkeypatch.setattr(records_module, "to_record", dies_at_the_fifth)
        hub.pollers.run_once()
        assert sorted(stored(hub)) == ["db:1", "db:2", "db:3"]     # the first batch of three
        with hub.db.read() as s:
            row = s.get(Poller, "bank")
            assert row is not None and row.watermark is None and row.state == "failing"
        monkeypatch.setattr(records_module, "to_record", real)
        due_now(hub)
        hub.pollers.run_once()
        assert sorted(stored(hub)) == sorted(f"db:{i}" for i in range(1, 9))
    finally:
        hub.stop()


@pytest.mark.postgres
def test_a_postgres_table_updated_while_polled_gives_every_version_once_late_commits_included(
        make_settings, tmp_path, pg_url, monkeypatch):
    engine = sa.create_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE work_orders (wo text PRIMARY KEY, status text, qty int, "
                          "updated_at timestamptz NOT NULL)"))
    monkeypatch.setenv("HUB_MES_DB_URL", pg_url)
    hub = make_hub(make_settings, tmp_path, TIMESTAMPED)
    versions: list[str] = []
    lock = threading.Lock()

    def write(offset: int, hold_s: float) -> None:
        for i in range(15):
            wo = f"WO-{(i + offset) % 5}"
            with engine.begin() as c:
                at = c.execute(sa.text(
                    "INSERT INTO work_orders VALUES (:wo, :st, :q, clock_timestamp()) ON CONFLICT (wo) DO UPDATE "
                    "SET status = excluded.status, qty = excluded.qty, updated_at = excluded.updated_at "
                    "RETURNING updated_at"), {"wo": wo, "st": f"s{i}", "q": i}).scalar_one()
                time.sleep(hold_s)        # committed after its timestamp: a late commit
            with lock:
                versions.append(f"db:{wo}@{at.isoformat()}")

    writers = [threading.Thread(target=write, args=(0, 0.0)), threading.Thread(target=write, args=(2, 0.05))]
    both = threading.Thread(target=lambda: [w.start() for w in writers] + [w.join() for w in writers])
    try:
        both.start()
        poll_while(hub, both)
        both.join()
        keys = stored(hub)
        with engine.connect() as c:
            final = {f"db:{r.wo}@{r.updated_at.isoformat()}" for r in c.execute(sa.text("SELECT * FROM work_orders"))}
        assert final <= set(keys), "the latest version of every row is stored"
        assert len(keys) == len(set(keys)) and set(keys) <= set(versions)
        with hub.db.read() as s:
            row = s.get(Poller, "bank")
            assert row is not None and row.watermark["type"] == "datetime"
            assert datetime.fromisoformat(row.watermark["value"]) == max(
                datetime.fromisoformat(v.split("@", 1)[1]) for v in versions)
    finally:
        hub.stop()
        engine.dispose()


@pytest.mark.postgres
def test_a_row_committed_after_a_later_one_is_caught_by_the_safety_lag(make_settings, tmp_path, pg_url, monkeypatch):
    engine = sa.create_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE work_orders (wo text PRIMARY KEY, status text, qty int, "
                          "updated_at timestamptz NOT NULL)"))
    monkeypatch.setenv("HUB_MES_DB_URL", pg_url)
    hub = make_hub(make_settings, tmp_path, TIMESTAMPED)
    slow = engine.connect()
    try:
        late = slow.begin()
        slow.execute(sa.text("INSERT INTO work_orders VALUES ('WO-LATE', 'released', 1, clock_timestamp())"))
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO work_orders VALUES ('WO-EARLY', 'released', 2, clock_timestamp())"))
        hub.pollers.run_once()
        assert [k.split("@")[0] for k in stored(hub)] == ["db:WO-EARLY"]
        late.commit()                               # its time is before the watermark now
        due_now(hub)
        hub.pollers.run_once()
        assert sorted(k.split("@")[0] for k in stored(hub)) == ["db:WO-EARLY", "db:WO-LATE"]
    finally:
        slow.close()
        hub.stop()
        engine.dispose()
