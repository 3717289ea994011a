"""Seed data from the shared company, and master data the hub hands over."""

from __future__ import annotations

from mocks.common import company
from mocks.mes.tests.conftest import create_order, error


def test_the_seed_has_the_company_parts_routings_boms_and_operators_but_no_work_orders(client):
    parts = {p["PartNo"]: p for p in client.get("/api/Parts").json()}
    assert set(parts) == {i["ids"]["mes"] for i in company.ITEMS if i["ids"]["mes"]}
    assert parts["P-T1200"]["ExternalItemNo"] == "100-0001" and parts["P-T1200"]["MakeOrBuy"] == "Make"
    assert [s["WorkCenter"] for s in parts["P-TP1200"]["Routing"]] == ["WC-CUT", "WC-EDGE", "WC-DRL"]
    bom = client.get("/api/Boms/P-T1200/A").json()
    assert [(line["ComponentPartNo"], line["Qty"]) for line in bom["Lines"]] == [
        ("P-TP1200", 1), ("P-LEG-STL", 4), ("P-BOLT-M8", 8)]
    assert [o["OperatorNo"] for o in client.get("/api/Operators").json()] == ["OP-005", "OP-006", "OP-009"]
    assert client.get("/api/WorkOrders").json() == []


def test_a_released_bom_version_is_upserted_and_can_be_used_by_work_orders(client):
    body = {"BomCode": "BOM-100-0001-B", "PartNo": "P-T1200", "Version": "B",
            "EffectiveFrom": "2026-04-01 00:00:00",
            "Lines": [{"ComponentPartNo": "P-TP1200", "Qty": 1}, {"ComponentPartNo": "P-LEG-STL", "Qty": 4}]}
    assert client.post("/api/Boms", json=body).status_code == 201
    body["Lines"].append({"ComponentPartNo": "P-BOLT-M8", "Qty": 6})
    again = client.post("/api/Boms", json=body)
    assert again.status_code == 200 and len(again.json()["Lines"]) == 3
    assert [b["Version"] for b in client.get("/api/Boms", params={"PartNo": "P-T1200"}).json()] == ["A", "B"]
    assert create_order(client, BomVersion="B")["BomVersion"] == "B"


def test_a_bom_with_an_unknown_component_names_the_line(client):
    r = client.post("/api/Boms", json={"PartNo": "P-T1200", "Version": "C",
                                       "Lines": [{"ComponentPartNo": "P-TP1200", "Qty": 1},
                                                 {"ComponentPartNo": "P-GLUE", "Qty": 1}]})
    assert r.status_code == 422 and error(r)["field"] == "Lines.1.ComponentPartNo"
    r = client.post("/api/Boms", json={"PartNo": "P-T1200", "Version": "C", "Lines": []})
    assert r.status_code == 422 and error(r)["field"] == "Lines"


def test_an_onboarded_employee_becomes_an_operator_once(client):
    body = {"EmployeeId": "zhaoliu", "Name": "赵六", "Department": "生产部", "Position": "装配工",
            "Roles": ["operator"], "StartDate": "2026-03-01"}
    first = client.post("/api/Operators", json=body)
    again = client.post("/api/Operators", json=body | {"Shift": "Night"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["OperatorNo"] == again.json()["OperatorNo"] == "OP-010"
    assert again.json()["Shift"] == "Night" and again.json()["StartDate"] == "2026-03-01 00:00:00"
    no = create_order(client)["WorkOrderNo"]
    r = client.post(f"/api/WorkOrders/{no}/Reports", json={"OperationNo": 10, "GoodQty": 1, "Operator": "OP-010"})
    assert r.status_code == 201


def test_an_item_from_erp_becomes_a_part_numbered_from_its_item_code(client):
    body = {"ExternalItemNo": "100-0009", "Description": "会议桌", "Uom": "PCS", "MakeOrBuy": "Make"}
    first = client.post("/api/Parts", json=body)
    again = client.post("/api/Parts", json=body | {"Description": "会议桌 2400"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["PartNo"] == "P-100-0009" and again.json()["Description"] == "会议桌 2400"
    r = client.post("/api/WorkOrders", json={"ExternalOrderNo": "MO-X", "PartNo": "P-100-0009", "PlannedQty": 1,
                                             "PlannedStart": "2026-03-02", "PlannedEnd": "2026-03-03"})
    assert r.status_code == 422 and error(r)["code"] == "no_routing"


def test_an_external_id_already_bound_to_another_record_is_a_conflict(client):
    r = client.post("/api/Parts", json={"PartNo": "P-NEW", "ExternalItemNo": "300-0001", "Description": "x",
                                        "Uom": "PCS", "MakeOrBuy": "Make"})
    assert r.status_code == 409 and error(r)["field"] == "ExternalItemNo"
    r = client.post("/api/Operators", json={"OperatorNo": "OP-077", "EmployeeId": "wutao", "Name": "吴涛"})
    assert r.status_code == 409 and error(r)["field"] == "OperatorNo"


def test_unknown_master_data_in_a_path_is_404(client):
    assert client.get("/api/Parts/P-NOPE").status_code == 404
    assert client.get("/api/Boms/P-T1200/Z").status_code == 404
    assert client.get("/api/Operators/OP-404").status_code == 404
