"""CRM's connector file and mappings agree with the canonical schemas and with the CRM itself.

- every inbound case's expected output is a valid payload of the canonical type its event produces,
  and the event's ``time``, ``correlate`` and ``xref`` expressions give what the hub needs from it;
- every outbound case reads a valid canonical payload and writes a body the CRM's own request model
  takes (unknown fields refused);
- every native event the reference CRM emits is declared, and every CRM mapping is used and tested;
- a round trip through the reference CRM (F1: an order placed, then credit, promised dates,
  production, shipment, invoice and payment shown on it; F3: customers and products replicated both
  ways; F4: a stock alert with substitutes; F5: a complaint opened, assigned and resolved) maps
  cleanly both ways, and the subscription filters keep out what the CRM would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.envelope import parse_time
from hub.mapping import MappingLibrary, make_engine
from hub.mapping.functions import fixture_xref, hub_functions
from hub.settings import REPO_ROOT
from mocks.crm import events as crm_events
from mocks.crm import schemas as crm_schemas
from tests.support.harness import DryHub, Outbox, inbound_cases, outbound_cases, send

MAPPINGS = REPO_ROOT / "mappings"
CONNECTOR = load_connector(REPO_ROOT / "connectors" / "crm.yaml").connector
CATALOG = Catalog(MAPPINGS / "canonical")
LIBRARY = MappingLibrary(MAPPINGS, make_engine("jlens"))
ENGINES = ["jlens", "jsonata-python"]
KEY_PREFIXES = ("sales_order:", "complaint:")

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "update_customer": crm_schemas.CustomerIn,
    "create_customer": crm_schemas.CustomerIn,
    "upsert_product": crm_schemas.ProductIn,
    "show_credit_result": crm_schemas.CreditResultIn,
    "show_confirmation": crm_schemas.ConfirmationIn,
    "show_production_progress": crm_schemas.ProductionProgressIn,
    "show_production_completion": crm_schemas.ProductionCompletionIn,
    "show_production_reschedule": crm_schemas.RescheduleIn,
    "show_quality_inspection": crm_schemas.QualityInspectionIn,
    "show_shipment": crm_schemas.ShipmentIn,
    "show_invoice": crm_schemas.InvoiceIn,
    "show_payment": crm_schemas.PaymentIn,
    "raise_stock_alert": crm_schemas.StockAlertIn,
    "show_complaint_assignment": crm_schemas.AssignmentIn,
    "show_complaint_resolution": crm_schemas.ResolutionIn,
}
"""Each operation → the body model the CRM validates it with."""

AWAITED: dict[str, set[str]] = {"item.upserted": {"list_price", "name_en"}}
"""Fields a CRM mapping reads that the canonical type does not carry yet (asked of its producer).
The CRM's product PUT replaces the list price, so item.upserted is only routed to the CRM with one."""


def _validate_canonical(ctype: str, data: dict[str, Any]) -> None:
    schema = CATALOG.get(ctype).schema["properties"]
    CATALOG.get(ctype).validate({k: v for k, v in data.items() if k in schema or k not in AWAITED.get(ctype, ())})


def _inbound_cases() -> Iterator[Any]:
    for native, _, case in inbound_cases(CONNECTOR, LIBRARY):
        yield pytest.param(native, case, id=f"{native}::{case.name}")


@pytest.mark.parametrize(("native", "case"), list(_inbound_cases()))
def test_inbound_expected_output_is_a_valid_canonical_payload(native: str, case: Any):
    CATALOG.get(CONNECTOR.inbound.events[native].canonical).validate(case.expected)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("native", "case"), list(_inbound_cases()))
def test_inbound_time_correlation_and_xref_expressions_work_on_every_case(engine: str, native: str, case: Any):
    event = CONNECTOR.inbound.events[native]
    eng = make_engine(engine)
    fns = hub_functions(source="crm", target="canonical", xref=fixture_xref(case.xref), codes=LIBRARY.codes)
    assert event.time, f"{native} has no time expression"
    when = parse_time(eng.compile(event.time).evaluate(case.input))
    assert when.tzinfo is not None and when.utcoffset().total_seconds() == 8 * 3600
    scope = {"native": case.input, "data": case.expected}
    for expr in event.correlate:
        value = eng.compile(expr).evaluate(scope, None, fns)
        for key in value if isinstance(value, list) else [] if value is None else [value]:
            assert isinstance(key, str) and key.startswith(KEY_PREFIXES), key
            assert key.split(":", 1)[1], f"{key!r}: a key without its value"
    for expr in event.xref:
        found = eng.compile(expr).evaluate(scope, None, fns)
        for ref in found if isinstance(found, list) else [] if found is None else [found]:
            assert set(ref) == {"entity", "ids"} and ref["ids"]["crm"] == case.expected["code"]
            assert all(isinstance(v, str) and v for v in ref["ids"].values())


@pytest.mark.parametrize("engine", ENGINES)
def test_a_complaint_joins_its_order_and_an_external_ref_becomes_a_cross_reference(engine: str):
    eng = make_engine(engine)
    fns = hub_functions(source="crm", target="canonical", xref=fixture_xref({}), codes=LIBRARY.codes)
    [complaint_keys] = CONNECTOR.inbound.events["complaint.opened"].correlate
    keys = eng.compile(complaint_keys).evaluate
    assert keys({"data": {"complaint_id": "CMP-000001", "order_no": "SO-20261122-0001"}}, None, fns) == [
        "complaint:CMP-000001", "sales_order:SO-20261122-0001"]
    assert keys({"data": {"complaint_id": "CMP-000002"}}, None, fns) in ("complaint:CMP-000002", ["complaint:CMP-000002"])
    [reveal] = CONNECTOR.inbound.events["customer.created"].xref
    found = eng.compile(reveal).evaluate
    assert found({"native": {"data": {"externalRefs": {"erp": "100006"}}}, "data": {"code": "CUS-000106"}},
                 None, fns) == {"entity": "customer", "ids": {"erp": "100006", "crm": "CUS-000106"}}
    assert found({"native": {"data": {"externalRefs": {}}}, "data": {"code": "CUS-000101"}}, None, fns) is None


@pytest.mark.parametrize(("canonical", "operation", "case"), list(outbound_cases(CONNECTOR, LIBRARY)))
def test_outbound_cases_read_canonical_payloads_and_write_crm_request_bodies(canonical, operation, case):
    _validate_canonical(canonical, case.input["data"])
    if case.error is None:
        REQUEST_MODELS[operation].model_validate(case.expected)


def test_every_crm_mapping_is_used_and_has_at_least_two_cases():
    used = {e.mapping for e in CONNECTOR.inbound.events.values()}
    used |= {op.mapping for op in CONNECTOR.operations.values() if op.mapping}
    present = {n for n in LIBRARY.names() if n.startswith("crm/")}
    assert present == used
    for name in present:
        assert len(LIBRARY.get(name).cases) >= 2, f"{name} needs at least two test cases"
    assert set(REQUEST_MODELS) == set(CONNECTOR.operations)


def test_every_native_event_the_crm_emits_is_declared():
    assert {n: e.canonical for n, e in CONNECTOR.inbound.events.items()} == crm_events.CANONICAL
    assert CONNECTOR.inbound.ignore == []


# ----------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.crm.app import build
    folder = tmp_path_factory.mktemp("crm")
    # webhooks stay in the CRM's outbox (read through /_admin/webhooks): nothing listens on port 9
    settings = MockSettings.from_env("crm", database_url=f"sqlite:///{folder}/crm.db", hub_url="http://127.0.0.1:9")
    with TestClient(build(settings)) as client:
        yield client


def _env(source: str, ctype: str, data: dict[str, Any], time: str = "2026-12-01T10:00:00+08:00") -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"m-{ctype}-{len(str(data))}", "source": f"/connectors/{source}",
            "type": ctype, "time": time, "data": data}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize("engine", ENGINES)
def test_an_order_placed_in_the_crm_shows_what_every_other_system_reports(crm, engine):
    _ok(crm.post("/_admin/reset"))
    hub, outbox = DryHub("crm", engine, check=_validate_canonical), Outbox(crm, crm_events.envelope)
    draft = _ok(crm.post("/api/v1/salesOrders", json={
        "customerId": "CUS-000101", "salespersonId": "USR-0003", "customerPoNo": "MH-PO-8812",
        "lines": [{"productCode": "PRD-DESK-1200", "quantity": 30, "requiredDate": "2027-01-20"},
                  {"productCode": "PRD-CHAIR-ERG", "quantity": 30}]}), 201)
    no = draft["orderNo"]
    _ok(crm.post(f"/api/v1/salesOrders/{no}/submit"))
    [(placed, keys)] = [hub.inbound(b) for b in outbox.new()]
    assert keys == [f"sales_order:{no}"] and placed["subject"] == no
    assert placed["data"] == {
        "order_no": no, "customer": "CUS-000101", "customer_name": "上海明辉贸易有限公司",
        "order_date": placed["time"][:10], "currency": "CNY", "total": 57900, "salesperson": "USR-0003",
        "lines": [{"line_no": 1, "item": "PRD-DESK-1200", "qty": 30, "uom": "PCS", "unit_price": 1280,
                   "required_date": "2027-01-20"},
                  {"line_no": 2, "item": "PRD-CHAIR-ERG", "qty": 30, "uom": "PCS", "unit_price": 650}]}

    erp_numbered = {"order_no": "SO2611-00009", "customer": "100001", "result": "accepted"}
    assert hub.outbound(_env("erp", "sales_order.credit_checked", erp_numbered)) == []  # not a CRM order
    steps = [
        _env("erp", "sales_order.credit_checked", {"order_no": no, "customer": "100001", "result": "accepted",
                                                   "exposure": 137900, "credit_limit": 500000, "overdue_amount": 0,
                                                   "erp_order_no": "SO2611-00001"}),
        _env("erp", "sales_order.confirmed", {"order_no": no, "warehouse": "2000", "erp_order_no": "SO2611-00001",
                                              "lines": [{"line_no": 1, "item": "100-0001", "qty": 30,
                                                         "promised_date": "2027-01-18"},
                                                        {"line_no": 2, "item": "100-0002", "qty": 30,
                                                         "promised_date": "2027-01-15"}]}),
        _env("mes", "production_order.progress_reported", {
            "order_no": "MO-000001", "origin_sales_order": no, "operation": "10", "work_center": "WC-ASM",
            "qty_good": 12, "qty_scrap": 0, "operation_qty_good": 12, "operation_qty_scrap": 0,
            "reported_at": "2027-01-12T10:00:00+08:00"}),
        _env("mes", "production_order.rescheduled", {"order_no": "MO-000001", "origin_sales_order": no,
                                                     "old_end": "2027-01-14", "new_end": "2027-01-16",
                                                     "reason": "钢制桌腿延迟到货", "ref_doc": "PO-2026-0001/1"}),
        _env("mes", "production_order.completed", {"order_no": "MO-000001", "item": "P-T1200", "qty_good": 28,
                                                   "qty_scrap": 2, "defect_rate": 0.0667, "lots": ["LT000001-01"],
                                                   "actual_end": "2027-01-16T16:00:00+08:00",
                                                   "origin_sales_order": no}),
        _env("mes", "quality.inspection.recorded", {"inspection_id": "QC202701160001", "kind": "final",
                                                    "ref_doc": "MO-000001", "item": "P-T1200", "lot": "LT000001-01",
                                                    "qty_inspected": 30, "qty_accepted": 28, "qty_rejected": 2,
                                                    "result": "fail", "inspected_at": "2027-01-16T16:00:00+08:00",
                                                    "origin_sales_order": no}),
        _env("wms", "shipment.dispatched", {"shipment_no": "SH-000001", "order_no": no, "carrier": "顺丰速运",
                                            "tracking_no": "SF1234567890", "shipped_at": "2027-01-17T15:00:00+08:00",
                                            "lines": [{"item": "SKU-DESK-1200", "qty": 28, "lot": "LT000001-01"},
                                                      {"item": "SKU-CHAIR-ERG", "qty": 30}]}),
        _env("erp", "invoice.issued", {"invoice_no": "IV2701-00001", "order_no": no, "customer": "100001",
                                       "amount_untaxed": 50000, "tax": 6500, "total": 56500, "currency": "CNY",
                                       "due_date": "2027-02-16"}),
        _env("erp", "payment.received", {"payment_no": "PY2701-00001", "invoice_no": "IV2701-00001",
                                         "order_no": no, "amount": 56500, "received_at": "2027-02-10"}),
    ]
    for step in steps:
        [order] = send(crm, hub, step)
        [again] = send(crm, hub, step)  # delivered twice: the CRM shows the report once
        assert len(again["timeline"]) == len(order["timeline"])
    assert outbox.new() == []  # what the hub reports is shown, never echoed back
    assert (order["status"], order["creditStatus"], order["externalRefs"]) == ("invoiced", "accepted",
                                                                              {"erp": "SO2611-00001"})
    assert [line["promisedDate"] for line in order["lines"]] == ["2027-01-18", "2027-01-15"]
    [run] = order["productionOrders"]
    assert (run["productionOrderNo"], run["status"], run["qtyGood"], run["defectRate"]) == (
        "MO-000001", "completed", 28, 0.0667)
    assert (order["shipmentNo"], order["trackingNo"], order["invoiceNo"], order["paid"]) == (
        "SH-000001", "SF1234567890", "IV2701-00001", True)
    [inspection] = order["qualityInspections"]
    assert (inspection["inspectionNo"], inspection["productCode"], inspection["result"], order["qualityResult"]) == (
        "QC202701160001", "PRD-DESK-1200", "fail", "fail")
    incoming = _env("mes", "quality.inspection.recorded", {"inspection_id": "QC202701100001", "kind": "incoming",
                                                           "ref_doc": "PO-2026-0001", "item": "P-LEG-STL",
                                                           "qty_inspected": 100, "result": "pass",
                                                           "origin_sales_order": no})
    assert hub.outbound(incoming) == []  # bought material concerns no customer order

    other = _ok(crm.post("/api/v1/salesOrders", json={
        "customerId": "CUS-000103", "lines": [{"productCode": "PRD-DESK-1200", "quantity": 2}]}), 201)["orderNo"]
    _ok(crm.post(f"/api/v1/salesOrders/{other}/submit"))
    _ok(crm.post(f"/api/v1/salesOrders/{other}/cancel", json={"reason": "客户取消"}))
    [(_, k1), (cancelled, k2)] = [hub.inbound(b) for b in outbox.new()]
    assert k1 == k2 == [f"sales_order:{other}"]
    assert cancelled["data"] == {"order_no": other, "customer": "CUS-000103", "reason": "客户取消",
                                 "cancelled_at": cancelled["data"]["cancelled_at"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_customers_and_products_replicate_both_ways_without_duplicates(crm, engine):
    _ok(crm.post("/_admin/reset"))
    hub, outbox = DryHub("crm", engine, check=_validate_canonical), Outbox(crm, crm_events.envelope)
    new = _env("erp", "party.customer.upserted", {
        "code": "100006", "name": "成都锦城办公设备有限公司", "tax_id": "91510100MA61XK2P3F",
        "credit_limit": 150000, "currency": "CNY", "payment_terms": 30, "status": "active",
        "addresses": [{"kind": "office", "street": "成都市锦江区红星路三段1号", "city": "成都", "is_default": True}],
        "contacts": [{"name": "何军", "mobile": "13908001234", "phone": "028-86661234", "is_primary": True}]})
    [created] = send(crm, hub, new)
    crm_id = created["customerId"]
    assert (created["phone"], [c["mobile"] for c in created["contacts"]]) == ("028-86661234", ["13908001234"])
    assert hub.xref("customer", "100006", "erp", "crm") == crm_id and created["externalRefs"] == {"erp": "100006"}
    [(upserted, keys)] = [hub.inbound(b) for b in outbox.new()]
    assert keys == [] and upserted["data"]["code"] == crm_id and upserted["data"]["tax_id"] == "91510100MA61XK2P3F"
    assert upserted["data"]["contacts"] == new["data"]["contacts"]  # the company phone comes back where ERP put it

    # the CRM keeps its richer lists when ERP's flat copy comes back changed
    _ok(crm.patch(f"/api/v1/customers/{crm_id}", json={"contacts": [
        {"name": "何军", "mobile": "13908001234", "isPrimary": True}, {"name": "李婷", "title": "采购"}]}))
    outbox.new()
    changed = {**new, "data": {**new["data"], "credit_limit": 180000, "status": "blocked",
                               "contacts": [{"name": "何军", "mobile": "13908001234"}]}}
    [(op, method, path, _)] = hub.outbound(changed)
    assert (op, method, path) == ("update_customer", "PUT", f"/api/v1/customers/{crm_id}")
    [updated] = send(crm, hub, changed)
    assert (updated["creditLimit"], updated["status"], len(updated["contacts"])) == (180000, "active", 2)
    send(crm, hub, changed)
    [(again, _)] = [hub.inbound(b) for b in outbox.new()]  # one customer.updated, the repeat changed nothing
    assert again["data"]["credit_limit"] == 180000

    seeded = _env("erp", "party.customer.upserted", {"code": "100001", "name": "上海明辉贸易有限公司",
                                                     "tax_id": "91310115MA1K4B2C3J"})
    [(op, _, path, _)] = hub.outbound(seeded)
    assert (op, path) == ("update_customer", "/api/v1/customers/CUS-000101")
    no_tax_id = _env("erp", "party.customer.upserted", {"code": "100009", "name": "Acme GmbH"})
    assert hub.outbound(no_tax_id) == []  # the CRM needs a unified social credit code

    price = _env("erp", "item.upserted", {"code": "100-0001", "name": "办公桌 1200", "name_en": "Office desk 1200",
                                          "uom": "PCS", "status": "active", "list_price": 1320.0})
    [product] = send(crm, hub, price)
    assert (product["productCode"], product["listPrice"], product["externalRefs"]) == (
        "PRD-DESK-1200", 1320.0, {"erp": "100-0001"})
    raw = _env("erp", "item.upserted", {"code": "300-0001", "name": "钢制桌腿", "uom": "PCS", "list_price": None})
    assert hub.outbound(raw) == []  # not sold: no CRM product code, no price
    unpriced = _env("erp", "item.upserted", {"code": "100-0002", "name": "人体工学办公椅", "uom": "PCS"})
    assert hub.outbound(unpriced) == []  # the PUT would erase the list price orders are priced from


@pytest.mark.parametrize("engine", ENGINES)
def test_a_complaint_is_routed_and_resolved_and_stock_alerts_offer_substitutes(crm, engine):
    _ok(crm.post("/_admin/reset"))
    hub, outbox = DryHub("crm", engine, check=_validate_canonical), Outbox(crm, crm_events.envelope)
    complaint = _ok(crm.post("/api/v1/complaints", json={
        "customerId": "CUS-000104", "productCode": "PRD-CHAIR-ERG", "lot": "LOT-1", "severity": "high",
        "description": "椅子气杆漏气 (gas lift leaking)"}), 201)
    cid = complaint["complaintId"]
    [(opened, keys)] = [hub.inbound(b) for b in outbox.new()]
    assert keys == [f"complaint:{cid}"]
    assert opened["data"] == {"complaint_id": cid, "customer": "CUS-000104", "customer_name": "杭州西湖文创有限公司",
                              "item": "PRD-CHAIR-ERG", "lot": "LOT-1", "severity": "high",
                              "description": "椅子气杆漏气 (gas lift leaking)", "opened_at": opened["data"]["opened_at"]}
    [assigned] = send(crm, hub, _env("oa", "complaint.assigned", {
        "complaint_id": cid, "task_id": "TASK-000001", "department": "QA", "department_name": "质量部",
        "assignee": "yangjing", "assignee_name": "杨静", "due_at": "2026-12-03T10:00:00+08:00"}))
    assert (assigned["status"], assigned["department"], assigned["assignee"]) == ("assigned", "质量部", "杨静")
    [resolved] = send(crm, hub, _env("oa", "complaint.resolved", {
        "complaint_id": cid, "root_cause": "气杆批次不良", "disposition": "replace"}))
    assert (resolved["status"], resolved["disposition"]) == ("resolved", "replace")
    assert outbox.new() == []

    low = _env("wms", "inventory.below_safety_stock", {
        "item": "SKU-CHAIR-ERG", "warehouse": "WH02", "available": 4, "safety_stock": 10, "shortfall": 6,
        "suggested_qty": 20, "incoming": 0,
        "substitutes": [{"item": "SKU-DESK-1200"}, {"item": "SKU-LEG-STL"}, {"item": "SKU-CHAIR-ERG"}]})
    [alert] = send(crm, hub, low)
    assert (alert["productCode"], [s["productCode"] for s in alert["substitutes"]]) == (
        "PRD-CHAIR-ERG", ["PRD-DESK-1200"])
    [again] = send(crm, hub, low)
    assert again["alertId"] == alert["alertId"]
    legs = _env("wms", "inventory.below_safety_stock", {"item": "SKU-LEG-STL", "warehouse": "WH01",
                                                        "available": 5, "safety_stock": 20, "shortfall": 15})
    assert hub.outbound(legs) == []  # a raw material: sales cannot sell it
