"""MES's connector file and mappings agree with the canonical schemas and with MES itself.

- every inbound case's expected output is a valid payload of the canonical type its event produces,
  and the event's ``time``, ``correlate`` and ``xref`` expressions give what the hub needs from it;
- every outbound case reads a valid canonical payload and writes a body MES's own request model takes;
- the sales_order.status query's answer is a valid part of the canonical response;
- every native event the reference MES emits is declared (mapped, or ignored when it has no
  canonical meaning);
- a round trip through the reference MES (F1: production order released → progress → completion
  with its final inspection; F2: a late component reschedules an order; a cancelled sales order;
  the status query; parts, BOMs and operators replicated) maps cleanly both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import create_engine, text

from hub.adapters import watermarks
from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.connectors.sources import DatabaseSource
from hub.envelope import parse_time
from hub.mapping import MappingLibrary, make_engine
from hub.mapping.functions import fixture_xref, hub_functions
from hub.settings import REPO_ROOT
from mocks.mes import events as mes_events
from mocks.mes import schemas as mes_schemas
from tests.support.harness import DryHub, Outbox, inbound_cases, outbound_cases, send

MAPPINGS = REPO_ROOT / "mappings"
CONNECTOR = load_connector(REPO_ROOT / "connectors" / "mes.yaml").connector
CATALOG = Catalog(MAPPINGS / "canonical")
QUERIES = Catalog(MAPPINGS / "canonical" / "queries")
LIBRARY = MappingLibrary(MAPPINGS, make_engine("jlens"))
ENGINES = ["jlens", "jsonata-python"]
KEY_PREFIXES = ("sales_order:", "production_order:", "purchase_order:", "complaint:")

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "create_work_order": mes_schemas.WorkOrderIn,
    "release_bom": mes_schemas.BomIn,
    "upsert_part": mes_schemas.PartIn,
    "upsert_operator": mes_schemas.OperatorIn,
    "register_material_delay": mes_schemas.MaterialDelayIn,
    "hold_for_cancelled_sales_order": mes_schemas.SalesOrderCancellationIn,
    "open_complaint": mes_schemas.ComplaintIn,
}
"""Each operation → the body model MES validates it with (unknown fields refused)."""

REFUSED_BY_MES = {("upsert_part", "a new item without status or supply method (MES will ask for MakeOrBuy)"):
                  "MakeOrBuy"}
"""Cases whose body MES refuses on purpose (what the canonical message lacks), → the field named."""


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
    fns = hub_functions(source="mes", target="canonical", xref=fixture_xref(case.xref),
                        codes=LIBRARY.codes)
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
        for ref in found if isinstance(found, list) else [found]:
            assert set(ref) == {"entity", "ids"} and all(isinstance(v, str) and v for v in ref["ids"].values())


@pytest.mark.parametrize(("canonical", "operation", "case"), list(outbound_cases(CONNECTOR, LIBRARY)))
def test_outbound_cases_read_canonical_payloads_and_write_mes_request_bodies(canonical, operation, case):
    CATALOG.get(canonical).validate(case.input["data"])
    if case.error is not None:
        return
    refused = REFUSED_BY_MES.get((operation, case.name))
    if refused is None:
        REQUEST_MODELS[operation].model_validate(case.expected)
    else:
        with pytest.raises(ValidationError, match=refused):
            REQUEST_MODELS[operation].model_validate(case.expected)


def test_every_mes_mapping_is_used_and_has_at_least_two_cases():
    used = {e.mapping for e in CONNECTOR.inbound.events.values()}
    used |= {op.mapping for op in CONNECTOR.operations.values() if op.mapping}
    used |= {name for q in CONNECTOR.queries.values() for name in (q.params, q.response) if name}
    present = {n for n in LIBRARY.names() if n.startswith("mes/")}
    assert present == used
    for name in present:
        assert len(LIBRARY.get(name).cases) >= 2, f"{name} needs at least two test cases"


def test_the_status_query_cases_match_the_query_schemas():
    query = CONNECTOR.queries["sales_order.status"]
    for case in LIBRARY.get(query.params).cases:
        QUERIES.get("sales_order.status.request").validate(case.input["request"])
    for case in LIBRARY.get(query.response).cases:
        QUERIES.get("sales_order.status.request").validate(case.input["request"])
        QUERIES.get("sales_order.status.response").validate(case.expected)


def test_every_native_event_mes_emits_is_declared_or_ignored():
    mapped = {native: canonical for native, canonical in mes_events.CANONICAL.items() if canonical}
    assert {n: e.canonical for n, e in CONNECTOR.inbound.events.items()} == mapped
    assert set(CONNECTOR.inbound.ignore) == {n for n, c in mes_events.CANONICAL.items() if c is None}


# ----------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def mes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.mes.app import build
    folder = tmp_path_factory.mktemp("mes")
    # webhooks stay in MES's outbox (read through /_admin/webhooks): nothing listens on port 9
    settings = MockSettings.from_env("mes", database_url=f"sqlite:///{folder}/mes.db", hub_url="http://127.0.0.1:9")
    with TestClient(build(settings)) as client:
        yield client


def _released(order_no: str, item: str, start: str, end: str, sales_order: str | None) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"m-{order_no}", "source": "/connectors/mrp",
            "type": "production_order.released", "subject": order_no,
            "data": {"order_no": order_no, "item": item, "qty": 30, "uom": "PCS", "bom_version": "A",
                     "planned_start": start, "planned_end": end, "origin_sales_order": sales_order}}


def polled_work_orders(hub: DryHub, database_url: str) -> list[dict[str, Any]]:
    """The rows the hub's database poll of MES (connectors/mes.yaml) reads from the start."""
    poll = hub.registry.connectors["mes"].poll
    assert isinstance(poll, DatabaseSource)
    engine = create_engine(database_url)
    try:
        with engine.connect() as c:
            since = watermarks.since(watermarks.typed(poll.start), poll.lag, native=True)
            return [dict(r._mapping) for r in c.execute(text(poll.sql), {"watermark": since})]
    finally:
        engine.dispose()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_production_order_travels_through_mes_and_its_reports_come_back(mes, engine):
    assert mes.post("/_admin/reset").status_code == 200
    hub, outbox = DryHub("mes", engine), Outbox(mes, mes_events.envelope)

    [wo] = send(mes, hub, _released("MO-000001", "T", "2027-01-11", "2027-01-18", "SO-2026-0001"))
    assert (wo["ExternalOrderNo"], wo["PartNo"], wo["PlannedStart"]) == ("MO-000001", "P-T1200", "2027-01-11 08:00:00")
    assert hub.xref("production_order", wo["WorkOrderNo"], "mes", "mrp") == "MO-000001"
    assert [hub.inbound(b) for b in outbox.new()] == [None]  # WorkOrderCreated is ignored
    [again] = send(mes, hub, _released("MO-000001", "T", "2027-01-11", "2027-01-18", "SO-2026-0001"))
    assert again["WorkOrderNo"] == wo["WorkOrderNo"] and outbox.new() == []

    no = wo["WorkOrderNo"]
    for op, center, good, scrap in ((10, "WC-ASM", 30, 0), (20, "WC-QC", 28, 2)):
        r = mes.post(f"/api/WorkOrders/{no}/Reports",
                     json={"OperationNo": op, "WorkCenter": center, "GoodQty": good, "ScrapQty": scrap, "Operator": "OP-009"})
        assert r.status_code == 201, r.text
    mapped = [m for m in (hub.inbound(b) for b in outbox.new()) if m is not None]
    assert [env["type"] for env, _ in mapped] == [
        "production_order.progress_reported", "production_order.progress_reported", "quality.inspection.recorded"]
    [completed_row] = polled_work_orders(hub, mes.app.state.settings.database_url)   # read from MES's table
    done_and_keys = hub.inbound(completed_row, native_type="WorkOrderCompleted")
    assert done_and_keys is not None and done_and_keys[0]["type"] == "production_order.completed"
    order_keys = ["production_order:MO-000001", "sales_order:SO-2026-0001"]
    (p1, k1), (p2, k2), (final, k4) = mapped
    done, k3 = done_and_keys
    assert k1 == k2 == k3 == order_keys
    assert p2["data"]["operation"] == "20" and p2["data"]["qty_scrap"] == 2 and p2["data"]["status"] == "in_progress"
    assert done["subject"] == "MO-000001" and done["data"]["qty_good"] == 28 and done["data"]["defect_rate"] == 0.0667
    assert done["data"]["lots"] == [f"LT{no[2:]}-01"] and done["data"]["origin_sales_order"] == "SO-2026-0001"
    assert final["data"]["kind"] == "final" and final["data"]["ref_doc"] == "MO-000001"
    assert final["data"]["result"] == "fail" and final["data"]["origin_sales_order"] == "SO-2026-0001"
    assert k4 == order_keys

    def call(method: str, path: str, params: dict[str, Any]) -> Any:
        r = mes.request(method, path, params=params)
        assert r.status_code == 200, r.text
        return r.json()
    answer = hub.query("sales_order.status", {"order_no": "SO-2026-0001"}, "crm", call)
    QUERIES.get("sales_order.status.response").validate(answer)
    assert answer["production"] == [{"order_no": "MO-000001", "item": "P-T1200", "qty": 30, "qty_good": 28,
                                     "qty_scrap": 2, "status": "completed", "planned_end": "2027-01-18",
                                     "actual_end": done["data"]["actual_end"]}]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_late_component_reschedules_and_a_cancelled_sales_order_holds(mes, engine):
    assert mes.post("/_admin/reset").status_code == 200
    hub, outbox = DryHub("mes", engine), Outbox(mes, mes_events.envelope)
    [wo] = send(mes, hub, _released("MO-000002", "T", "2027-01-11", "2027-01-18", "SO-2026-0002"))
    outbox.new()

    chairs = {"specversion": "1.0", "id": "m-d0", "source": "/connectors/srm", "type": "purchase_order.delayed",
              "data": {"po_no": "PO-2026-0009", "line_no": 1, "item": "M-CHAIR-ERG", "new_date": "2027-01-20"}}
    assert hub.outbound(chairs) == []  # MES has no part for bought-in chairs
    legs = {"specversion": "1.0", "id": "m-d1", "source": "/connectors/srm", "type": "purchase_order.delayed",
            "data": {"po_no": "PO-2026-0001", "line_no": 1, "item": "M-LEG-STL", "supplier": "SUP-0001",
                     "old_date": "2027-01-08", "new_date": "2027-01-14", "reason": "供应商设备检修"}}
    [delay] = send(mes, hub, legs)
    assert [a["WorkOrderNo"] for a in delay["AffectedWorkOrders"]] == [wo["WorkOrderNo"]]
    [(moved, keys)] = [hub.inbound(b) for b in outbox.new()]
    assert moved["type"] == "production_order.rescheduled"
    assert moved["data"] == {"order_no": "MO-000002", "old_end": "2027-01-18", "new_end": "2027-01-21",
                             "reason": "供应商设备检修", "ref_doc": "PO-2026-0001/1", "item": "P-T1200",
                             "origin_sales_order": "SO-2026-0002", "old_start": "2027-01-11",
                             "new_start": "2027-01-14"}
    assert keys == ["production_order:MO-000002", "sales_order:SO-2026-0002", "purchase_order:PO-2026-0001"]

    cancelled = {"specversion": "1.0", "id": "m-c", "source": "/connectors/crm", "type": "sales_order.cancelled",
                 "data": {"order_no": "SO-2026-0002", "reason": "客户取消"}}
    [held] = send(mes, hub, cancelled)
    assert held["HeldWorkOrders"] == [wo["WorkOrderNo"]]
    assert [hub.inbound(b) for b in outbox.new()] == [None]  # WorkOrderStatusChanged is ignored


@pytest.mark.parametrize("engine", ENGINES)
def test_parts_boms_and_operators_replicate_into_mes(mes, engine):
    assert mes.post("/_admin/reset").status_code == 200
    hub = DryHub("mes", engine)
    known = {"specversion": "1.0", "id": "m-i1", "source": "/connectors/erp", "type": "item.upserted",
             "data": {"code": "100-0001", "name": "办公桌 1200", "uom": "PCS", "supply_method": "make", "status": "active"}}
    [part] = send(mes, hub, known)
    assert part["PartNo"] == "P-T1200"  # found by ERP's number, not created twice
    new = {**known, "id": "m-i2", "data": {"code": "100-0009", "name": "会议桌 2400", "uom": "PCS", "supply_method": "make"}}
    [part] = send(mes, hub, new)
    assert part["PartNo"] == "P-100-0009" and hub.xref("item", "100-0009", "erp", "mes") == "P-100-0009"
    assert hub.outbound({**new, "source": "/connectors/mrp"}) == []  # only ERP's item numbers

    bom = {"specversion": "1.0", "id": "m-b", "source": "/connectors/mrp", "type": "bom.released",
           "data": {"bom_code": "T-B", "parent_item": "T", "version": "B", "base_qty": 1,
                    "lines": [{"line_no": 10, "component": "TP", "qty": 1, "uom": "PCS"},
                              {"line_no": 20, "component": "L", "qty": 4, "uom": "PCS"},
                              {"line_no": 30, "component": "BT", "qty": 10, "uom": "PCS"}]}}
    [saved] = send(mes, hub, bom)
    assert (saved["PartNo"], saved["Version"]) == ("P-T1200", "B")
    assert [(line["ComponentPartNo"], line["Qty"]) for line in saved["Lines"]] == [
        ("P-TP1200", 1), ("P-LEG-STL", 4), ("P-BOLT-M8", 10)]

    hired = {"specversion": "1.0", "id": "m-e", "source": "/connectors/oa", "type": "employee.onboarded",
             "data": {"employee_id": "emp0010", "name": "赵磊", "department": "生产部", "position": "装配工",
                      "start_date": "2027-02-01", "roles": ["operator"]}}
    [operator] = send(mes, hub, hired)
    assert operator["EmployeeId"] == "emp0010" and operator["StartDate"] == "2027-02-01 00:00:00"
    assert hub.xref("employee", "emp0010", "oa", "mes") == operator["OperatorNo"]
    [again] = send(mes, hub, hired)
    assert again["OperatorNo"] == operator["OperatorNo"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_complaint_is_investigated_in_mes_and_its_finding_comes_back(mes, engine):
    assert mes.post("/_admin/reset").status_code == 200
    hub, outbox = DryHub("mes", engine), Outbox(mes, mes_events.envelope)
    [wo] = send(mes, hub, _released("MO-000009", "T", "2027-01-11", "2027-01-18", "SO-20261122-0001"))
    no = wo["WorkOrderNo"]
    for op, center, good, scrap in ((10, "WC-ASM", 30, 0), (20, "WC-QC", 29, 1)):
        assert mes.post(f"/api/WorkOrders/{no}/Reports", json={
            "OperationNo": op, "WorkCenter": center, "GoodQty": good, "ScrapQty": scrap,
            "Operator": "OP-009"}).status_code == 201
    outbox.new()
    opened = {"specversion": "1.0", "id": "m-c1", "source": "/connectors/crm", "type": "complaint.opened",
              "subject": "CMP-000001",
              "data": {"complaint_id": "CMP-000001", "customer": "CUS-000101", "customer_name": "上海明辉贸易有限公司",
                       "order_no": "SO-20261122-0001", "item": "PRD-DESK-1200", "severity": "high",
                       "description": "桌腿焊点开裂"}}
    [complaint] = send(mes, hub, opened, models=REQUEST_MODELS)
    assert (complaint["PartNo"], complaint["WorkOrders"], complaint["Severity"]) == ("P-T1200", [no], "High")
    assert send(mes, hub, opened) == [complaint]  # a redelivery answers with the same complaint
    assert len(complaint["Inspections"]) == 1 and outbox.new() == []

    for _ in range(2):  # the quality department takes it up, then resolves it
        assert mes.post("/_admin/simulation/tick").status_code == 200
    [(found, keys)] = [m for m in (hub.inbound(b) for b in outbox.new()) if m and m[0]["type"] == "complaint.investigated"]
    assert keys == ["complaint:CMP-000001", "sales_order:SO-20261122-0001"] and found["subject"] == "CMP-000001"
    data = found["data"]
    assert (data["disposition"], data["investigated_by"], data["production_orders"]) == ("replace", "OP-006",
                                                                                       ["MO-000009"])
    assert data["inspections"] == complaint["Inspections"] and "拒收 1/30" in data["root_cause"]
