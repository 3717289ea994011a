"""MES's quality inspections, shown on the order they were produced for (canonical quality.inspection.recorded)."""

from mocks.crm.tests.conftest import DESK, accepted, draft, events_of, ok, report

FINAL = {"inspectionNo": "QC202612060001", "kind": "final", "productionOrderNo": "MO-2026-0001",
         "productCode": DESK, "lot": "LT2026120001-01", "qtyInspected": 30, "qtyAccepted": 28, "qtyRejected": 2,
         "result": "fail", "comment": "recorded automatically at completion",
         "inspectedAt": "2026-12-06T16:42:10+08:00"}
IN_PROCESS = {"inspectionNo": "QC202612050003", "kind": "inProcess", "productionOrderNo": "MO-2026-0002",
              "qtyInspected": 40, "qtyAccepted": 39, "qtyRejected": 1, "result": "conditional",
              "inspectedAt": "2026-12-05T14:00:00+08:00"}


def test_an_inspection_is_listed_on_the_order_with_its_result_and_the_status_stays(client):
    no = accepted(client)["orderNo"]
    order = ok(report(client, no, "qualityInspection", IN_PROCESS))
    assert order["status"] == "accepted" and order["qualityResult"] == "conditional"
    order = ok(report(client, no, "qualityInspection", FINAL))
    assert order["qualityResult"] == "fail"  # the worst result is what sales hears first
    assert [(i["inspectionNo"], i["kind"], i["result"]) for i in order["qualityInspections"]] == [
        ("QC202612050003", "inProcess", "conditional"), ("QC202612060001", "final", "fail")]
    final = order["qualityInspections"][1]
    assert (final["productionOrderNo"], final["productCode"], final["lot"], final["qtyRejected"]) == (
        "MO-2026-0001", DESK, "LT2026120001-01", 2)
    assert final["inspectedAt"] == "2026-12-06T16:42:10+08:00"
    entry = order["timeline"][-1]
    assert (entry["kind"], entry["source"]) == ("qualityInspected", "mes")
    assert "QC202612060001" in entry["summary"] and "fail" in entry["summary"]
    assert len(events_of(client)) == 1  # others' news is shown, never echoed


def test_the_same_inspection_twice_changes_nothing_and_other_content_is_a_conflict(client):
    no = accepted(client)["orderNo"]
    first = ok(report(client, no, "qualityInspection", FINAL))
    assert ok(report(client, no, "qualityInspection", FINAL)) == first
    r = report(client, no, "qualityInspection", {**FINAL, "result": "pass", "qtyAccepted": 30, "qtyRejected": 0})
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("conflicting_report", "inspectionNo")
    assert len(ok(client.get(f"/api/v1/salesOrders/{no}"))["qualityInspections"]) == 1


def test_quantities_that_do_not_add_up_and_a_product_the_order_lacks_are_refused_naming_the_field(client):
    no = accepted(client)["orderNo"]
    r = report(client, no, "qualityInspection", {**FINAL, "qtyAccepted": 27})
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("quantities_do_not_add_up", "qtyInspected")
    r = report(client, no, "qualityInspection", {**FINAL, "productCode": "PRD-SOFA-1"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "productCode"
    r = report(client, no, "qualityInspection", {**FINAL, "result": "ok"})
    assert r.status_code == 422 and "result" in r.json()["error"]["field"]
    r = report(client, no, "qualityInspection", {**FINAL, "inspector": "OP-006"})
    assert r.status_code == 422  # unknown fields are refused
    assert ok(client.get(f"/api/v1/salesOrders/{no}"))["qualityInspections"] == []


def test_an_inspection_of_a_sub_assembly_without_a_crm_product_is_still_shown(client):
    no = accepted(client)["orderNo"]
    order = ok(report(client, no, "qualityInspection", IN_PROCESS))
    assert order["qualityInspections"][0]["productCode"] is None


def test_a_draft_has_no_production_to_inspect(client):
    no = draft(client)["orderNo"]
    r = report(client, no, "qualityInspection", FINAL)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_submitted"


def test_an_inspection_for_an_unknown_order_is_a_404(client):
    r = report(client, "SO-20990101-0001", "qualityInspection", FINAL)
    assert r.status_code == 404
