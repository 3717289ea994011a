"""The company's systems that the hub reads rather than hears from: the WMS's stock ledger polled
over HTTP from the real WMS, and MES's completed work orders polled from MES's own SQLite
database, each becoming canonical messages once — read again, nothing is stored twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hub.runtime import Hub
from hub.settings import REPO_ROOT
from hub.store import InboundMessage
from hub.store.models import CanonicalMessage, Poller
from mocks.common import MockSettings
from mocks.common.db import read_only_url
from mocks.mes.app import build as build_mes
from mocks.mes.tests.conftest import create_order, report
from mocks.mes.timefmt import now_local
from tests.support.processes import reference_system
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def wms(tmp_path) -> Iterator[str]:
    with reference_system("wms", tmp_path / "mocks") as url:
        yield url


@pytest.fixture
def mes(tmp_path) -> Iterator[TestClient]:
    settings = MockSettings.from_env("mes", database_url=f"sqlite:///{tmp_path}/mes.db", hub_url="http://127.0.0.1:9",
                                     webhooks_enabled=False)
    with TestClient(build_mes(settings)) as client:
        yield client


@pytest.fixture
def company_hub(make_settings, tmp_path, monkeypatch) -> Iterator[Callable[[], Hub]]:
    """The hub with the company's own connectors; the systems it polls are pointed at by each test."""
    monkeypatch.setenv("HUB_BANK_DROP", str(tmp_path / "bank"))
    monkeypatch.setenv("HUB_URL_WMS", "http://127.0.0.1:9")
    monkeypatch.setenv("HUB_MES_DB_URL", read_only_url(f"sqlite:///{tmp_path}/no-mes.db"))
    hubs: list[Hub] = []

    def build() -> Hub:
        hubs.append(Hub.build(make_settings(config_dir=REPO_ROOT)))
        return hubs[-1]
    yield build
    for h in hubs:
        h.stop()


def messages(hub: Hub, connector: str) -> list[InboundMessage]:
    with hub.db.read() as s:
        rows = list(s.scalars(select(InboundMessage).where(InboundMessage.connector == connector)
                              .order_by(InboundMessage.received_at)))
        for r in rows:
            s.expunge(r)
        return rows


def canonical(hub: Hub, message_id: str) -> CanonicalMessage:
    hub.translator.translate(message_id)
    with hub.db.read() as s:
        row = s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == message_id)).one()
        s.expunge(row)
        return row


def due_now(hub: Hub) -> None:
    with hub.db.session() as s:
        s.execute(update(Poller).values(next_run_at=None))


def issue(wms: str, qty: int, ref: str) -> None:
    r = httpx.post(f"{wms}/api/stock/issue", json={"sku": "SKU-BOARD-E1", "wh": "WH01", "qty": qty, "ref": ref},
                   timeout=30)
    assert r.status_code == 200, r.text


def test_the_wms_ledger_is_polled_over_http_into_inventory_level_changes(company_hub, wms, monkeypatch):
    monkeypatch.setenv("HUB_URL_WMS", wms)
    hub = company_hub()
    issue(wms, 12, "MO-2026-0007")
    assert hub.pollers.run_once()["wms"] == 1
    [msg] = messages(hub, "wms")
    assert (msg.mode, msg.native_type) == ("poll-http", "inventory/changed")
    level = canonical(hub, msg.id)
    assert level.type == "inventory.level_changed"
    assert (level.data["item"], level.data["warehouse"], level.data["delta"], level.data["ref_doc"]) == (
        "SKU-BOARD-E1", "WH01", -12, "MO-2026-0007")
    issue(wms, 3, "MO-2026-0008")
    due_now(hub)
    assert hub.pollers.run_once()["wms"] == 1, "only the new entry: the one read before is not stored again"
    assert [m.body["ext"] for m in messages(hub, "wms")] == ["MO-2026-0007", "MO-2026-0008"]


def test_completed_work_orders_are_read_from_the_mes_database_once_each(company_hub, mes, monkeypatch):
    monkeypatch.setenv("HUB_MES_DB_URL", read_only_url(mes.app.state.settings.database_url))
    hub = company_hub()
    no = create_order(mes)["WorkOrderNo"]
    report(mes, no, 10, good=28, scrap=2)
    assert hub.pollers.run_once()["mes"] == 0, "an order in progress is not news"
    report(mes, no, 20, good=27, scrap=1)
    due_now(hub)
    assert hub.pollers.run_once()["mes"] == 1
    [msg] = messages(hub, "mes")
    assert (msg.mode, msg.native_type, msg.body["WorkOrderNo"]) == ("poll-database", "WorkOrderCompleted", no)
    done = canonical(hub, msg.id)
    assert done.type == "production_order.completed" and done.subject == "MO-2026-0001"
    assert (done.data["qty_good"], done.data["qty_scrap"], done.data["defect_rate"]) == (27, 3, 0.1)
    assert done.data["lots"] == [f"LT{no[2:]}-01"] and done.data["origin_sales_order"] == "SO-2026-0001"
    assert mes.post(f"/api/WorkOrders/{no}/Close").status_code == 200
    due_now(hub)
    hub.pollers.run_once()
    assert len(messages(hub, "mes")) == 1, "closing a completed order is the same completion"


def test_a_work_order_number_used_again_after_mes_is_reset_is_a_new_completion(company_hub, mes, monkeypatch):
    monkeypatch.setenv("HUB_MES_DB_URL", read_only_url(mes.app.state.settings.database_url))
    hub = company_hub()

    def complete() -> dict:
        no = create_order(mes)["WorkOrderNo"]
        report(mes, no, 10, good=30)
        done = report(mes, no, 20, good=30).json()["WorkOrder"]
        assert done["Status"] == "Completed"
        return done
    first = complete()
    assert hub.pollers.run_once()["mes"] == 1
    assert mes.post("/_admin/reset").status_code == 200
    eventually(lambda: now_local().strftime("%Y-%m-%d %H:%M:%S") > first["ActualEnd"], timeout=10,
               what="the plant clock to pass the first completion's second")
    again = complete()
    assert again["WorkOrderNo"] == first["WorkOrderNo"], "MES numbers its work orders afresh after a reset"
    due_now(hub)
    assert hub.pollers.run_once()["mes"] == 1
    assert len(messages(hub, "mes")) == 2


def test_the_hub_never_creates_or_writes_the_mes_database(company_hub, tmp_path: Path):
    hub = company_hub()
    hub.pollers.run_once()
    assert not (tmp_path / "no-mes.db").exists()
    with hub.db.read() as s:
        row = s.get(Poller, "mes")
        assert row is not None and row.state == "failing" and "unable to open database" in (row.last_error or "")
