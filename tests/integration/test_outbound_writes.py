"""Outbound beyond HTTP: an operation that inserts or upserts rows into a real table (SQLite,
PostgreSQL) or writes a file — in the attempt log like a call, idempotent by the delivery id,
refusals rejected with their reason and unreachable targets retried."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from hub.ingest import Record
from hub.runtime import Hub
from hub.store import Attempt, Delivery
from hub.store.models import DeliveryStatus
from tests.support.poll_config import write_config

POLL = "kind: files\nfolder: drop\nevent: statement.line\n"

ERP = """
name: erp
title: ERP
base_url: http://127.0.0.1:9
retry: {{schedule: [0.3s], in_place_attempts: 1, jitter: 0}}
operations:
  post_payment:
    mapping: erp/row.jsonata
    write: {{kind: table, url: '${{HUB_ERP_DB_URL}}', table: payments_in, {table_options}}}
  export:
    mapping: erp/row.jsonata
    write: {{kind: file, folder: outbox, name: 'pay-{{data.doc_no}}-{{delivery_id}}.csv', format: csv,
             encoding: gb18030}}
subscriptions:
  - {{type: payment.received, operation: {operation}}}
"""


def make_hub(make_settings, tmp_path: Path, *, operation: str,
             table_options: str = "key: delivery_id") -> Hub:
    config = write_config(tmp_path / "config", POLL)
    (config / "connectors" / "ledger.yaml").unlink()
    (config / "mappings" / "erp").mkdir()
    (config / "mappings" / "erp" / "row.jsonata").write_text("data", encoding="utf-8")
    (config / "connectors" / "erp.yaml").write_text(ERP.format(operation=operation, table_options=table_options),
                                                    encoding="utf-8")
    return Hub.build(make_settings(config_dir=config))


def pay(hub: Hub, no: str, amount: float, payer: str = "上海明辉") -> str:
    """A payment read from the bank, translated: returns the ERP delivery it makes."""
    [mid] = hub.ingestor.stage("bank", [Record(key=f"t:{no}:{amount}", body={"流水号": no, "金额": amount,
                                                                             "付款方": payer},
                                               native_type="statement.line")], mode="file").ids
    hub.translator.translate(mid)
    with hub.db.read() as s:
        return s.scalars(select(Delivery.id).where(Delivery.message_id == mid, Delivery.connector == "erp")).one()


def delivery(hub: Hub, did: str) -> tuple[str, list[tuple[str | None, int | None, str]]]:
    with hub.db.read() as s:
        d = s.get(Delivery, did)
        assert d is not None
        attempts = [(a.url, a.status_code, a.outcome) for a in s.scalars(
            select(Attempt).where(Attempt.delivery_id == did).order_by(Attempt.number))]
        return d.status, attempts


@pytest.fixture
def erp_sqlite(tmp_path, monkeypatch) -> Iterator[Path]:
    path = tmp_path / "erp.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE payments_in (id INTEGER PRIMARY KEY, doc_no TEXT, amount REAL, payer TEXT, "
                  "file TEXT, row INT, delivery_id TEXT UNIQUE)")
    monkeypatch.setenv("HUB_ERP_DB_URL", f"sqlite:///{path}")
    yield path


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT doc_no, amount, payer, delivery_id FROM payments_in ORDER BY id").fetchall()


def test_a_table_write_inserts_the_row_with_its_delivery_id_and_logs_the_attempt(make_settings, tmp_path,
                                                                                 erp_sqlite):
    hub = make_hub(make_settings, tmp_path, operation="post_payment")
    try:
        did = pay(hub, "B-1", 1280.5)
        hub.deliverer.deliver(did)
        assert rows(erp_sqlite) == [("B-1", 1280.5, "上海明辉", did)]
        assert delivery(hub, did) == (DeliveryStatus.DELIVERED, [("table:payments_in", 201, "success")])
    finally:
        hub.stop()


def test_a_delivery_whose_row_is_already_there_is_not_written_twice(make_settings, tmp_path, erp_sqlite):
    hub = make_hub(make_settings, tmp_path, operation="post_payment")
    try:
        did = pay(hub, "B-2", 300)
        with sqlite3.connect(erp_sqlite) as c:   # written by an earlier try whose worker died before recording it
            c.execute("INSERT INTO payments_in (doc_no, amount, payer, delivery_id) VALUES ('B-2', 300, 'x', ?)",
                      (did,))
        hub.deliverer.deliver(did)
        assert len(rows(erp_sqlite)) == 1
        assert delivery(hub, did) == (DeliveryStatus.DELIVERED, [("table:payments_in", 200, "success")])
    finally:
        hub.stop()


def test_a_row_the_table_refuses_is_rejected_with_the_reason_and_a_missing_table_is_retried(
        make_settings, tmp_path, erp_sqlite, monkeypatch):
    hub = make_hub(make_settings, tmp_path, operation="post_payment")
    try:
        with sqlite3.connect(erp_sqlite) as c:
            c.execute("ALTER TABLE payments_in RENAME COLUMN payer TO customer")
        did = pay(hub, "B-3", 1)
        hub.deliverer.deliver(did)
        status, attempts = delivery(hub, did)
        assert status == DeliveryStatus.REJECTED and attempts[0][1] == 422
        with hub.db.read() as s:
            assert "has no column(s) payer" in (s.get(Delivery, did).last_error or "")
        monkeypatch.setenv("HUB_ERP_DB_URL", f"sqlite:///{tmp_path}/empty.db")
        hub.deliverer.writer._tables.clear()
        other = pay(hub, "B-4", 2)
        hub.deliverer.deliver(other)
        status, attempts = delivery(hub, other)
        assert status == DeliveryStatus.RETRYING and attempts[0][2] == "transient"
    finally:
        hub.stop()


@pytest.mark.postgres
def test_an_upsert_into_postgres_keeps_one_row_per_document(make_settings, tmp_path, pg_url, monkeypatch):
    engine = sa.create_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE payments_in (doc_no text PRIMARY KEY, amount numeric, payer text, "
                          "file text, row int)"))
    monkeypatch.setenv("HUB_ERP_DB_URL", pg_url)
    hub = make_hub(make_settings, tmp_path, operation="post_payment", table_options="mode: upsert, unique: [doc_no]")
    try:
        for amount in (100, 120):
            did = pay(hub, "B-7", amount)
            hub.deliverer.deliver(did)
            assert delivery(hub, did)[0] == DeliveryStatus.DELIVERED
        with engine.connect() as c:
            assert [tuple(r) for r in c.execute(sa.text("SELECT doc_no, amount, payer FROM payments_in"))] == [
                ("B-7", 120, "上海明辉")]
    finally:
        hub.stop()
        engine.dispose()


def test_a_file_write_names_the_file_after_the_delivery_and_writes_it_once(make_settings, tmp_path):
    hub = make_hub(make_settings, tmp_path, operation="export")
    try:
        did = pay(hub, "B-5", 9.9, payer="广州南方")
        hub.deliverer.deliver(did)
        outbox = hub.settings.config_dir / "outbox"
        [written] = list(outbox.iterdir())
        assert written.name == f"pay-B-5-{did}.csv"
        text = written.read_bytes().decode("gb18030")
        assert text.splitlines()[1].startswith("B-5,9.9,广州南方")
        assert delivery(hub, did) == (DeliveryStatus.DELIVERED, [("file:outbox", 201, "success")])
        again = pay(hub, "B-6", 1)
        (outbox / f"pay-B-6-{again}.csv").write_text("written by an earlier try", encoding="utf-8")
        hub.deliverer.deliver(again)   # the worker died after writing, before recording: not written twice
        assert (outbox / f"pay-B-6-{again}.csv").read_text(encoding="utf-8") == "written by an earlier try"
        assert delivery(hub, again) == (DeliveryStatus.DELIVERED, [("file:outbox", 200, "success")])
        assert not [p for p in outbox.iterdir() if p.name.endswith(".part")]
    finally:
        hub.stop()
