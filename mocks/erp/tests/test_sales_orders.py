"""Sales orders: pricing, one order per ext_ref, validation, credit check, release, cancel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mocks.erp.tests.conftest import (
    BOARD,
    CHAIR,
    DESK,
    HUAYUAN,
    LIQIANG_SALES,
    MINGHUI,
    NANFANG,
    XIHU,
    ZHOUMIN_FINANCE,
    error,
    events,
    place_order,
)


def test_an_order_is_priced_from_list_price_with_the_quantity_break_and_13_percent_vat(client):
    order = place_order(client, items=[{"material": DESK, "qty": 50}, {"material": CHAIR, "qty": 10}])
    desk, chair = order["items"]
    assert (desk["list_price"], desk["discount_pct"], desk["unit_price"]) == ("1280.00", "5.000", "1216.00")
    assert (desk["net"], desk["tax"], desk["gross"]) == ("60800.00", "7904.00", "68704.00")
    assert (chair["discount_pct"], chair["net"], chair["tax"], chair["gross"]) == ("0.000", "6500.00", "845.00",
                                                                                   "7345.00")
    assert (order["net"], order["tax"], order["gross"]) == ("67300.00", "8749.00", "76049.00")
    assert order["so_number"] == f"SO{date.today():%y%m}-{order['id']:05d}"
    assert [line["line_no"] for line in order["items"]] == [10, 20]


def test_the_customer_discount_and_the_quantity_break_apply_one_after_the_other(client):
    client.patch(f"/api/customers/{HUAYUAN}", json={"discount_pct": "2.00"})
    line = place_order(client, HUAYUAN, items=[{"material": DESK, "qty": 50}])["items"][0]
    # 1280 × 50 × 0.98 × 0.95 = 59584.00
    assert (line["discount_pct"], line["net"], line["tax"]) == ("6.900", "59584.00", "7745.92")


def test_a_repeated_ext_ref_returns_the_existing_order_and_creates_no_duplicate(client):
    body = {"customer_id": MINGHUI, "ext_ref": "SO-CRM-000123", "sales_rep": "liqiang",
            "items": [{"material": DESK, "qty": 5}]}
    first = client.post("/api/sales-orders", json=body)
    again = client.post("/api/sales-orders", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["so_number"] == first.json()["so_number"]
    assert len(client.get("/api/sales-orders", params={"ext_ref": "SO-CRM-000123"}).json()) == 1
    assert len(events(client, "so.credit_checked")) == 1
    assert client.get("/api/sales-orders/SO-CRM-000123").json()["id"] == first.json()["id"]


@pytest.mark.parametrize(("body", "field"), [
    ({"customer_id": 999999, "items": [{"material": DESK, "qty": 1}]}, "customer_id"),
    ({"customer_id": MINGHUI, "items": [{"material": DESK, "qty": 1}, {"material": "999-9999", "qty": 1}]},
     "items.1.material"),
    ({"customer_id": MINGHUI, "items": [{"material": DESK, "qty": 0}]}, "items.0.qty"),
    ({"customer_id": MINGHUI, "items": [{"material": DESK, "qty": -3}]}, "items.0.qty"),
    ({"customer_id": MINGHUI, "items": []}, "items"),
    ({"customer_id": MINGHUI, "items": [{"material": BOARD, "qty": 1}]}, "items.0.material"),
    ({"customer_id": MINGHUI, "currency": "USD", "items": [{"material": DESK, "qty": 1}]}, "currency"),
])
def test_a_bad_order_is_refused_with_422_naming_the_field(client, body, field):
    r = client.post("/api/sales-orders", json=body)
    assert r.status_code == 422 and error(r)["field"] == field
    assert client.get("/api/sales-orders").json() == []


def test_an_order_over_the_credit_limit_is_blocked_with_the_reason(client):
    # 杭州西湖文创: limit 50000.00, open receivables 20000.00; 30 desks = 43392.00 gross
    order = place_order(client, XIHU, items=[{"material": DESK, "qty": 30}], ext_ref="SO-CRM-9")
    assert order["gross"] == "43392.00"
    assert (order["status"], order["credit_status"]) == ("blocked", "blocked")
    assert order["credit_reason"] == "exposure 63392.00 exceeds credit limit 50000.00"
    [checked] = events(client, "so.credit_checked")
    assert checked == {**checked, "so_number": order["so_number"], "ext_ref": "SO-CRM-9", "customer_id": XIHU,
                       "exposure": "63392.00", "credit_limit": "50000.00", "overdue_amount": "0.00",
                       "result": "blocked", "reason": order["credit_reason"]}
    assert events(client, "so.released") == []


def test_a_customer_with_any_overdue_receivable_is_blocked_with_the_overdue_amount(client):
    order = place_order(client, NANFANG, items=[{"material": CHAIR, "qty": 1}])
    assert order["credit_status"] == "blocked" and order["overdue_amount"] == "12000.00"
    assert order["credit_reason"] == "overdue receivables of 12000.00"


def test_a_blocked_customer_is_credit_blocked(client):
    client.patch(f"/api/customers/{HUAYUAN}", json={"status": "blocked"})
    order = place_order(client, HUAYUAN)
    assert order["credit_reason"] == f"customer {HUAYUAN} is blocked in the customer archive"


def test_a_passed_order_is_released_with_promised_dates_from_the_finished_goods_warehouse(client):
    far = (date.today() + timedelta(days=30)).isoformat()
    order = place_order(client, items=[{"material": DESK, "qty": 10, "req_date": far}, {"material": CHAIR, "qty": 2}],
                        ext_ref="SO-CRM-1", sales_rep="liqiang")
    assert (order["status"], order["credit_status"], order["credit_reason"]) == ("released", "passed", None)
    assert order["credit_exposure"] == "95933.00"  # 80000.00 open receivables + this order's 15933.00
    [released] = events(client, "so.released")
    assert released["warehouse"] == "2000" and released["ext_ref"] == "SO-CRM-1"
    assert [(i["material"], i["qty"], i["promised_date"]) for i in released["items"]] == [
        (DESK, 10, far), (CHAIR, 2, (date.today() + timedelta(days=10)).isoformat())]  # chair: 10 days lead time


def test_open_orders_count_toward_the_exposure_of_the_next_order(client):
    # 深圳前海智造 would pass either order alone (limit 400000.00), not both
    first = place_order(client, 100005, items=[{"material": DESK, "qty": 200}])   # 274816.00
    second = place_order(client, 100005, items=[{"material": DESK, "qty": 100}])  # 137408.00
    assert first["credit_status"] == "passed"
    assert second["credit_reason"] == "exposure 412224.00 exceeds credit limit 400000.00"


def test_a_blocked_order_is_released_by_a_finance_manager_but_not_by_a_salesperson(client):
    order = place_order(client, NANFANG)
    r = client.post(f"/api/sales-orders/{order['so_number']}/credit-release", json={"approver": LIQIANG_SALES})
    assert r.status_code == 422 and error(r)["field"] == "approver"
    r = client.post(f"/api/sales-orders/{order['so_number']}/credit-release",
                    json={"approver": ZHOUMIN_FINANCE, "note": "customer promised payment"})
    assert (r.json()["status"], r.json()["credit_status"], r.json()["credit_approver"]) == \
        ("released", "released", ZHOUMIN_FINANCE)
    assert [e["result"] for e in events(client, "so.credit_checked")] == ["blocked", "released"]
    assert len(events(client, "so.released")) == 1
    again = client.post(f"/api/sales-orders/{order['id']}/credit-release", json={"approver": ZHOUMIN_FINANCE})
    assert error(again)["code"] == "not_blocked"


def test_a_blocked_order_passes_a_new_credit_check_once_the_overdue_invoice_is_paid(client):
    order = place_order(client, NANFANG)
    [overdue] = client.get("/api/receivables", params={"customer_id": NANFANG, "overdue_only": True}).json()["items"]
    client.post("/api/payments", json={"invoice_no": overdue["invoice_no"], "amount": overdue["open_amount"]})
    rechecked = client.post(f"/api/sales-orders/{order['so_number']}/credit-check").json()
    assert (rechecked["status"], rechecked["credit_status"], rechecked["overdue_amount"]) == \
        ("released", "passed", "0.00")


def test_the_credit_status_query_reports_limit_exposure_overdue_and_blocked(client):
    place_order(client, NANFANG)  # blocked: not part of the exposure
    status = client.get(f"/api/customers/{NANFANG}/credit-status").json()
    assert status == {"customer_id": NANFANG, "credit_limit": "200000.00", "open_receivables": "45000.00",
                      "open_orders": "0.00", "exposure": "45000.00", "overdue_amount": "12000.00",
                      "available_credit": "155000.00", "blocked": True,
                      "reason": "overdue receivables of 12000.00"}
    place_order(client, MINGHUI, items=[{"material": CHAIR, "qty": 10}])
    minghui = client.get(f"/api/customers/{MINGHUI}/credit-status").json()
    assert (minghui["open_orders"], minghui["exposure"], minghui["blocked"]) == ("7345.00", "87345.00", False)


def test_an_undelivered_order_can_be_cancelled_once(client):
    order = place_order(client, ext_ref="SO-CRM-7")
    r = client.post("/api/sales-orders/SO-CRM-7/cancel", json={"reason": "customer withdrew"})
    assert r.json()["status"] == "cancelled"
    client.post("/api/sales-orders/SO-CRM-7/cancel", json={"reason": "again"})
    assert events(client, "so.cancelled") == [{"so_number": order["so_number"], "id": order["id"],
                                               "ext_ref": "SO-CRM-7", "customer_id": MINGHUI,
                                               "reason": "customer withdrew"}]
    assert client.get(f"/api/customers/{MINGHUI}/credit-status").json()["open_orders"] == "0.00"


def test_an_unknown_order_in_the_path_is_404(client):
    r = client.get("/api/sales-orders/SO0000-99999/status")
    assert r.status_code == 404 and error(r)["code"] == "not_found"
