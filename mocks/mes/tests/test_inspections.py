"""Quality inspections: results, quantity rule, references."""

from __future__ import annotations

from mocks.mes.tests.conftest import create_order, error, events


def inspect(client, **overrides):
    body = {"Kind": "Incoming", "RefDoc": "PO-2026-0001", "PartNo": "P-LEG-STL", "Lot": "K240301",
            "QtyInspected": 100, "QtyAccepted": 100, "QtyRejected": 0, "Inspector": "OP-006"}
    body.update(overrides)
    return client.post("/api/Inspections", json=body)


def test_the_result_follows_from_the_rejected_share(client):
    results = [inspect(client, QtyAccepted=a, QtyRejected=100 - a).json()["Result"] for a in (100, 95, 94)]
    assert results == ["Pass", "Conditional", "Fail"]


def test_an_inspection_emits_inspection_recorded_with_its_own_number(client):
    r = inspect(client, QtyAccepted=97, QtyRejected=3)
    assert r.status_code == 201
    insp = r.json()
    assert insp["InspectionNo"].startswith("QC") and len(insp["InspectionNo"]) == 14
    [event] = events(client, "InspectionRecorded")
    assert event["InspectionNo"] == insp["InspectionNo"]
    assert (event["Kind"], event["RefDoc"], event["Lot"], event["Result"]) == (
        "Incoming", "PO-2026-0001", "K240301", "Conditional")
    assert (event["QtyInspected"], event["QtyAccepted"], event["QtyRejected"]) == (100, 97, 3)


def test_accepted_plus_rejected_must_equal_inspected(client):
    r = inspect(client, QtyAccepted=90, QtyRejected=5)
    assert r.status_code == 422 and error(r)["field"] == "QtyInspected"
    assert error(r)["code"] == "quantities_do_not_add_up"
    assert events(client, "InspectionRecorded") == []


def test_an_unknown_kind_part_or_inspector_is_refused_naming_the_field(client):
    assert error(inspect(client, Kind="Outgoing"))["field"] == "Kind"
    assert error(inspect(client, PartNo="P-NOPE"))["field"] == "PartNo"
    assert error(inspect(client, Inspector="OP-404"))["field"] == "Inspector"


def test_in_process_inspections_refer_to_a_work_order_of_the_same_part(client):
    no = create_order(client)["WorkOrderNo"]
    r = inspect(client, Kind="InProcess", RefDoc="WO2099010001", PartNo="P-T1200", QtyInspected=5,
                QtyAccepted=5)
    assert r.status_code == 422 and error(r)["field"] == "RefDoc"
    r = inspect(client, Kind="InProcess", RefDoc=no, PartNo="P-TP1200", QtyInspected=5, QtyAccepted=5)
    assert r.status_code == 422 and error(r)["field"] == "PartNo"
    r = inspect(client, Kind="InProcess", RefDoc=no, PartNo="P-T1200", QtyInspected=5, QtyAccepted=5)
    assert r.status_code == 201 and r.json()["RefDoc"] == no


def test_a_repeated_external_ref_returns_the_first_inspection(client):
    first = inspect(client, ExternalRef="WMS-QI-0001")
    again = inspect(client, ExternalRef="WMS-QI-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["InspectionNo"] == first.json()["InspectionNo"]
    assert len(client.get("/api/Inspections").json()) == 1
    assert client.get(f"/api/Inspections/{first.json()['InspectionNo']}").status_code == 200
    assert client.get("/api/Inspections/QC000").status_code == 404
