"""File drop: CSV (GBK too), xlsx and JSON Lines files become inbound messages, row by row, on a real
store; files move to done/ or error/ with a report; bad rows are listed with their row number."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hub.adapters import files as files_module
from hub.runtime import Hub
from hub.store import CanonicalMessage, InboundMessage
from hub.store.models import MessageStatus
from tests.support.poll_config import write_config
from tests.support.target import Target
from tests.support.waiting import eventually

POLL = """
kind: files
folder: drop
event: statement.line
every: 0.2s
settle: 0s
required: [流水号]
"""

GBK_CSV = ("流水号,金额,付款方\n"
           "B-1,1280.50,上海明辉\n"
           "B-2,300,北京华远\n"
           "B-3,77\n"              # line 4: one field short
           "B-4,9.9,广州南方\n").encode("gbk")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", POLL)


@pytest.fixture
def hub(make_settings, config: Path) -> Iterator[Hub]:
    h = Hub.build(make_settings(config_dir=config))
    yield h
    h.stop()


def drop(config: Path, name: str, data: bytes, *, age_s: float = 10) -> Path:
    path = config / "drop" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - age_s
    os.utime(path, (past, past))
    return path


def messages(hub: Hub) -> list[InboundMessage]:
    with hub.db.read() as s:
        rows = list(s.scalars(select(InboundMessage).where(InboundMessage.connector == "bank")
                              .order_by(InboundMessage.received_at, InboundMessage.id)))
        s.expunge_all()
    return rows


def test_a_gbk_csv_becomes_one_message_per_row_and_a_short_row_goes_to_error_with_its_line(hub, config):
    drop(config, "statement-20261204.csv", GBK_CSV)
    assert hub.pollers.run_once() == {"bank": 3}
    stored = sorted(messages(hub), key=lambda m: m.headers["row"])
    assert [m.body["付款方"] for m in stored] == ["上海明辉", "北京华远", "广州南方"]
    assert [m.headers for m in stored] == [{"file": "statement-20261204.csv", "row": n} for n in (2, 3, 5)]
    assert {m.mode for m in stored} == {"file"} and {m.native_type for m in stored} == {"statement.line"}
    folder = config / "drop"
    assert not (folder / "statement-20261204.csv").exists()
    assert (folder / "done" / "statement-20261204.csv").read_bytes() == GBK_CSV
    report = json.loads((folder / "done" / "statement-20261204.csv.report.json").read_text(encoding="utf-8"))
    assert (report["rows"], report["stored"], report["rejected"]) == (4, 3, 1)
    rejected = json.loads((folder / "error" / "statement-20261204.csv.rejected.json").read_text(encoding="utf-8"))
    assert rejected["rows"] == [{"row": 4, "reason": "2 field(s) where the header has 3"}]


def test_a_row_from_a_file_is_translated_like_a_webhook_body_with_its_file_and_row(hub, config):
    drop(config, "s.csv", "流水号,金额,付款方\nB-9,12.5,深圳前海\n".encode("gb18030"))
    hub.pollers.run_once()
    [m] = messages(hub)
    assert hub.translator.translate(m.id) == MessageStatus.DELIVERING
    with hub.db.read() as s:
        canonical = s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == m.id)).one()
        assert canonical.data == {"doc_no": "B-9", "amount": 12.5, "payer": "深圳前海", "file": "s.csv", "row": 2}
        assert canonical.subject == "B-9"


def test_an_xlsx_with_chinese_headers_is_read_by_its_header_row(hub, config):
    book = Workbook()
    sheet = book.active
    sheet.append(["流水号", "金额", "付款方", "日期"])
    sheet.append(["X-1", 100, "上海明辉", None])
    sheet.append([None, None, None, None])     # an empty row is skipped
    sheet.append(["X-2", 2.5, "北京华远", None])
    sheet.append([None, 3, "无流水号", None])   # row 5: the required column is empty
    path = config / "drop" / "对账单.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    os.utime(path, (time.time() - 10, time.time() - 10))
    hub.pollers.run_once()
    stored = sorted(messages(hub), key=lambda m: m.headers["row"])
    assert [(m.headers["row"], m.body["流水号"], m.body["金额"]) for m in stored] == [(2, "X-1", 100), (4, "X-2", 2.5)]
    rejected = json.loads((config / "drop" / "error" / "对账单.xlsx.rejected.json").read_text(encoding="utf-8"))
    assert rejected["rows"] == [{"row": 5, "reason": "column '流水号' is empty"}]
    assert (config / "drop" / "done" / "对账单.xlsx").exists()


def test_json_lines_with_a_broken_line_store_the_others(hub, config):
    drop(config, "feed.jsonl", b'{"\xe6\xb5\x81\xe6\xb0\xb4\xe5\x8f\xb7": "J-1", "amount": 1}\n{oops\n[1, 2]\n'
                               b'{"\xe6\xb5\x81\xe6\xb0\xb4\xe5\x8f\xb7": "J-2", "amount": 2}\n')
    hub.pollers.run_once()
    assert sorted(m.body["流水号"] for m in messages(hub)) == ["J-1", "J-2"]
    rejected = json.loads((config / "drop" / "error" / "feed.jsonl.rejected.json").read_text(encoding="utf-8"))
    assert [r["row"] for r in rejected["rows"]] == [2, 3]
    assert "not JSON" in rejected["rows"][0]["reason"] and rejected["rows"][1]["reason"] == "not a JSON object"


def test_a_file_still_being_written_is_not_read_until_it_settles(make_settings, tmp_path):
    config = write_config(tmp_path / "config", POLL.replace("settle: 0s", "settle: 30s"))
    h = Hub.build(make_settings(config_dir=config))
    try:
        fresh = drop(config, "late.csv", GBK_CSV, age_s=0)
        drop(config, "upload.csv.part", GBK_CSV, age_s=100)
        drop(config, ".hidden.csv", GBK_CSV, age_s=100)
        h.pollers.run_once()
        assert messages(h) == [] and fresh.exists()
        os.utime(fresh, (time.time() - 60, time.time() - 60))
        _due_now(h)
        h.pollers.run_once()
        assert len(messages(h)) == 3
        assert (config / "drop" / "upload.csv.part").exists() and (config / "drop" / ".hidden.csv").exists()
    finally:
        h.stop()


def test_a_file_that_cannot_be_read_goes_to_error_with_a_report(hub, config):
    drop(config, "broken.xlsx", b"PK\x03\x04 not really a workbook")
    drop(config, "notes.txt.bin", b"whatever")   # not matched by any known type: refused the same way
    hub.pollers.run_once()
    assert messages(hub) == []
    report = json.loads((config / "drop" / "error" / "broken.xlsx.report.json").read_text(encoding="utf-8"))
    assert report["outcome"] == "error" and "not an xlsx workbook" in report["reason"]
    assert (config / "drop" / "error" / "broken.xlsx").exists()
    assert "unknown file type" in json.loads(
        (config / "drop" / "error" / "notes.txt.bin.report.json").read_text(encoding="utf-8"))["reason"]


def test_a_drop_that_dies_after_storing_reads_the_file_again_without_duplicates(hub, config, monkeypatch):
    drop(config, "s.csv", GBK_CSV)
    real_move = files_module._move

    def die(*args, **kwargs):
        raise OSError("killed before the file was moved")

    monkeypatch.setattr(files_module, "_move", die)
    hub.pollers.run_once()
    assert len(messages(hub)) == 3 and (config / "drop" / "s.csv").exists()
    monkeypatch.setattr(files_module, "_move", real_move)
    _due_now(hub)
    hub.pollers.run_once()
    assert len(messages(hub)) == 3
    report = json.loads((config / "drop" / "done" / "s.csv.report.json").read_text(encoding="utf-8"))
    assert (report["stored"], report["duplicates"]) == (0, 3)


def test_the_same_file_dropped_twice_is_stored_once_and_both_copies_are_kept(hub, config):
    drop(config, "s.csv", GBK_CSV)
    hub.pollers.run_once()
    drop(config, "s.csv", GBK_CSV)
    _due_now(hub)
    hub.pollers.run_once()
    assert len(messages(hub)) == 3
    assert len(list((config / "drop" / "done").glob("s*.csv"))) == 2


def test_with_workers_each_row_is_delivered_to_the_subscriber(make_settings, config, monkeypatch):
    with Target() as target:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        h = Hub.build(make_settings(config_dir=config))
        h.start_workers()
        try:
            drop(config, "s.csv", GBK_CSV)
            eventually(lambda: sorted(c["path"] for c in target.calls) == ["/payments/B-1", "/payments/B-2",
                                                                           "/payments/B-4"],
                       timeout=60, what="three payments booked")
            def delivered() -> bool:
                with h.db.read() as s:
                    return s.scalar(select(func.count()).select_from(InboundMessage)
                                    .where(InboundMessage.status == MessageStatus.DELIVERED)) == 3
            eventually(delivered, timeout=30, what="three messages delivered")
        finally:
            h.stop()


def _due_now(hub: Hub) -> None:
    from sqlalchemy import update

    from hub.store.models import Poller
    with hub.db.session() as s:
        s.execute(update(Poller).values(next_run_at=None))


def test_a_row_from_a_file_is_replayed_with_the_current_mapping_like_a_webhook(hub, config):
    drop(config, "s.csv", "流水号,金额,付款方\nB-7,5,深圳前海\n".encode("gb18030"))
    hub.pollers.run_once()
    [m] = messages(hub)
    hub.translator.translate(m.id)
    (config / "mappings" / "bank" / "payment.jsonata").write_text(
        '{"doc_no": "R-" & $string(流水号), "amount": $number(金额) * 2}', encoding="utf-8")
    hub.registry.mappings.reload()
    result = hub.operations.replay_message(m.id, remap=True)
    assert result.status == MessageStatus.DELIVERING
    with hub.db.read() as s:
        current = s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == m.id,
                                                           CanonicalMessage.current)).one()
        assert current.data == {"doc_no": "R-B-7", "amount": 10}
