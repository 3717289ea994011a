"""MRP's connector file and mappings agree with the canonical schemas and with MRP itself.

- every inbound case's expected output is a valid payload of the canonical type its event produces;
- every outbound case reads a valid canonical payload and writes a body MRP's own request model takes;
- every native event the reference MRP emits is declared (mapped, or ignored for a stated reason);
- the event times are RFC 3339 with the plant's offset;
- a round trip through the reference MRP (F3 item and BOM; F1 demand → plan → production order and
  requisition; F2 purchase order → confirmation → delay → receipt; completion, shipment,
  cancellation, stock) maps cleanly both ways, with the seeded cross-reference.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.envelope import parse_time
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT
from mocks.mrp import events as mrp_events
from mocks.mrp import schemas as mrp_schemas
from mocks.mrp.dates import PLANT_TZ
from tests.support.harness import DryHub, inbound_cases, send

MAPPINGS = REPO_ROOT / "mappings"
CONNECTOR = load_connector(REPO_ROOT / "connectors" / "mrp.yaml").connector
CATALOG = Catalog(MAPPINGS / "canonical")
LIBRARY = MappingLibrary(MAPPINGS, make_engine("jlens"))
ENGINES = ["jlens", "jsonata-python"]


REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "upsert_item": mrp_schemas.ItemIn,
    "save_bom": mrp_schemas.BomIn,
    "set_demand": mrp_schemas.DemandSetIn,
    "cancel_demand": mrp_schemas.DemandCloseIn,
    "fulfil_demand": mrp_schemas.DemandCloseIn,
    "set_stock": mrp_schemas.StockIn,
    "set_stock_from_alert": mrp_schemas.StockIn,
    "delay_supply": mrp_schemas.DelayIn,
    "receive_production": mrp_schemas.ReceiptIn,
    "record_po_line": mrp_schemas.SupplyIn,
    "receive_po_line": mrp_schemas.ReceiptIn,
    "confirm_po_line": mrp_schemas.DelayIn,
}
"""Each operation → the body model MRP validates it with (unknown fields refused)."""


def _inbound_cases() -> Iterator[Any]:
    for native, event, case in inbound_cases(CONNECTOR, LIBRARY):
        if event.records:  # the mapping gives one record's payload, or nothing for a record not for the hub
            if case.expected is not None:
                yield pytest.param(event.canonical, case.expected, id=f"{native}::{case.name}")
        elif event.split:  # one canonical message per element
            for i, payload in enumerate(case.expected):
                yield pytest.param(event.canonical, payload, id=f"{native}::{case.name}[{i}]")
        else:
            yield pytest.param(event.canonical, case.expected, id=f"{native}::{case.name}")


def _outbound_cases() -> Iterator[Any]:
    seen = set()
    for sub in CONNECTOR.subscriptions:
        op = CONNECTOR.operations[sub.operation]
        assert op.mapping, f"operation {sub.operation} has no mapping"
        if (sub.type, op.mapping) in seen:
            continue
        seen.add((sub.type, op.mapping))
        for case in LIBRARY.get(op.mapping).cases:
            if case.input.get("type", sub.type) == sub.type:
                yield pytest.param(sub.type, sub.operation, case, id=f"{sub.type}::{case.name}")


@pytest.mark.parametrize(("canonical", "expected"), list(_inbound_cases()))
def test_inbound_expected_output_is_a_valid_canonical_payload(canonical: str, expected: Any):
    CATALOG.get(canonical).validate(expected)


@pytest.mark.parametrize(("canonical", "operation", "case"), list(_outbound_cases()))
def test_outbound_cases_read_canonical_payloads_and_write_mrp_request_bodies(canonical, operation, case):
    CATALOG.get(canonical).validate(case.input["data"])
    if case.error is None:
        REQUEST_MODELS[operation].model_validate(case.expected)


def test_every_mrp_mapping_is_used_and_has_at_least_two_cases():
    used = {e.mapping for e in CONNECTOR.inbound.events.values()}
    used |= {op.mapping for op in CONNECTOR.operations.values() if op.mapping}
    present = {n for n in LIBRARY.names() if n.startswith("mrp/")}
    assert present == used
    for name in present:
        assert len(LIBRARY.get(name).cases) >= 2, f"{name} needs at least two test cases"


def test_every_native_event_mrp_emits_is_declared():
    emitted = {mrp_events.BOM_SAVED, mrp_events.RUN_COMPLETED, mrp_events.PLANNED_ORDER_RELEASED,
               mrp_events.REQUISITION_CREATED, mrp_events.SUPPLY_DELAYED_REPLANNED}
    assert set(CONNECTOR.inbound.events) | set(CONNECTOR.inbound.ignore) == emitted
    assert not set(CONNECTOR.inbound.events) & set(CONNECTOR.inbound.ignore)


@pytest.mark.parametrize("engine", ENGINES)
def test_event_times_are_plant_time_with_its_offset(engine: str):
    at = datetime(2026, 11, 22, 2, 43, 33, tzinfo=UTC)  # 10:43:33 in the plant
    body = mrp_events.envelope(mrp_events.RUN_COMPLETED, {}, "msg_1", at)
    for event in CONNECTOR.inbound.events.values():
        when = parse_time(make_engine(engine).compile(event.time).evaluate(body))
        assert when.isoformat() == "2026-11-22T10:43:33+08:00"


# ----------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def mrp() -> Iterator[Any]:
    """The reference MRP, auto-planning; its database in RAM where there is some (it commits often).
    Its webhooks go to a receiver that accepts them (a dead address would hold up every reset while
    the sender retries); the test reads them back from MRP's outbox (/_admin/webhooks)."""
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.common.testing import WebhookReceiver
    from mocks.mrp.app import build
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None,
                                     prefix="hub-mrp-") as folder, WebhookReceiver() as receiver:
        settings = MockSettings.from_env("mrp", database_url=f"sqlite:///{folder}/mrp.db", hub_url=receiver.url)
        with TestClient(build(settings, auto_plan=True)) as client:
            yield client


def _emitted(mrp: Any, event_type: str) -> list[dict[str, Any]]:
    """MRP's webhook bodies of ``event_type``, oldest first, as the hub receives them."""
    rows = reversed(mrp.get("/_admin/webhooks", params={"limit": 1000}).json())
    return [mrp_events.envelope(r["event_type"], r["data"], r["event_id"], datetime.fromisoformat(r["created_at"]))
            for r in rows if r["event_type"] == event_type]


def _msg(source: str, ctype: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"m-{ctype}", "source": f"/connectors/{source}", "type": ctype, "data": data}


def _iso(days: int) -> str:
    return (datetime.now(PLANT_TZ).date() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("engine", ENGINES)
def test_master_data_reaches_mrp_and_a_new_bom_comes_back(mrp, engine):
    assert mrp.post("/_admin/reset").status_code == 200
    hub = DryHub("mrp", engine)
    # a material new to MRP keeps ERP's number, and the answer links the two
    new = _msg("erp", "item.upserted", {"code": "100-0009", "name": "升降办公桌 1400", "uom": "PCS",
                                         "supply_method": "make", "lead_time_days": 5})
    [(_op, _m, path, _b)] = calls = hub.outbound(new)
    assert path == "/api/items/100-0009"
    [item] = send(mrp, hub, new, calls=calls, models=REQUEST_MODELS)
    assert item["supply"] == "make" and item["lead_time_days"] == 5
    assert hub.xref("item", "100-0009", "erp", "mrp") == "100-0009"
    # an item MRP already plans is not overwritten (its cost and budget class would be reset)
    desk = _msg("erp", "item.upserted", {"code": "100-0001", "name": "办公桌 1200", "uom": "PCS",
                                          "supply_method": "make", "lead_time_days": 7})
    assert hub.outbound(desk) == []
    assert hub.outbound({**new, "data": {**new["data"], "code": "100-0010", "supply_method": None}}) == []

    bom = _msg("erp", "bom.released", {"bom_code": "9", "parent_item": "100-0009", "version": "A",
                                        "effective_from": "2026-01-01",
                                        "lines": [{"component": "200-0001", "qty": 1},
                                                  {"component": "300-0001", "qty": 4}]})
    [saved] = send(mrp, hub, bom, models=REQUEST_MODELS)
    assert [ln["component"] for ln in saved["lines"]] == ["TP", "L"]
    released, keys = hub.inbound(_emitted(mrp, "bom.saved")[-1])
    assert released["data"]["bom_code"] == "100-0009-A" and keys == ["bom:100-0009-A"]
    assert released["data"]["lines"][1] == {"line_no": 20, "component": "L", "qty": 4, "uom": "PCS"}


@pytest.mark.parametrize("engine", ENGINES)
def test_an_order_is_planned_bought_made_and_shipped_through_mrp(mrp, engine):
    assert mrp.post("/_admin/reset").status_code == 200
    hub = DryHub("mrp", engine)
    stock = _msg("wms", "inventory.level_changed", {"item": "SKU-LEG-STL", "warehouse": "WH01", "on_hand": 40,
                                                     "ref_doc": "RCV000001"})
    [answer] = send(mrp, hub, stock, models=REQUEST_MODELS)
    assert answer["on_hand"] == 40 and answer["item"] == "L"
    assert hub.outbound({**stock, "data": {**stock["data"], "item": "SKU-NOT-PLANNED"}}) == []

    # F1: ERP's confirmed order becomes demand; MRP plans and releases at once
    order = _msg("erp", "sales_order.confirmed", {
        "order_no": "SO-CRM-000900", "customer": "100001", "warehouse": "2000",
        "lines": [{"line_no": 10, "item": "100-0001", "qty": 80, "promised_date": _iso(30)}]})
    send(mrp, hub, order, models=REQUEST_MODELS)
    plan, keys = hub.inbound(_emitted(mrp, "run.completed")[-1])
    run_id = plan["data"]["run_id"]
    assert keys == [f"mrp_run:{run_id}"] and plan["subject"] == run_id
    assert {"T", "L"} <= {p["item"] for p in plan["data"]["planned_orders"]}

    made = [hub.inbound(b) for b in _emitted(mrp, "planned_order.released")]
    [(mo, mo_keys)] = [(m, k) for m, k in made if m["data"]["item"] == "T"]
    mo_no = mo["data"]["order_no"]
    assert mo["data"]["origin_sales_order"] == "SO-CRM-000900" and mo["data"]["planned_end"] <= _iso(30)
    assert mo_keys == [f"production_order:{mo_no}", "sales_order:SO-CRM-000900", f"mrp_run:{run_id}"]

    bought = [hub.inbound(b) for b in _emitted(mrp, "requisition.created")]
    [(pr, pr_keys)] = [(r, k) for r, k in bought if r["data"]["lines"][0]["item"] == "L"]
    pr_no = pr["data"]["requisition_no"]
    assert pr["data"]["lines"][0]["item_name"] == "钢制桌腿" and pr["data"]["estimated_amount"] > 0
    assert pr_keys == [f"requisition:{pr_no}", "sales_order:SO-CRM-000900", f"mrp_run:{run_id}"]

    # F2: SRM's purchase order converts the requisition; confirmation, delay and receipt follow
    line = pr["data"]["lines"][0]
    po = _msg("srm", "purchase_order.issued", {
        "po_no": "PO20261122001", "supplier": "SUP-0003", "currency": "CNY", "total": 42.0 * line["qty"],
        "requisition_refs": [pr_no],
        "lines": [{"line_no": 1, "item": "M-LEG-STL", "qty": line["qty"], "promised_date": line["need_by"]}]})
    [supply] = send(mrp, hub, po, models=REQUEST_MODELS)
    assert supply["requisition_ref"] == pr_no and supply["item"] == "L"
    converted = mrp.get("/api/planned-orders", params={"order_no": pr_no}).json()
    assert [p["status"] for p in converted] == ["converted"]

    later = (datetime.fromisoformat(line["need_by"]) + timedelta(days=3)).date().isoformat()
    confirmed = _msg("srm", "purchase_order.confirmed", {"po_no": "PO20261122001", "lines": [
        {"line_no": 1, "status": "changed", "confirmed_qty": line["qty"], "confirmed_date": later}]})
    [moved] = send(mrp, hub, confirmed, models=REQUEST_MODELS)
    assert moved["new_due_date"] == later.replace("-", "")
    accepted = _msg("srm", "purchase_order.confirmed", {"po_no": "PO20261122001",
                                                        "lines": [{"line_no": 1, "status": "accepted"}]})
    assert hub.outbound(accepted) == []

    delayed = _msg("srm", "purchase_order.delayed", {"po_no": "PO20261122001", "line_no": 1,
                                                      "new_date": _iso(60), "reason": "设备检修"})
    [moved] = send(mrp, hub, delayed, models=REQUEST_MODELS)
    assert moved["reason"] == "设备检修"
    replanned = _emitted(mrp, "supply.delayed_replanned")[-1]
    rescheduled = hub.inbound_all(replanned)  # split: one message per production order the delay moved
    assert [env["data"]["order_no"] for env, _ in rescheduled] == [
        a["order_no"] for a in replanned["data"]["affected_orders"] if a["order_no"]]
    for env, keys in rescheduled:
        assert env["type"] == "production_order.rescheduled"
        assert f"production_order:{env['data']['order_no']}" in keys

    received = _msg("wms", "goods.received", {"receipt_no": "RCV000002", "po_no": "PO20261122001",
                                               "lines": [{"line_no": 1, "item": "SKU-LEG-STL", "qty": 100}]})
    [lines] = send(mrp, hub, received, models=REQUEST_MODELS)
    assert lines[0]["received_qty"] == 100

    # MES completes the production order; WMS ships the order
    done = _msg("mes", "production_order.completed", {"order_no": mo_no, "item": "P-T1200",
                                                       "qty_good": mo["data"]["qty"], "qty_scrap": 0})
    [order_doc] = send(mrp, hub, done, models=REQUEST_MODELS)
    assert order_doc["status"] == "completed"
    assert hub.outbound({**done, "data": {**done["data"], "order_no": "WO-2026-0001"}}) == []

    shipped = _msg("wms", "shipment.dispatched", {"shipment_no": "SHP000001", "order_no": "SO-CRM-000900",
                                                   "tracking_no": "SF538027600001",
                                                   "shipped_at": "2026-11-22T10:00:00+08:00",
                                                   "lines": [{"item": "SKU-DESK-1200", "qty": 80}]})
    [demand] = send(mrp, hub, shipped, models=REQUEST_MODELS)
    assert [d["status"] for d in demand] == ["fulfilled"]

    alert = _msg("wms", "inventory.below_safety_stock", {"item": "SKU-LEG-STL", "warehouse": "WH01",
                                                          "available": 15, "safety_stock": 20, "shortfall": 5})
    [answer] = send(mrp, hub, alert, models=REQUEST_MODELS)
    assert answer["on_hand"] == 15


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cancelled_order_withdraws_its_demand_and_a_seven_line_order_is_sent_line_by_line(mrp, engine):
    assert mrp.post("/_admin/reset").status_code == 200
    hub = DryHub("mrp", engine)
    order = _msg("erp", "sales_order.confirmed", {"order_no": "SO-CRM-000901", "lines": [
        {"line_no": 1, "item": "100-0002", "qty": 5, "required_date": _iso(20)}]})
    send(mrp, hub, order, models=REQUEST_MODELS)
    cancelled = _msg("crm", "sales_order.cancelled", {"order_no": "SO-CRM-000901", "reason": "客户取消"})
    [demand] = send(mrp, hub, cancelled, models=REQUEST_MODELS)
    assert [(d["status"], d["note"]) for d in demand] == [("cancelled", "客户取消")]

    items = ["M-LEG-STL", "M-BOLT-M8", "M-BOARD-E1", "M-CHAIR-ERG", "M-LEG-STL", "M-BOLT-M8", "M-BOARD-E1"]
    po = _msg("srm", "purchase_order.issued", {
        "po_no": "PO20261122009", "supplier": "SUP-0001", "currency": "CNY", "total": 0,
        "lines": [{"line_no": n + 1, "item": item, "qty": 10, "promised_date": _iso(40)}
                  for n, item in enumerate(items)]})
    calls = hub.outbound(po)
    assert [c[0] for c in calls] == ["record_po_line"] * 7, "one call per line, however many lines"
    answers = send(mrp, hub, po, calls=calls, models=REQUEST_MODELS)
    assert [(a["line_no"], a["item"]) for a in answers] == [(1, "L"), (2, "BT"), (3, "B"), (4, "C"), (5, "L"),
                                                            (6, "BT"), (7, "B")]
