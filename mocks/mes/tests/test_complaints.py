"""Customer complaints: linked to their evidence, investigated and resolved by the quality department."""

from __future__ import annotations

from mocks.mes.tests.conftest import create_order, error, events, report

COMPLAINT = {"ExternalRef": "CMP-000001", "Customer": "上海明辉贸易有限公司", "SourceSalesOrder": "SO-2026-0001",
             "PartNo": "P-T1200", "Severity": "High", "Description": "桌腿焊点开裂"}
FINDING = {"RootCause": "焊接电流偏低导致桌腿虚焊", "CorrectiveAction": "调整焊接参数，焊点全检",
           "Disposition": "Replace", "Investigator": "OP-006"}


def _completed_order(client) -> dict:
    wo = create_order(client)
    assert report(client, wo["WorkOrderNo"], 10, 30).status_code == 201
    assert report(client, wo["WorkOrderNo"], 20, 28, 2).status_code == 201  # completes, Final inspection Fail
    return client.get(f"/api/WorkOrders/{wo['WorkOrderNo']}").json()


def test_a_complaint_is_linked_to_the_work_orders_and_inspections_behind_it(client):
    wo = _completed_order(client)
    r = client.post("/api/Complaints", json=COMPLAINT)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["ComplaintNo"].startswith("QN") and c["Status"] == "Open"
    [final] = client.get("/api/Inspections", params={"RefDoc": wo["WorkOrderNo"]}).json()
    assert (c["WorkOrders"], c["Inspections"]) == ([wo["WorkOrderNo"]], [final["InspectionNo"]])
    by_lot = client.post("/api/Complaints", json={"ExternalRef": "CMP-000002", "Lot": wo["Lots"][0]["LotNo"],
                                                 "Description": "桌面划伤"}).json()
    assert by_lot["WorkOrders"] == [wo["WorkOrderNo"]] and by_lot["Severity"] == "Medium"
    assert events(client, "ComplaintResolved") == []


def test_the_same_complaint_twice_is_one_complaint(client):
    first = client.post("/api/Complaints", json=COMPLAINT)
    again = client.post("/api/Complaints", json={**COMPLAINT, "Description": "再次来电"})
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    assert len(client.get("/api/Complaints").json()) == 1


def test_investigating_and_resolving_emits_the_finding_once(client):
    _completed_order(client)
    no = client.post("/api/Complaints", json=COMPLAINT).json()["ComplaintNo"]
    started = client.post(f"/api/Complaints/{no}/Investigation", json={"Investigator": "OP-006"}).json()
    assert (started["Status"], started["Investigator"]) == ("Investigating", "OP-006")
    resolved = client.post(f"/api/Complaints/{no}/Resolution", json=FINDING)
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["Status"], body["RootCause"], body["CorrectiveAction"], body["Disposition"]) == (
        "Resolved", FINDING["RootCause"], FINDING["CorrectiveAction"], "Replace")
    assert client.post(f"/api/Complaints/{no}/Resolution", json=FINDING).json() == body  # a repeat: no change
    [event] = events(client, "ComplaintResolved")
    assert (event["ComplaintNo"], event["ExternalRef"], event["SourceSalesOrder"]) == (no, "CMP-000001",
                                                                                      "SO-2026-0001")
    assert event["CorrectiveAction"] == FINDING["CorrectiveAction"] and event["Inspections"] == body["Inspections"]
    assert event["ResolvedAt"] == body["ResolvedAt"]


def test_a_resolved_complaint_keeps_its_finding(client):
    no = client.post("/api/Complaints", json=COMPLAINT).json()["ComplaintNo"]
    client.post(f"/api/Complaints/{no}/Resolution", json=FINDING)
    r = client.post(f"/api/Complaints/{no}/Resolution", json={**FINDING, "Disposition": "Credit"})
    assert r.status_code == 409 and error(r)["code"] == "already_resolved"
    r = client.post(f"/api/Complaints/{no}/Investigation", json={"Investigator": "OP-006"})
    assert r.status_code == 409 and error(r)["code"] == "illegal_transition" and "Resolved" in error(r)["message"]
    assert client.get(f"/api/Complaints/{no}").json()["Disposition"] == "Replace"


def test_only_quality_staff_investigate_and_every_field_is_named(client):
    no = client.post("/api/Complaints", json=COMPLAINT).json()["ComplaintNo"]
    r = client.post(f"/api/Complaints/{no}/Resolution", json={**FINDING, "Investigator": "OP-009"})
    assert r.status_code == 422 and (error(r)["code"], error(r)["field"]) == ("not_quality_staff", "Investigator")
    r = client.post(f"/api/Complaints/{no}/Resolution", json={**FINDING, "Investigator": "OP-999"})
    assert r.status_code == 422 and error(r)["field"] == "Investigator"
    r = client.post(f"/api/Complaints/{no}/Resolution", json={**FINDING, "CorrectiveAction": ""})
    assert r.status_code == 422 and "CorrectiveAction" in error(r)["field"]
    r = client.post(f"/api/Complaints/{no}/Resolution", json={**FINDING, "Disposition": "Refund"})
    assert r.status_code == 422 and "Disposition" in error(r)["field"]
    r = client.post("/api/Complaints", json={**COMPLAINT, "ExternalRef": "CMP-9", "PartNo": "P-NOPE"})
    assert r.status_code == 422 and (error(r)["code"], error(r)["field"]) == ("unknown_part", "PartNo")
    r = client.post("/api/Complaints", json={**COMPLAINT, "ExternalRef": "CMP-9", "Severity": "high"})
    assert r.status_code == 422 and "Severity" in error(r)["field"]
    assert client.post("/api/Complaints/QN-NOPE/Resolution", json=FINDING).status_code == 404
    assert events(client, "ComplaintResolved") == []


def test_the_simulation_investigates_then_resolves_from_the_evidence(client):
    _completed_order(client)
    no = client.post("/api/Complaints", json=COMPLAINT).json()["ComplaintNo"]
    first = client.post("/_admin/simulation/tick").json()["result"]
    assert first["Investigating"] == [no] and first["Resolved"] == []
    second = client.post("/_admin/simulation/tick").json()["result"]
    assert second["Resolved"] == [no]
    c = client.get(f"/api/Complaints/{no}").json()
    assert (c["Status"], c["Investigator"], c["Disposition"]) == ("Resolved", "OP-006", "Replace")
    assert "拒收 2/30" in c["RootCause"] and c["CorrectiveAction"]
    assert len(events(client, "ComplaintResolved")) == 1
