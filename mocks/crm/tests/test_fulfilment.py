"""What ERP, MES and WMS report through the hub, shown on the order — each report idempotent in effect."""

from mocks.crm.tests.conftest import CHAIR, DESK, NANFANG, accepted, draft, events_of, ok, report, submitted

PROGRESS = {"productionOrderNo": "MO-2026-0001", "operation": "10", "workCenter": "WC-ASM",
            "qtyGood": 6, "qtyScrap": 0, "reportedAt": "2026-12-05T10:00:00+08:00"}
COMPLETION = {"productionOrderNo": "MO-2026-0001", "qtyGood": 10, "qtyScrap": 1, "defectRate": 0.0909,
              "lots": ["LOT-20261206-01"], "completedAt": "2026-12-06T16:30:00+08:00"}
SHIPMENT = {"shipmentNo": "SHP-000045", "carrier": "顺丰速运", "trackingNo": "SF1234567890",
            "shippedAt": "2026-12-08T09:15:00+08:00", "lines": [{"productCode": DESK, "quantity": 10}]}
INVOICE = {"invoiceNo": "INV-2026-0088", "amountUntaxed": 16371.68, "tax": 2128.32, "total": 18500.0,
           "dueDate": "2027-01-07"}


def test_the_whole_order_to_cash_story_is_shown_on_the_order(client):
    no = accepted(client)["orderNo"]
    ok(report(client, no, "confirmation", {"lines": [{"lineNo": 1, "promisedDate": "2026-12-18"}],
                                           "erpOrderNo": "SO2026000123"}))
    assert ok(report(client, no, "productionProgress", PROGRESS))["status"] == "inProduction"
    ok(report(client, no, "productionCompletion", COMPLETION))
    assert ok(report(client, no, "shipment", SHIPMENT))["status"] == "shipped"
    assert ok(report(client, no, "invoice", INVOICE))["status"] == "invoiced"
    half = ok(report(client, no, "payment", {"paymentNo": "PAY-1", "amount": 10000, "invoiceNo": "INV-2026-0088"}))
    assert half["paidAmount"] == 10000 and half["paid"] is False
    order = ok(report(client, no, "payment", {"paymentNo": "PAY-2", "amount": 8500}))

    assert order["creditStatus"] == "accepted" and order["creditLimit"] == 500000
    assert order["externalRefs"] == {"erp": "SO2026000123"} and order["lines"][0]["promisedDate"] == "2026-12-18"
    assert (order["productionStatus"], order["producedQty"], order["scrapQty"], order["defectRate"]) == (
        "completed", 10, 1, 0.0909)
    assert order["productionOrders"][0]["productionOrderNo"] == "MO-2026-0001"
    assert (order["trackingNo"], order["carrier"], order["shippedAt"]) == (
        "SF1234567890", "顺丰速运", "2026-12-08T09:15:00+08:00")
    assert (order["invoiceNo"], order["invoiceTotal"], order["invoiceDueDate"]) == (
        "INV-2026-0088", 18500.0, "2027-01-07")
    assert order["paidAmount"] == 18500.0 and order["paid"] is True
    assert [e["kind"] for e in order["timeline"]] == [
        "created", "submitted", "creditAccepted", "confirmed", "productionProgress", "productionCompleted",
        "shipped", "invoiced", "paymentReceived", "paymentReceived"]
    assert {e["source"] for e in order["timeline"][4:7]} == {"mes", "wms"}
    assert len(events_of(client)) == 1  # only the CRM's own salesOrder.submitted: the rest is others' news


def test_a_blocked_credit_result_keeps_the_reason_visible_and_a_recheck_can_accept(client):
    no = submitted(client, customer=NANFANG)["orderNo"]
    r = report(client, no, "creditResult", {"result": "blocked"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    blocked = ok(report(client, no, "creditResult", {"result": "blocked", "reason": "overdue receivables 12000.00",
                                                     "exposure": 63500, "creditLimit": 200000,
                                                     "overdueAmount": 12000}))
    assert (blocked["status"], blocked["creditStatus"], blocked["creditReason"], blocked["overdueAmount"]) == (
        "blocked", "blocked", "overdue receivables 12000.00", 12000)
    r = report(client, no, "productionProgress", PROGRESS)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_in_production"
    again = ok(report(client, no, "creditResult", {"result": "accepted", "exposure": 51500, "creditLimit": 200000,
                                                   "overdueAmount": 0}))
    assert again["status"] == "accepted" and again["creditReason"] is None
    assert [e["kind"] for e in again["timeline"]][-2:] == ["creditBlocked", "creditAccepted"]


def test_a_credit_result_for_a_draft_is_an_illegal_transition(client):
    no = draft(client)["orderNo"]
    r = report(client, no, "creditResult", {"result": "accepted"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert "draft → accepted" in r.json()["error"]["message"]


def test_every_hub_report_sent_twice_changes_nothing_the_second_time(client):
    no = accepted(client)["orderNo"]
    steps = [("creditResult", {"result": "accepted", "exposure": 80000, "creditLimit": 500000, "overdueAmount": 0}),
             ("confirmation", {"lines": [{"lineNo": 2, "promisedDate": "2026-12-15"}]}),
             ("productionProgress", PROGRESS), ("productionCompletion", COMPLETION), ("shipment", SHIPMENT),
             ("invoice", INVOICE), ("payment", {"paymentNo": "PAY-9", "amount": 500})]
    for path, body in steps:
        first = ok(report(client, no, path, body))
        again = ok(report(client, no, path, body))
        assert again == first, path
    assert ok(client.get(f"/api/v1/salesOrders/{no}"))["paidAmount"] == 500


def test_the_same_shipment_number_with_different_content_is_a_conflict_not_an_overwrite(client):
    no = accepted(client)["orderNo"]
    ok(report(client, no, "shipment", SHIPMENT))
    r = report(client, no, "shipment", {**SHIPMENT, "trackingNo": "SF0000000000"})
    assert r.status_code == 409
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("conflicting_report", "shipmentNo")
    assert ok(client.get(f"/api/v1/salesOrders/{no}"))["trackingNo"] == "SF1234567890"


def test_an_order_of_bought_in_goods_ships_straight_from_accepted(client):
    no = accepted(client)["orderNo"]
    shipped = ok(report(client, no, "shipment", {**SHIPMENT, "lines": [{"productCode": CHAIR, "quantity": 10}]}))
    assert shipped["status"] == "shipped" and shipped["productionStatus"] == "notStarted"


def test_shipping_a_product_that_is_not_on_the_order_names_the_line(client):
    no = accepted(client)["orderNo"]
    r = report(client, no, "shipment", {**SHIPMENT, "lines": [{"productCode": "PRD-SOFA-1", "quantity": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.productCode"


def test_invoice_needs_a_shipment_and_payment_needs_the_orders_invoice(client):
    no = accepted(client)["orderNo"]
    r = report(client, no, "invoice", INVOICE)
    assert r.status_code == 409 and "accepted → invoiced is not allowed" in r.json()["error"]["message"]
    r = report(client, no, "payment", {"paymentNo": "PAY-1", "amount": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_invoiced"
    ok(report(client, no, "shipment", SHIPMENT))
    ok(report(client, no, "invoice", INVOICE))
    r = report(client, no, "invoice", {**INVOICE, "invoiceNo": "INV-OTHER"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_invoiced"
    r = report(client, no, "payment", {"paymentNo": "PAY-1", "amount": 100, "invoiceNo": "INV-OTHER"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "invoiceNo"


def test_a_late_progress_report_does_not_roll_back_newer_figures(client):
    no = accepted(client)["orderNo"]
    ok(report(client, no, "productionProgress", {**PROGRESS, "operation": "20", "qtyGood": 9,
                                                 "reportedAt": "2026-12-05T15:00:00+08:00"}))
    order = ok(report(client, no, "productionProgress", PROGRESS))  # older, arrives late
    assert order["producedQty"] == 9 and order["productionOrders"][0]["operation"] == "20"
    assert [e["kind"] for e in order["timeline"]].count("productionProgress") == 2


def test_the_defect_rate_is_computed_when_mes_sends_none_and_must_be_a_fraction(client):
    no = accepted(client)["orderNo"]
    r = report(client, no, "productionCompletion", {**COMPLETION, "defectRate": 9.09})
    assert r.status_code == 422 and r.json()["error"]["field"] == "defectRate"
    body = {k: v for k, v in COMPLETION.items() if k != "defectRate"} | {"qtyGood": 48, "qtyScrap": 2}
    assert ok(report(client, no, "productionCompletion", body))["defectRate"] == 0.04


def test_a_confirmation_naming_a_line_the_order_lacks_is_a_422(client):
    no = accepted(client)["orderNo"]
    r = report(client, no, "confirmation", {"lines": [{"lineNo": 7, "promisedDate": "2026-12-18"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.lineNo"


def test_a_rescheduled_production_order_shows_its_new_end(client):
    no = accepted(client)["orderNo"]
    order = ok(report(client, no, "productionReschedule", {
        "productionOrderNo": "MO-2026-0001", "newEnd": "2026-12-10T02:00:00Z", "reason": "legs delayed"}))
    assert order["productionOrders"][0]["plannedEnd"] == "2026-12-10T10:00:00+08:00"
    assert order["productionOrders"][0]["status"] == "planned" and order["status"] == "accepted"


def test_a_report_for_an_unknown_order_is_a_404_naming_order_no(client):
    for path, body in (("creditResult", {"result": "accepted"}), ("shipment", SHIPMENT)):
        r = report(client, "SO-20260101-9999", path, body)
        assert r.status_code == 404 and r.json()["error"]["field"] == "orderNo", path
