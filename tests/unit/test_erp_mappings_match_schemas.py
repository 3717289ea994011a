"""ERP's connector file and mappings agree with the canonical schemas and with the ERP itself.

- every inbound case's expected output is a valid payload of the canonical type its event produces;
- every outbound case reads a valid canonical payload and writes a body the ERP's own request model
  takes (unknown fields refused);
- the query answers are valid parts of the canonical query responses;
- every native event the reference ERP emits is declared, except the ones deliberately ignored;
- round trips through the reference ERP (F1: order → credit check → release → shipment → invoice →
  payment, a credit block released by approval, a cancel; F2: commitment, goods receipt, requisition;
  production receipt; F3: customer, vendor, employee, material; the two queries) map cleanly both
  ways with the seeded cross-reference, under both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from pydantic import BaseModel

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT
from mocks.erp import events as erp_events
from mocks.erp import schemas as erp_schemas
from tests.support.harness import DryHub, inbound_cases, outbound_cases, send

MAPPINGS = REPO_ROOT / "mappings"
CONNECTOR = load_connector(REPO_ROOT / "connectors" / "erp.yaml").connector
CATALOG = Catalog(MAPPINGS / "canonical")
QUERIES = Catalog(MAPPINGS / "canonical" / "queries")
LIBRARY = MappingLibrary(MAPPINGS, make_engine("jlens"))
ENGINES = ["jlens", "jsonata-python"]
IGNORED_EVENTS = {erp_events.EMPLOYEE_SAVED}
"""Native events with no canonical meaning for the hub (declared in the connector's inbound.ignore)."""

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "create_sales_order": erp_schemas.SalesOrderIn,
    "cancel_sales_order": erp_schemas.SalesOrderCancelIn,
    "release_credit": erp_schemas.CreditReleaseIn,
    "post_delivery": erp_schemas.DeliveryIn,
    "post_payment": erp_schemas.PaymentIn,
    "record_purchase_commitment": erp_schemas.CommitmentIn,
    "post_goods_receipt": erp_schemas.GoodsReceiptIn,
    "close_commitment": erp_schemas.CommitmentCloseIn,
    "post_production_receipt": erp_schemas.ProductionReceiptIn,
    "record_po_delay": erp_schemas.DelayIn,
    "upsert_customer": erp_schemas.CustomerIn,
    "upsert_vendor": erp_schemas.VendorIn,
    "onboard_employee": erp_schemas.EmployeeIn,
}
"""Each operation → the body model the ERP validates it with."""

QUERY_MODELS: dict[str, type[BaseModel]] = {
    "customer.credit_status": erp_schemas.CreditStatusOut,
    "sales_order.status": erp_schemas.OrderStatusOut,
}


def _inbound_cases() -> Iterator[Any]:
    for native, event, case in inbound_cases(CONNECTOR, LIBRARY):
        yield pytest.param(event.canonical, case.expected, id=f"{native}::{case.name}")


@pytest.mark.parametrize(("canonical", "expected"), list(_inbound_cases()))
def test_inbound_expected_output_is_a_valid_canonical_payload(canonical: str, expected: Any):
    CATALOG.get(canonical).validate(expected)


@pytest.mark.parametrize(("canonical", "operation", "case"), list(outbound_cases(CONNECTOR, LIBRARY)))
def test_outbound_cases_read_canonical_payloads_and_write_erp_request_bodies(canonical, operation, case):
    CATALOG.get(canonical).validate(case.input["data"])
    if case.error is None:
        REQUEST_MODELS[operation].model_validate(case.expected)


@pytest.mark.parametrize("name", sorted(CONNECTOR.queries))
def test_query_cases_match_the_query_schemas_and_the_erp_answers(name: str):
    query = CONNECTOR.queries[name]
    for case in LIBRARY.get(query.response).cases:
        QUERIES.get(f"{name}.request").validate(case.input["request"])
        QUERY_MODELS[name].model_validate(case.input["response"])
        QUERIES.get(f"{name}.response").validate(case.expected)


def test_every_erp_mapping_is_used_and_has_at_least_two_cases():
    used = {e.mapping for e in CONNECTOR.inbound.events.values()}
    used |= {op.mapping for op in CONNECTOR.operations.values() if op.mapping}
    used |= {name for q in CONNECTOR.queries.values() for name in (q.params, q.response) if name}
    present = {n for n in LIBRARY.names() if n.startswith("erp/")}
    assert present == used
    for name in present:
        assert len(LIBRARY.get(name).cases) >= 2, f"{name} needs at least two test cases"


def test_every_native_event_the_erp_emits_is_declared_or_deliberately_ignored():
    emitted = {v for k, v in vars(erp_events).items() if k.isupper() and isinstance(v, str) and "." in v}
    assert emitted - IGNORED_EVENTS == set(CONNECTOR.inbound.events)
    assert set(CONNECTOR.inbound.ignore) == IGNORED_EVENTS


# ----------------------------------------------------------------- round trip
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(first17: str) -> str:
    """A unified social credit code with its check digit (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.erp.app import build
    folder = tmp_path_factory.mktemp("erp")
    # webhooks stay in the ERP's outbox (read through /_admin/webhooks): nothing listens on port 9
    settings = MockSettings.from_env("erp", database_url=f"sqlite:///{folder}/erp.db", hub_url="http://127.0.0.1:9")
    with TestClient(build(settings)) as client:
        yield client


def _emitted(erp: Any, event_type: str) -> list[dict[str, Any]]:
    """The ERP's webhook bodies of ``event_type``, oldest first, as the hub receives them."""
    rows = reversed(erp.get("/_admin/webhooks", params={"limit": 1000}).json())
    return [erp_events.envelope(r["event_type"], r["data"], r["event_id"], datetime.fromisoformat(r["created_at"]))
            for r in rows if r["event_type"] == event_type]


def _envelope(source: str, ctype: str, data: dict[str, Any], n: int = 1) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"m-{ctype}-{n}", "source": f"/connectors/{source}", "type": ctype,
            "time": "2026-11-22T02:30:00+00:00", "correlationid": "c-1", "data": data}


def _ask(erp: Any) -> Callable[..., Any]:
    def call(method: str, path: str, params: dict[str, Any]) -> Any:
        r = erp.request(method, path, params=params)
        assert r.status_code == 200, r.text
        return r.json()
    return call


@pytest.mark.parametrize("engine", ENGINES)
def test_order_to_cash_through_the_erp(erp, engine):
    assert erp.post("/_admin/reset").status_code == 200
    hub = DryHub("erp", engine)
    order_no = "SO-20261122-0001"
    placed = _envelope("crm", "sales_order.placed", {
        "order_no": order_no, "customer": "CUS-000101", "customer_name": "上海明辉贸易有限公司",
        "order_date": "2026-11-22", "currency": "CNY", "total": 66600.0, "salesperson": "USR-0003",
        "lines": [{"line_no": 1, "item": "PRD-DESK-1200", "qty": 50.0, "uom": "PCS", "unit_price": 1280.0,
                   "required_date": "2099-12-20"},
                  {"line_no": 2, "item": "PRD-CHAIR-ERG", "qty": 4.0, "uom": "PCS", "unit_price": 650.0}]})
    [so] = send(erp, hub, placed, models=REQUEST_MODELS)
    assert so["ext_ref"] == order_no and so["status"] == "released"
    assert send(erp, hub, placed, models=REQUEST_MODELS) == [so]  # a redelivery answers with the same order

    checked, keys = hub.inbound(_emitted(erp, "so.credit_checked")[-1])
    assert checked["subject"] == order_no and keys == [f"sales_order:{order_no}"]
    assert checked["data"]["result"] == "accepted" and checked["data"]["customer"] == "100001"
    assert checked["data"]["erp_order_no"] == so["so_number"]
    confirmed, keys = hub.inbound(_emitted(erp, "so.released")[-1])
    assert keys == [f"sales_order:{order_no}"] and confirmed["data"]["warehouse"] == "2000"
    assert [(line["line_no"], line["item"], line["qty"]) for line in confirmed["data"]["lines"]] == [
        (1, "100-0001", 50), (2, "100-0002", 4)]
    assert confirmed["data"]["lines"][0]["promised_date"] == "2099-12-20"

    shipped = _envelope("wms", "shipment.dispatched", {
        "shipment_no": "SHP-20261122-0001", "order_no": order_no, "customer": "C101", "warehouse": "WH02",
        "lines": [{"line_no": 1, "item": "SKU-DESK-1200", "qty": 20, "lot": "LOT-1"}],
        "carrier": "顺丰速运", "tracking_no": "SF1234567890", "shipped_at": "2026-11-22T17:30:00Z"})
    [delivery] = send(erp, hub, shipped, models=REQUEST_MODELS)
    assert delivery["ship_date"] == "2026-11-23" and delivery["invoice_no"]
    invoice, keys = hub.inbound(_emitted(erp, "invoice.posted")[-1])
    assert invoice["data"]["invoice_no"] == delivery["invoice_no"] and invoice["data"]["order_no"] == order_no
    assert keys == [f"invoice:{delivery['invoice_no']}", f"sales_order:{order_no}", "shipment:SHP-20261122-0001"]
    assert invoice["data"]["total"] == invoice["data"]["amount_untaxed"] + invoice["data"]["tax"]

    paid = erp.post("/api/payments", json={"invoice_no": delivery["invoice_no"], "amount": "1000.00",
                                           "bank_ref": "ICBC-1"})
    assert paid.status_code == 201, paid.text
    payment, keys = hub.inbound(_emitted(erp, "payment.posted")[-1])
    assert payment["data"]["order_no"] == order_no and payment["data"]["amount"] == 1000
    assert keys == [f"invoice:{delivery['invoice_no']}", f"sales_order:{order_no}"]

    status = hub.query("sales_order.status", {"order_no": order_no}, "crm", _ask(erp))
    QUERIES.get("sales_order.status.response").validate(status)
    assert status["credit"]["result"] == "accepted" and status["payment_status"] == "partial"
    assert status["invoices"] == [{"invoice_no": delivery["invoice_no"]}]
    credit = hub.query("customer.credit_status", {"customer": "CUS-000101"}, "crm", _ask(erp))
    QUERIES.get("customer.credit_status.response").validate(credit)
    assert credit["customer"] == "CUS-000101" and credit["blocked"] is False


@pytest.mark.parametrize("engine", ENGINES)
def test_a_credit_block_is_released_by_approval_and_another_order_is_cancelled(erp, engine):
    assert erp.post("/_admin/reset").status_code == 200
    hub = DryHub("erp", engine)
    order_no = "SO-20261122-0002"
    placed = _envelope("crm", "sales_order.placed", {
        "order_no": order_no, "customer": "CUS-000103", "currency": "CNY", "total": 1280.0,
        "lines": [{"line_no": 1, "item": "PRD-DESK-1200", "qty": 1, "uom": "PCS"}]})
    [so] = send(erp, hub, placed, models=REQUEST_MODELS)
    assert so["status"] == "blocked"
    blocked, _ = hub.inbound(_emitted(erp, "so.credit_checked")[-1])
    assert blocked["data"]["result"] == "blocked" and "overdue" in blocked["data"]["reason"]
    assert hub.query("customer.credit_status", {"customer": "CUS-000103"}, "crm", _ask(erp))["blocked"] is True

    rejected = _envelope("oa", "approval.decided", {
        "approval_id": "PROC-1", "business_type": "credit_release", "business_key": order_no,
        "result": "rejected", "decided_by": "zhoumin"})
    assert hub.outbound(rejected) == []
    other = _envelope("oa", "approval.decided", {
        "approval_id": "PROC-2", "business_type": "purchase_requisition", "business_key": "PR-1",
        "result": "approved", "decided_by": "zhangwei"})
    assert hub.outbound(other) == []
    approved = _envelope("oa", "approval.decided", {
        "approval_id": "PROC-3", "business_type": "credit_release", "business_key": order_no,
        "result": "approved", "decided_by": "zhoumin", "comment": "客户已承诺付款"}, 2)
    [released] = send(erp, hub, approved, models=REQUEST_MODELS)
    assert released["status"] == "released" and released["credit_approver"] == 90008
    accepted, keys = hub.inbound(_emitted(erp, "so.credit_checked")[-1])
    assert accepted["data"]["result"] == "accepted" and keys == [f"sales_order:{order_no}"]
    assert "released by 90008" in accepted["data"]["reason"]
    hub.inbound(_emitted(erp, "so.released")[-1])

    other_no = "SO-20261122-0003"
    send(erp, hub, _envelope("crm", "sales_order.placed", {
        "order_no": other_no, "customer": "CUS-000102", "currency": "CNY", "total": 650.0,
        "lines": [{"line_no": 1, "item": "PRD-CHAIR-ERG", "qty": 1, "uom": "PCS"}]}, 3), models=REQUEST_MODELS)
    [cancelled_so] = send(erp, hub, _envelope("crm", "sales_order.cancelled", {"order_no": other_no}),
                          models=REQUEST_MODELS)
    assert cancelled_so["status"] == "cancelled" and cancelled_so["cancel_reason"] == "cancelled in crm"
    cancelled, keys = hub.inbound(_emitted(erp, "so.cancelled")[-1])
    assert cancelled["data"]["order_no"] == other_no and keys == [f"sales_order:{other_no}"]
    status = hub.query("sales_order.status", {"order_no": other_no}, "crm", _ask(erp))
    assert status["status"] == "cancelled" and status["payment_status"] == "none"


@pytest.mark.parametrize("engine", ENGINES)
def test_purchasing_and_production_reach_the_ledger(erp, engine):
    assert erp.post("/_admin/reset").status_code == 200
    hub = DryHub("erp", engine)
    issued = _envelope("srm", "purchase_order.issued", {
        "po_no": "PO-2026-0002", "supplier": "SUP-0003", "order_date": "2026-11-22", "currency": "CNY",
        "total": 10500.0, "requisition_refs": ["PR-000001"],
        "lines": [{"line_no": 1, "item": "M-LEG-STL", "qty": 250, "uom": "PCS", "unit_price": 42.0,
                   "promised_date": "2026-12-06"}]})
    [commitment] = send(erp, hub, issued, models=REQUEST_MODELS)
    assert commitment["vendor_id"] == 200003 and commitment["pr_refs"] == ["PR-000001"]
    delayed = _envelope("srm", "purchase_order.delayed", {
        "po_no": "PO-2026-0002", "line_no": 1, "item": "M-LEG-STL", "supplier": "SUP-0003",
        "old_date": "2026-12-06", "new_date": "2026-12-13", "qty_affected": 250, "reason": "原材料钢管到货延迟"})
    [delay] = send(erp, hub, delayed, models=REQUEST_MODELS)
    assert (delay["po_number"], delay["days_late"], delay["material"]) == ("PO-2026-0002", 7, "300-0001")
    assert send(erp, hub, delayed, models=REQUEST_MODELS) == [delay]  # a redelivery records nothing new
    line = erp.get("/api/purchase-commitments/PO-2026-0002").json()["items"][0]
    assert (line["promised_date"], line["expected_date"]) == ("2026-12-06", "2026-12-13")
    received = _envelope("wms", "goods.received", {
        "receipt_no": "RCV000001", "po_no": "PO-2026-0002", "supplier": "SUP-0003", "warehouse": "WH01",
        "received_at": "2026-11-22T03:00:00Z",
        "lines": [{"line_no": 1, "item": "SKU-LEG-STL", "qty": 240, "lot": "KS-1", "discrepancy": "short 10"}]})
    [receipt] = send(erp, hub, received, models=REQUEST_MODELS)
    assert receipt["po_number"] == "PO-2026-0002" and receipt["flagged"] is False
    assert hub.outbound({**received, "data": {**received["data"], "po_no": None}}) == []

    run = erp.post("/api/payment-runs", json={"run_ref": "RUN-T1", "due_by": "2099-12-31", "approved_by": 90008})
    assert run.status_code == 201, run.text
    paid, keys = hub.inbound(_emitted(erp, "vendor_payment.posted")[-1])
    assert paid["type"] == "payment.made" and keys == ["purchase_order:PO-2026-0002"]
    assert (paid["data"]["po_no"], paid["data"]["supplier"], paid["data"]["payable_no"]) == (
        "PO-2026-0002", "200003", receipt["payable_no"])
    assert paid["data"]["amount"] == 11390.4 and paid["data"]["payment_run"] == run.json()["run_no"]

    completed = _envelope("mes", "production_order.completed", {
        "order_no": "MO-2026-0001", "item": "P-T1200", "qty_good": 30, "qty_scrap": 1, "defect_rate": 0.0323,
        "lots": ["LOT-1"], "actual_end": "2026-11-25T17:30:00+08:00", "origin_sales_order": "SO-20261122-0001"})
    [production] = send(erp, hub, completed, models=REQUEST_MODELS)
    assert production["material"] == "100-0001" and production["posting_date"] == "2026-11-25"

    raised = erp.post("/api/purchase-requisitions", json={
        "items": [{"material": "300-0002", "qty": 110, "need_by": "2026-12-10"}], "requested_by": 90004,
        "note": "补库"})
    assert raised.status_code == 201, raised.text
    requisition, keys = hub.inbound(_emitted(erp, "pr.created")[-1])
    pr_number = raised.json()["pr_number"]
    assert requisition["subject"] == pr_number and keys == [f"requisition:{pr_number}"]
    assert requisition["data"]["lines"] == [{"line_no": 1, "item": "300-0002", "qty": 110, "need_by": "2026-12-10"}]


@pytest.mark.parametrize("engine", ENGINES)
def test_master_data_replicates_into_and_out_of_the_erp(erp, engine):
    assert erp.post("/_admin/reset").status_code == 200
    hub = DryHub("erp", engine)
    tax_id = _uscc("91320594MA1MQ3K7X")
    customer = _envelope("crm", "party.customer.upserted", {
        "code": "CUS-000106", "name": "苏州工业园区新锐科技有限公司", "tax_id": tax_id, "currency": "CNY",
        "credit_limit": 150000.0, "payment_terms": 45, "status": "active",
        "addresses": [{"kind": "office", "street": "苏州工业园区金鸡湖大道1355号", "city": "苏州", "is_default": True}],
        "contacts": [{"name": "林芳", "mobile": "13912345678", "is_primary": True}]})
    [created] = send(erp, hub, customer, models=REQUEST_MODELS)
    erp_id = str(created["customer_id"])
    assert hub.xref("customer", "CUS-000106", "crm", "erp") == erp_id  # learnt from the answer
    saved, keys = hub.inbound(_emitted(erp, "customer.saved")[-1])
    assert saved["data"]["code"] == erp_id and saved["data"]["tax_id"] == tax_id and keys == []
    assert saved["data"]["contacts"] == [{"name": "林芳", "mobile": "13912345678", "phone": None, "is_primary": True}]
    assert hub.xref("customer", erp_id, "erp", "crm") == "CUS-000106"  # and from the event's ext_refs
    # the same company sent again by CRM under a new id is linked, not archived twice
    [linked] = send(erp, hub, {**customer, "data": {**customer["data"], "code": "CUS-000199"}},
                    models=REQUEST_MODELS)
    assert str(linked["customer_id"]) == erp_id
    assert hub.outbound({**customer, "source": "/connectors/wms"}) == []

    vendor = _envelope("srm", "party.supplier.upserted", {
        "code": "SUP-0009", "name": "常州恒力五金有限公司", "tax_id": _uscc("91320400MA1T2B3C4"),
        "status": "approved", "currency": "CNY", "default_lead_time_days": 12, "rating": 4.2,
        "contacts": [{"name": "钱丽", "phone": "0519-88886666", "is_primary": True}]})
    [v] = send(erp, hub, vendor, models=REQUEST_MODELS)
    assert v["status"] == "active" and hub.xref("supplier", "SUP-0009", "srm", "erp") == str(v["vendor_id"])
    supplier, _ = hub.inbound(_emitted(erp, "vendor.saved")[-1])
    assert supplier["data"]["status"] == "approved" and supplier["data"]["rating"] == 4.2

    onboarded = _envelope("oa", "employee.onboarded", {
        "employee_id": "emp0010", "name": "赵磊", "department": "PROD", "position": "装配工",
        "manager_id": "chenjie", "start_date": "2026-12-01", "roles": ["operator"]})
    [e] = send(erp, hub, onboarded, models=REQUEST_MODELS)
    assert e["manager_id"] == 90005 and hub.xref("employee", "emp0010", "oa", "erp") == str(e["employee_id"])

    put = erp.put("/api/materials/300-0009", json={
        "material": "300-0009", "description": "桌脚垫", "procurement": "external", "std_cost": "1.20",
        "uom": "PCS", "batch_managed": True, "lead_time_days": 5})
    assert put.status_code == 201, put.text
    item, keys = hub.inbound(_emitted(erp, "material.saved")[-1])
    assert item["subject"] == "300-0009" and keys == []
    assert item["data"]["supply_method"] == "buy" and item["data"]["tracking"] == "lot"
    assert item["data"]["uom"] == "PCS" and item["data"]["lead_time_days"] == 5
