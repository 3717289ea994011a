"""Creating work orders from released production orders, and finding them."""

from __future__ import annotations

import re

from mocks.mes.tests.conftest import END, START, create_order, error, events, order_body


def test_a_released_production_order_becomes_a_work_order_with_operations_from_the_routing(client):
    wo = create_order(client)
    assert re.fullmatch(r"WO\d{6}\d{4}", wo["WorkOrderNo"])
    assert wo["Status"] == "Released"
    assert (wo["ExternalOrderNo"], wo["SourceSalesOrder"]) == ("MO-2026-0001", "SO-2026-0001")
    assert (wo["PlannedStart"], wo["PlannedEnd"]) == (START, END)
    assert [(o["OperationNo"], o["WorkCenter"]) for o in wo["Operations"]] == [(10, "WC-ASM"), (20, "WC-QC")]
    [created] = events(client, "WorkOrderCreated")
    assert created["WorkOrderNo"] == wo["WorkOrderNo"] and created["ExternalOrderNo"] == "MO-2026-0001"


def test_work_order_numbers_count_up_within_the_month(client):
    first = create_order(client)["WorkOrderNo"]
    second = create_order(client, ExternalOrderNo="MO-2026-0002")["WorkOrderNo"]
    assert second[:8] == first[:8] and int(second[8:]) == int(first[8:]) + 1


def test_a_repeated_external_order_no_returns_the_existing_work_order(client):
    first = create_order(client)
    again = client.post("/api/WorkOrders", json=order_body(PlannedQty=99))
    assert again.status_code == 200
    assert again.json()["WorkOrderNo"] == first["WorkOrderNo"] and again.json()["PlannedQty"] == 30
    assert len(client.get("/api/WorkOrders").json()) == 1
    assert len(events(client, "WorkOrderCreated")) == 1


def test_a_sub_assembly_gets_its_own_three_step_routing(client):
    wo = create_order(client, PartNo="P-TP1200", SourceSalesOrder=None)
    assert [o["WorkCenter"] for o in wo["Operations"]] == ["WC-CUT", "WC-EDGE", "WC-DRL"]
    assert wo["SourceSalesOrder"] is None


def test_an_unknown_part_is_refused_naming_part_no(client):
    r = client.post("/api/WorkOrders", json=order_body(PartNo="P-NOPE"))
    assert r.status_code == 422 and error(r)["field"] == "PartNo" and error(r)["code"] == "unknown_part"


def test_a_bought_part_cannot_become_a_work_order(client):
    r = client.post("/api/WorkOrders", json=order_body(PartNo="P-LEG-STL"))
    assert r.status_code == 422 and error(r)["code"] == "no_routing" and error(r)["field"] == "PartNo"


def test_a_planned_qty_of_zero_or_less_is_refused_naming_planned_qty(client):
    for qty in (0, -5):
        r = client.post("/api/WorkOrders", json=order_body(PlannedQty=qty))
        assert r.status_code == 422 and error(r)["field"] == "PlannedQty"


def test_an_end_before_the_start_is_refused_naming_planned_end(client):
    r = client.post("/api/WorkOrders", json=order_body(PlannedEnd="2026-03-01 17:00:00"))
    assert r.status_code == 422
    assert error(r)["field"] == "PlannedEnd" and error(r)["code"] == "end_before_start"


def test_dates_must_be_local_plant_time_without_offset(client):
    r = client.post("/api/WorkOrders", json=order_body(PlannedStart="2026-03-02T00:00:00Z"))
    assert r.status_code == 422 and error(r)["field"] == "PlannedStart"
    assert "yyyy-MM-dd HH:mm:ss" in error(r)["message"]


def test_an_unknown_bom_version_or_wrong_unit_is_refused_naming_the_field(client):
    r = client.post("/api/WorkOrders", json=order_body(BomVersion="Z"))
    assert r.status_code == 422 and error(r)["field"] == "BomVersion"
    r = client.post("/api/WorkOrders", json=order_body(Uom="KG"))
    assert r.status_code == 422 and error(r)["field"] == "Uom"


def test_an_unknown_field_is_refused_rather_than_ignored(client):
    r = client.post("/api/WorkOrders", json=order_body(order_no="x"))
    assert r.status_code == 422 and error(r)["field"] == "order_no"


def test_work_orders_are_found_by_source_sales_order(client):
    a = create_order(client)
    create_order(client, ExternalOrderNo="MO-2026-0002", SourceSalesOrder="SO-2026-0009")
    found = client.get("/api/WorkOrders", params={"SourceSalesOrder": "SO-2026-0001"}).json()
    assert [w["WorkOrderNo"] for w in found] == [a["WorkOrderNo"]]
    one = client.get(f"/api/WorkOrders/{a['WorkOrderNo']}").json()
    assert one["Status"] == "Released" and one["ProgressPct"] == 0.0


def test_an_unknown_work_order_is_404_naming_it(client):
    r = client.get("/api/WorkOrders/WO2099010001")
    assert r.status_code == 404 and error(r)["field"] == "WorkOrderNo"


def test_a_repeated_idempotency_key_creates_the_work_order_once(client):
    headers = {"Idempotency-Key": "mrp-release-MO-7"}
    first = client.post("/api/WorkOrders", json=order_body(ExternalOrderNo="MO-7"), headers=headers)
    again = client.post("/api/WorkOrders", json=order_body(ExternalOrderNo="MO-7"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 1}
    assert len(events(client, "WorkOrderCreated")) == 1
