"""The company's bank on the file-drop adapter: a GBK statement file dropped for the hub becomes
customer payments posted in the real ERP reference system, one per bank reference."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from hub.runtime import Hub
from hub.settings import REPO_ROOT
from hub.store import Delivery, InboundMessage
from hub.store.models import DeliveryStatus
from tests.support.processes import reference_system

pytestmark = pytest.mark.e2e

STATEMENT_HEADER = ("交易日期", "流水号", "付款人", "付款账号", "金额", "币种", "摘要")


@pytest.fixture
def erp(tmp_path) -> Iterator[str]:
    with reference_system("erp", tmp_path / "mocks") as url:
        yield url


def statement(lines: list[tuple[str, str, float]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_HEADER)
    for ref, invoice, amount in lines:
        writer.writerow(("2026/12/04", ref, "广州南方家具有限公司", "6222020200000001", f"{amount:,.2f}", "CNY",
                         f"货款 {invoice}"))
    writer.writerow(("2026/12/04", "BK-FEE-1", "", "", "-35.00", "CNY", "手续费"))   # names no invoice
    return out.getvalue().encode("gb18030")


def test_a_gbk_statement_becomes_one_erp_payment_per_bank_reference(make_settings, tmp_path, erp, monkeypatch):
    open_invoices = httpx.get(f"{erp}/api/receivables", timeout=30).json()["items"]
    assert open_invoices, "the ERP's seed has open receivables"
    invoice = open_invoices[0]
    monkeypatch.setenv("HUB_URL_ERP", erp)
    monkeypatch.setenv("HUB_BANK_DROP", str(tmp_path / "bank"))
    hub = Hub.build(make_settings(config_dir=REPO_ROOT))
    try:
        for copy in ("statement-20261204.csv", "statement-20261204-again.csv"):   # the same lines twice
            path = tmp_path / "bank" / copy
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(statement([("BK20261204-0001", invoice["invoice_no"], float(invoice["open_amount"]))]))
            os.utime(path, (time.time() - 60, time.time() - 60))
        hub.pollers.run_once()
        with hub.db.read() as s:
            messages = list(s.scalars(select(InboundMessage.id).where(InboundMessage.connector == "bank")))
        assert len(messages) == 2, "one payment line and one fee line; the second file's lines are duplicates"
        for mid in messages:
            hub.translator.translate(mid)
        with hub.db.read() as s:
            deliveries = list(s.scalars(select(Delivery.id).where(Delivery.connector == "erp")))
        assert len(deliveries) == 1, "the fee line names no invoice: it is ignored"
        hub.deliverer.deliver(deliveries[0])
        with hub.db.read() as s:
            assert s.get(Delivery, deliveries[0]).status == DeliveryStatus.DELIVERED
        payments = [p for p in httpx.get(f"{erp}/api/payments", timeout=30).json() if p.get("bank_ref")]
        assert [(p["bank_ref"], p["invoice_no"]) for p in payments] == [("BK20261204-0001", invoice["invoice_no"])]
        paid = httpx.get(f"{erp}/api/invoices/{invoice['invoice_no']}", timeout=30).json()
        assert float(paid["open_amount"]) == 0 and paid["status"] == "paid"
        assert sorted(p.name for p in (tmp_path / "bank" / "done").iterdir() if p.suffix == ".csv") == [
            "statement-20261204-again.csv", "statement-20261204.csv"]
    finally:
        hub.stop()
