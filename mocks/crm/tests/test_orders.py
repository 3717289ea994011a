"""Sales orders as the salesperson drives them: draft, edit, submit, cancel."""

from mocks.crm import clock
from mocks.crm.tests.conftest import CHAIR, DESK, MINGHUI, accepted, draft, events_of, ok, report, submitted


def test_a_draft_is_numbered_per_day_priced_from_the_list_and_stays_inside_the_crm(client):
    order = draft(client)
    assert order["orderNo"] == f"SO-{clock.today():%Y%m%d}-0001"
    assert draft(client)["orderNo"].endswith("-0002")
    assert order["status"] == "draft" and order["salespersonId"] == "USR-0003"  # the account owner
    chair = order["lines"][1]
    assert chair["unitPrice"] == 650.0 and chair["lineAmount"] == 6500.0
    assert order["totalAmount"] == 10 * 1200 + 6500
    assert events_of(client) == []


def test_submitting_emits_sales_order_submitted_with_customer_lines_currency_total_and_salesperson(client):
    order = submitted(client)
    assert order["status"] == "submitted" and order["creditStatus"] == "pending"
    [event] = events_of(client, "salesOrder.submitted")
    data = event["data"]
    assert data["orderNo"] == order["orderNo"] and data["customerId"] == MINGHUI
    assert data["currency"] == "CNY" and data["totalAmount"] == 18500.0
    assert data["salesperson"] == {"userId": "USR-0003", "employeeNo": "E003", "name": "李强"}
    assert data["lines"][0] == {"lineNo": 1, "productCode": DESK, "uom": "PCS", "quantity": 10.0,
                                "unitPrice": 1200.0, "lineAmount": 12000.0, "requiredDate": "2026-12-20"}
    assert data["submittedAt"].endswith("+08:00")


BAD_LINES = [
    ({"productCode": DESK, "quantity": 0}, "lines.0.quantity", "invalid_request"),
    ({"productCode": DESK, "quantity": -3}, "lines.0.quantity", "invalid_request"),
    ({"productCode": DESK, "quantity": 2.5}, "lines.0.quantity", "whole_units_only"),
    ({"productCode": "PRD-SOFA-9", "quantity": 1}, "lines.0.productCode", "unknown_product"),
]


def test_a_bad_order_line_is_a_422_naming_the_field(client):
    for line, field, code in BAD_LINES:
        r = client.post("/api/v1/salesOrders", json={"customerId": MINGHUI, "lines": [line]})
        assert r.status_code == 422, line
        assert (r.json()["error"]["field"], r.json()["error"]["code"]) == (field, code), line
    assert ok(client.get("/api/v1/salesOrders")) == []


def test_an_unknown_customer_or_salesperson_is_a_422_naming_the_field(client):
    line = [{"productCode": DESK, "quantity": 1}]
    r = client.post("/api/v1/salesOrders", json={"customerId": "CUS-000999", "lines": line})
    assert r.status_code == 422 and r.json()["error"]["field"] == "customerId"
    r = client.post("/api/v1/salesOrders", json={"customerId": MINGHUI, "salespersonId": "USR-9", "lines": line})
    assert r.status_code == 422 and r.json()["error"]["field"] == "salespersonId"
    r = client.post("/api/v1/salesOrders", json={"customerId": MINGHUI, "lines": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines"


def test_only_a_draft_can_be_edited_and_editing_lines_reprices_it(client):
    order = draft(client)
    edited = ok(client.patch(f"/api/v1/salesOrders/{order['orderNo']}",
                             json={"lines": [{"productCode": CHAIR, "quantity": 4}], "customerPoNo": "PO-1"}))
    assert edited["totalAmount"] == 2600.0 and edited["customerPoNo"] == "PO-1" and len(edited["lines"]) == 1
    ok(client.post(f"/api/v1/salesOrders/{order['orderNo']}/submit"))
    r = client.patch(f"/api/v1/salesOrders/{order['orderNo']}", json={"remarks": "late change"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_editable"


def test_submitting_twice_is_an_illegal_transition_naming_the_status_rule(client):
    order = submitted(client)
    r = client.post(f"/api/v1/salesOrders/{order['orderNo']}/submit")
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "illegal_transition" and error["field"] == "status"
    assert "submitted → submitted is not allowed" in error["message"]
    assert len(events_of(client, "salesOrder.submitted")) == 1


def test_cancelling_a_submitted_order_emits_sales_order_cancelled_but_a_draft_cancels_quietly(client):
    quiet = draft(client)
    ok(client.post(f"/api/v1/salesOrders/{quiet['orderNo']}/cancel", json={"reason": "duplicate entry"}))
    order = submitted(client)
    cancelled = ok(client.post(f"/api/v1/salesOrders/{order['orderNo']}/cancel",
                               json={"reason": "customer withdrew"}))
    assert cancelled["status"] == "cancelled" and cancelled["cancelReason"] == "customer withdrew"
    [event] = events_of(client, "salesOrder.cancelled")
    assert event["data"]["orderNo"] == order["orderNo"] and event["data"]["previousStatus"] == "submitted"
    r = client.post(f"/api/v1/salesOrders/{order['orderNo']}/cancel", json={"reason": "again"})
    assert r.status_code == 409


def test_an_order_in_production_can_no_longer_be_cancelled(client):
    order = accepted(client)
    ok(report(client, order["orderNo"], "productionProgress",
              {"productionOrderNo": "MO-1", "operation": "10", "qtyGood": 2,
               "reportedAt": "2026-12-01T09:00:00+08:00"}))
    r = client.post(f"/api/v1/salesOrders/{order['orderNo']}/cancel", json={"reason": "too late"})
    assert r.status_code == 409 and "inProduction → cancelled is not allowed" in r.json()["error"]["message"]


def test_orders_are_listed_by_status_and_customer_and_an_unknown_number_is_a_404(client):
    a = submitted(client)
    draft(client, customer="CUS-000102")
    listed = ok(client.get("/api/v1/salesOrders", params={"status": "submitted"}))
    assert [o["orderNo"] for o in listed] == [a["orderNo"]]
    assert len(ok(client.get("/api/v1/salesOrders", params={"customerId": "CUS-000102"}))) == 1
    r = client.get("/api/v1/salesOrders/SO-19990101-0001")
    assert r.status_code == 404 and r.json()["error"]["field"] == "orderNo"
