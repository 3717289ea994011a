"""SRM's connector file and mappings agree with the canonical schemas and with SRM itself.

- every inbound case's expected output is a valid payload of the canonical type its event produces;
- every outbound case reads a valid canonical payload and writes a body SRM's own request model takes;
- the supplier.capacity query's answer is a valid part of the canonical response;
- every native event the reference SRM emits is declared;
- a round trip through the reference SRM (F2: requisition → approval → PO issued → confirmed →
  delayed → goods received; a supplier change; a bought item; the capacity query) maps cleanly
  both ways, with the seeded cross-reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT
from mocks.srm import events as srm_events
from mocks.srm import schemas as srm_schemas
from tests.support.harness import DryHub, inbound_cases, outbound_cases, send

MAPPINGS = REPO_ROOT / "mappings"
CONNECTOR = load_connector(REPO_ROOT / "connectors" / "srm.yaml").connector
CATALOG = Catalog(MAPPINGS / "canonical")
QUERIES = Catalog(MAPPINGS / "canonical" / "queries")
LIBRARY = MappingLibrary(MAPPINGS, make_engine("jlens"))
ENGINES = ["jlens", "jsonata-python"]

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "submit_requisition": srm_schemas.RequisitionIn,
    "decide_requisition": srm_schemas.ApprovalIn,
    "record_receipt": srm_schemas.ReceiptIn,
    "upsert_material": srm_schemas.MaterialIn,
}
"""Each operation → the body model SRM validates it with (unknown fields refused)."""


def _inbound_cases() -> Iterator[Any]:
    for native, event, case in inbound_cases(CONNECTOR, LIBRARY):
        yield pytest.param(event.canonical, case.expected, id=f"{native}::{case.name}")


@pytest.mark.parametrize(("canonical", "expected"), list(_inbound_cases()))
def test_inbound_expected_output_is_a_valid_canonical_payload(canonical: str, expected: Any):
    CATALOG.get(canonical).validate(expected)


@pytest.mark.parametrize(("canonical", "operation", "case"), list(outbound_cases(CONNECTOR, LIBRARY)))
def test_outbound_cases_read_canonical_payloads_and_write_srm_request_bodies(canonical, operation, case):
    CATALOG.get(canonical).validate(case.input["data"])
    if case.error is None:
        REQUEST_MODELS[operation].model_validate(case.expected)


def test_every_srm_mapping_is_used_and_has_at_least_two_cases():
    used = {e.mapping for e in CONNECTOR.inbound.events.values()}
    used |= {op.mapping for op in CONNECTOR.operations.values() if op.mapping}
    used |= {name for q in CONNECTOR.queries.values() for name in (q.params, q.response) if name}
    present = {n for n in LIBRARY.names() if n.startswith("srm/")}
    assert present == used
    for name in present:
        assert len(LIBRARY.get(name).cases) >= 2, f"{name} needs at least two test cases"


def test_the_capacity_query_cases_match_the_query_schemas():
    query = CONNECTOR.queries["supplier.capacity"]
    for case in LIBRARY.get(query.params).cases:
        QUERIES.get("supplier.capacity.request").validate(case.input["request"])
    for case in LIBRARY.get(query.response).cases:
        QUERIES.get("supplier.capacity.request").validate(case.input["request"])
        srm_schemas.CapacityOut.model_validate(case.input["response"])
        QUERIES.get("supplier.capacity.response").validate(case.expected)


def test_every_native_event_srm_emits_is_declared():
    assert set(srm_events.EVENT_TYPES) == set(CONNECTOR.inbound.events)


# ----------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def srm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.srm.app import build
    folder = tmp_path_factory.mktemp("srm")
    # webhooks stay in SRM's outbox (read through /_admin/webhooks): nothing listens on port 9
    settings = MockSettings.from_env("srm", database_url=f"sqlite:///{folder}/srm.db", hub_url="http://127.0.0.1:9")
    with TestClient(build(settings)) as client:
        yield client


def _emitted(srm: Any, event_type: str) -> list[dict[str, Any]]:
    """SRM's webhook bodies of ``event_type``, oldest first, as the hub receives them."""
    rows = reversed(srm.get("/_admin/webhooks", params={"limit": 1000}).json())
    return [{"type": r["event_type"], "eventId": r["event_id"], "sentAt": r["created_at"].replace("+00:00", "Z"),
             "data": r["data"]} for r in rows if r["event_type"] == event_type]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_requisition_travels_through_srm_and_its_purchase_order_comes_back(srm, engine):
    assert srm.post("/_admin/reset").status_code == 200
    hub = DryHub("srm", engine)
    requisition = {"specversion": "1.0", "id": "m-1", "source": "/connectors/mrp", "type": "purchase_requisition.raised",
                   "time": "2026-11-22T02:30:00+00:00",
                   "data": {"requisition_no": "PR-MRP-000123", "origin": "SO-2026-0001", "estimated_amount": 10500.0,
                            "lines": [{"line_no": 1, "item": "L", "qty": 250, "uom": "PCS"}]}}
    send(srm, hub, requisition)
    decided = {"specversion": "1.0", "id": "m-2", "source": "/connectors/oa", "type": "approval.decided",
               "data": {"approval_id": "PROC-1", "business_type": "purchase_requisition",
                        "business_key": "PR-MRP-000123", "result": "approved", "decided_by": "zhangwei",
                        "comment": "同意采购"}}
    [req] = send(srm, hub, decided)
    assert req["status"] == "ORDERED", req

    [issued_body] = _emitted(srm, "po.issued")
    issued, keys = hub.inbound(issued_body)
    po_no = issued["data"]["po_no"]
    assert issued["subject"] == po_no and issued["data"]["lines"][0]["item"] == "M-LEG-STL"
    assert keys == [f"purchase_order:{po_no}", "requisition:PR-MRP-000123"]

    answer = srm.post(f"/api/purchaseOrders/{po_no}/confirm", json={"lines": [{"lineNo": 1, "status": "ACCEPTED"}]})
    assert answer.status_code == 200, answer.text
    confirmed, keys = hub.inbound(_emitted(srm, "po.confirmed")[-1])
    assert confirmed["data"]["lines"][0]["status"] == "accepted" and keys == [f"purchase_order:{po_no}"]

    later = issued["data"]["lines"][0]["promised_date"].replace("-", "/")
    later = f"{int(later[:4]) + 1}{later[4:]}"
    answer = srm.post(f"/api/purchaseOrders/{po_no}/delay", json={"lineNo": 1, "newDate": later, "reason": "设备检修"})
    assert answer.status_code == 200, answer.text
    delayed, keys = hub.inbound(_emitted(srm, "po.delayed")[-1])
    assert delayed["data"]["new_date"] == later.replace("/", "-") and keys == [f"purchase_order:{po_no}"]

    received = {"specversion": "1.0", "id": "m-3", "source": "/connectors/wms", "type": "goods.received",
                "data": {"receipt_no": "RCV000001", "po_no": po_no, "supplier": issued["data"]["supplier"],
                         "warehouse": "WH01", "received_at": "2026-11-22T03:00:00Z",
                         "lines": [{"line_no": 1, "item": "SKU-LEG-STL", "qty": 240, "lot": "KS-1",
                                    "location": "RM-RCV", "discrepancy": "short 10"}]}}
    [po] = send(srm, hub, received)
    assert po["status"] == "PARTIALLY_RECEIVED" and po["lines"][0]["receivedQty"] == 240

    supplier, keys = hub.inbound(_emitted(srm, "supplier.changed")[-1])  # the rating moved on receipt
    assert supplier["data"]["code"] == issued["data"]["supplier"] and keys == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bought_item_and_the_capacity_query_go_through_srm(srm, engine):
    assert srm.post("/_admin/reset").status_code == 200
    hub = DryHub("srm", engine)
    item = {"specversion": "1.0", "id": "m-4", "source": "/connectors/erp", "type": "item.upserted",
            "data": {"code": "300-0001", "name": "钢制桌腿", "uom": "PCS", "supply_method": "buy"}}
    [(_op, _m, path, _b)] = calls = hub.outbound(item)
    assert path == "/api/materials/M-LEG-STL"
    send(srm, hub, item, calls=calls)
    made = {**item, "data": {**item["data"], "supply_method": "make", "code": "100-0001"}}
    assert hub.outbound(made) == []

    def call(method: str, path: str, params: dict[str, Any]) -> Any:
        r = srm.request(method, path, params=params)
        assert r.status_code == 200, r.text
        return r.json()
    answer = hub.query("supplier.capacity", {"supplier": "200003", "item": "300-0001"}, "erp", call)
    QUERIES.get("supplier.capacity.response").validate(answer)
    assert answer["supplier"] == "200003" and [i["item"] for i in answer["items"]] == ["300-0001"]
    assert answer["items"][0]["open_orders"][0]["po_no"] == "PO-2026-0001"
    everything = hub.query("supplier.capacity", {"supplier": "200003"}, "erp", call)
    QUERIES.get("supplier.capacity.response").validate(everything)
    assert "300-0001" in [i["item"] for i in everything["items"]]
