"""Progress reports per operation, the status life cycle, and completion."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import create_engine, text

from mocks.mes.tests.conftest import create_order, error, events, report
from mocks.mes.timefmt import now_local


def test_a_first_progress_report_starts_the_order_and_emits_work_order_progress(client):
    no = create_order(client)["WorkOrderNo"]
    r = report(client, no, 10, good=12, scrap=1)
    assert r.status_code == 201
    wo = r.json()["WorkOrder"]
    assert wo["Status"] == "InProgress" and wo["ActualStart"] is not None
    assert (wo["Operations"][0]["GoodQty"], wo["Operations"][0]["ScrapQty"]) == (12, 1)
    [progress] = events(client, "WorkOrderProgress")
    assert progress["WorkOrderNo"] == no and progress["OperationNo"] == 10
    assert progress["WorkCenter"] == "WC-ASM"
    assert (progress["GoodQty"], progress["ScrapQty"]) == (12, 1)
    assert progress["ExternalOrderNo"] == "MO-2026-0001"
    assert len(progress["ReportedAt"]) == 19 and "T" not in progress["ReportedAt"]
    assert [e["Status"] for e in events(client, "WorkOrderStatusChanged")] == ["InProgress"]


def test_good_qty_above_planned_plus_tolerance_is_refused(client):
    no = create_order(client, PlannedQty=100)["WorkOrderNo"]
    assert report(client, no, 10, good=105).status_code == 201  # 5 % tolerance
    r = report(client, no, 10, good=1)
    assert r.status_code == 422 and error(r)["field"] == "GoodQty" and "105" in error(r)["message"]


def test_a_later_operation_cannot_process_more_than_the_previous_passed_on(client):
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=10)
    r = report(client, no, 20, good=11)
    assert r.status_code == 422 and error(r)["field"] == "GoodQty"
    assert report(client, no, 20, good=9, scrap=1).status_code == 201


def test_a_report_on_an_unknown_operation_work_center_or_operator_names_the_field(client):
    no = create_order(client)["WorkOrderNo"]
    assert error(report(client, no, 30, good=1))["field"] == "OperationNo"
    assert error(report(client, no, 10, good=1, operator="OP-404"))["field"] == "Operator"
    r = client.post(f"/api/WorkOrders/{no}/Reports",
                    json={"OperationNo": 10, "WorkCenter": "WC-QC", "GoodQty": 1, "Operator": "OP-009"})
    assert r.status_code == 422 and error(r)["field"] == "WorkCenter"
    assert error(report(client, no, 10, good=0))["field"] == "GoodQty"
    assert events(client, "WorkOrderProgress") == []


def test_completing_a_released_order_is_a_conflict_naming_the_current_status(client):
    no = create_order(client)["WorkOrderNo"]
    r = client.post(f"/api/WorkOrders/{no}/Complete", json={"GoodQty": 30})
    assert r.status_code == 409
    assert error(r)["code"] == "illegal_transition" and "is Released" in error(r)["message"]
    r = client.post(f"/api/WorkOrders/{no}/Close")
    assert r.status_code == 409 and "is Released" in error(r)["message"]


def test_an_order_on_hold_takes_no_reports_until_it_resumes_where_it_was(client):
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=5)
    held = client.post(f"/api/WorkOrders/{no}/Hold", json={"Reason": "fixture broken"}).json()
    assert held["Status"] == "OnHold" and held["HoldReason"] == "fixture broken"
    r = report(client, no, 10, good=5)
    assert r.status_code == 409 and "is OnHold" in error(r)["message"]
    assert client.post(f"/api/WorkOrders/{no}/Hold").status_code == 409
    assert client.post(f"/api/WorkOrders/{no}/Resume").json()["Status"] == "InProgress"
    assert report(client, no, 10, good=5).status_code == 201


def test_the_last_operation_reporting_everything_completes_the_order(client):
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=28, scrap=2)
    done = report(client, no, 20, good=27, scrap=1).json()["WorkOrder"]
    assert done["Status"] == "Completed" and done["ProgressPct"] == 100.0
    assert (done["GoodQty"], done["ScrapQty"], done["DefectRate"]) == (27, 3, 0.1)
    assert done["Lots"] == [{"LotNo": f"LT{no[2:]}-01", "Qty": 27}]
    assert done["ActualStart"] <= done["ActualEnd"]
    assert events(client, "WorkOrderCompleted") == [], "a completion is read from the work-order table"


def test_a_completed_order_is_in_the_work_order_table_stamped_with_when_it_changed(client, settings):
    before = now_local()
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=28, scrap=2)
    report(client, no, 20, good=27, scrap=1)
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as c:
            row = c.execute(text(COMPLETED_SQL), {"since": before - timedelta(seconds=1)}).one()._mapping
    finally:
        engine.dispose()
    assert (row["work_order_no"], row["status"], row["good_qty"], row["scrap_qty"]) == (no, "Completed", 27, 3)
    assert row["source_sales_order"] == "SO-2026-0001" and row["defect_rate"] == 0.1
    assert json.loads(row["lots"]) == [{"LotNo": f"LT{no[2:]}-01", "Qty": 27}]
    assert str(row["updated_at"]) >= str(before)


COMPLETED_SQL = ("SELECT work_order_no, status, good_qty, scrap_qty, defect_rate, lots, source_sales_order, "
                 "updated_at FROM mes_work_orders WHERE status = 'Completed' AND updated_at > :since")


def test_completion_records_a_final_inspection_automatically(client):
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=30)
    report(client, no, 20, good=30)
    [final] = client.get("/api/Inspections", params={"RefDoc": no}).json()
    assert final["Kind"] == "Final" and final["Result"] == "Pass" and final["Lot"] == f"LT{no[2:]}-01"
    assert (final["QtyInspected"], final["QtyAccepted"], final["QtyRejected"]) == (30, 30, 0)
    assert [e["InspectionNo"] for e in events(client, "InspectionRecorded")] == [final["InspectionNo"]]


def test_manual_completion_uses_the_given_quantities_and_rounds_the_defect_rate_to_4_places(client):
    no = create_order(client)["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{no}/Start")
    done = client.post(f"/api/WorkOrders/{no}/Complete", json={"GoodQty": 29, "ScrapQty": 1}).json()
    assert done["Status"] == "Completed" and done["DefectRate"] == 0.0333  # 1/30 = 0.03333…
    assert client.post(f"/api/WorkOrders/{no}/Complete").status_code == 409
    r = report(client, no, 10, good=1)
    assert r.status_code == 409 and "is Completed" in error(r)["message"]


def test_completing_more_than_planned_plus_tolerance_is_refused(client):
    no = create_order(client)["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{no}/Start")
    r = client.post(f"/api/WorkOrders/{no}/Complete", json={"GoodQty": 40})
    assert r.status_code == 422 and error(r)["field"] == "GoodQty"


def test_a_completed_order_closes_and_then_nothing_more_happens(client):
    no = create_order(client)["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{no}/Start")
    client.post(f"/api/WorkOrders/{no}/Complete", json={"GoodQty": 30})
    assert client.post(f"/api/WorkOrders/{no}/Close").json()["Status"] == "Closed"
    for action in ("Start", "Hold", "Resume", "Complete", "Close"):
        r = client.post(f"/api/WorkOrders/{no}/{action}")
        assert r.status_code == 409 and "is Closed" in error(r)["message"], action


def test_reports_are_listed_per_work_order(client):
    no = create_order(client)["WorkOrderNo"]
    report(client, no, 10, good=3)
    report(client, no, 10, good=4, scrap=1, operator="OP-005")
    reports = client.get(f"/api/WorkOrders/{no}/Reports").json()
    assert [(r["GoodQty"], r["ScrapQty"], r["Operator"]) for r in reports] == [(3, 0, "OP-009"), (4, 1, "OP-005")]


def test_a_repeated_report_with_the_same_idempotency_key_is_booked_once(client):
    no = create_order(client)["WorkOrderNo"]
    body = {"OperationNo": 10, "GoodQty": 5, "Operator": "OP-009"}
    for _ in range(3):
        r = client.post(f"/api/WorkOrders/{no}/Reports", json=body, headers={"Idempotency-Key": "term-7-0001"})
        assert r.status_code == 201
    assert client.get(f"/api/WorkOrders/{no}").json()["Operations"][0]["GoodQty"] == 5
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 2}
    assert len(events(client, "WorkOrderProgress")) == 1


def test_a_cancelled_sales_order_puts_its_open_work_orders_on_hold(client):
    a = create_order(client)["WorkOrderNo"]
    create_order(client, ExternalOrderNo="MO-2026-0002", SourceSalesOrder="SO-OTHER")
    body = {"SourceSalesOrder": "SO-2026-0001", "Reason": "customer cancelled"}
    assert client.post("/api/SalesOrderCancellations", json=body).json()["HeldWorkOrders"] == [a]
    assert client.post("/api/SalesOrderCancellations", json=body).json()["HeldWorkOrders"] == []
    statuses = {w["SourceSalesOrder"]: w["Status"] for w in client.get("/api/WorkOrders").json()}
    assert statuses == {"SO-2026-0001": "OnHold", "SO-OTHER": "Released"}
