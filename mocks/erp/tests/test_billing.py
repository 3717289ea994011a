"""Deliveries post invoices (receivables); payments reduce them; the order status query follows along."""

from __future__ import annotations

from datetime import date, timedelta

from mocks.erp.tests.conftest import CHAIR, DESK, MINGHUI, NANFANG, deliver, error, events, place_order


def test_a_delivery_posts_an_invoice_with_13_percent_tax_due_after_the_payment_terms(client):
    order = place_order(client, items=[{"material": DESK, "qty": 10}], ext_ref="SO-CRM-5")
    delivery = deliver(client, order["so_number"], [{"material": DESK, "qty": 10, "lot": "L1"}], "SHP-1")
    assert delivery["so_number"] == order["so_number"] and delivery["ext_ref"] == "SO-CRM-5"
    invoice = client.get(f"/api/invoices/{delivery['invoice_no']}").json()
    assert (invoice["net"], invoice["tax"], invoice["gross"], invoice["open_amount"]) == \
        ("12800.00", "1664.00", "14464.00", "14464.00")
    assert invoice["due_date"] == (date.today() + timedelta(days=30)).isoformat()  # 明辉: 30 days
    assert (invoice["so_number"], invoice["ext_ref"], invoice["shipment_no"]) == (order["so_number"], "SO-CRM-5",
                                                                                  "SHP-1")
    [posted] = events(client, "invoice.posted")
    assert posted["invoice_no"] == invoice["invoice_no"] and posted["gross"] == "14464.00"
    assert client.get(f"/api/sales-orders/{order['id']}").json()["status"] == "completed"


def test_partial_deliveries_invoice_the_order_to_the_cent(client):
    order = place_order(client, items=[{"material": CHAIR, "qty": 3}])  # 1950.00 net, 253.50 tax
    deliver(client, order["so_number"], [{"material": CHAIR, "qty": 1}], "SHP-A")
    assert client.get(f"/api/sales-orders/{order['so_number']}").json()["status"] == "partially_delivered"
    deliver(client, order["so_number"], [{"material": CHAIR, "qty": 2}], "SHP-B")
    invoices = client.get("/api/invoices", params={"so_ref": order["so_number"]}).json()
    assert [i["gross"] for i in invoices] == ["734.50", "1469.00"]
    assert sum(float(i["gross"]) for i in invoices) == float(order["gross"])


def test_a_repeated_shipment_no_is_delivered_and_invoiced_once(client):
    order = place_order(client)
    first = client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "SHP-9",
                                                 "items": [{"material": DESK, "qty": 4}]})
    again = client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "SHP-9",
                                                 "items": [{"material": DESK, "qty": 4}]})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["invoice_no"] == first.json()["invoice_no"]
    assert len(events(client, "invoice.posted")) == 1
    assert client.get(f"/api/inventory-value/{DESK}").json()["qty"] == 16


def test_delivering_more_than_is_open_on_the_order_is_refused_naming_the_qty(client):
    order = place_order(client, items=[{"material": DESK, "qty": 5}])
    r = client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "S",
                                             "items": [{"material": DESK, "qty": 6}]})
    assert error(r)["code"] == "over_delivery" and error(r)["field"] == "items.0.qty"
    r = client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "S",
                                             "items": [{"material": CHAIR, "qty": 1}]})
    assert error(r)["code"] == "not_on_order" and error(r)["field"] == "items.0.material"


def test_a_credit_blocked_order_cannot_be_delivered(client):
    order = place_order(client, NANFANG)
    err = error(client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "S",
                                                     "items": [{"material": DESK, "qty": 1}]}))
    assert err["field"] == "so_ref" and "overdue receivables of 12000.00" in err["message"]


def test_a_delivery_above_the_book_stock_is_refused_and_changes_nothing(client):
    order = place_order(client, items=[{"material": DESK, "qty": 25}])  # 20 on hand
    r = client.post("/api/deliveries", json={"so_ref": order["so_number"], "shipment_no": "S",
                                             "items": [{"material": DESK, "qty": 25}]})
    assert error(r)["code"] == "insufficient_stock" and error(r)["field"] == "items.0.qty"
    assert client.get("/api/deliveries").json() == []
    assert client.get(f"/api/sales-orders/{order['id']}").json()["items"][0]["delivered_qty"] == 0


def test_an_unknown_sales_order_in_a_delivery_is_422_naming_so_ref(client):
    r = client.post("/api/deliveries", json={"so_ref": "SO-NOPE", "shipment_no": "S",
                                             "items": [{"material": DESK, "qty": 1}]})
    assert r.status_code == 422 and error(r)["field"] == "so_ref"


def test_a_payment_reduces_the_receivable_and_emits_payment_posted(client):
    order = place_order(client, ext_ref="SO-CRM-8")
    invoice_no = deliver(client, order["so_number"], [{"material": DESK, "qty": 10}], "SHP-1")["invoice_no"]
    r = client.post("/api/payments", json={"invoice_no": invoice_no, "amount": "10000.00",
                                           "received_on": "2026-11-30", "bank_ref": "BANK-1"})
    assert r.status_code == 201
    assert (r.json()["invoice_open_amount"], r.json()["invoice_status"]) == ("4464.00", "open")
    assert client.get("/api/receivables", params={"customer_id": MINGHUI}).json()["open_amount"] == "84464.00"
    client.post("/api/payments", json={"invoice_no": invoice_no, "amount": "4464.00"})
    assert client.get(f"/api/invoices/{invoice_no}").json()["status"] == "paid"
    posted = events(client, "payment.posted")
    assert [(p["amount"], p["ext_ref"], p["invoice_status"]) for p in posted] == [
        ("10000.00", "SO-CRM-8", "open"), ("4464.00", "SO-CRM-8", "paid")]
    assert posted[0]["received_on"] == "2026-11-30"


def test_a_repeated_bank_ref_is_posted_once(client):
    [inv] = client.get("/api/invoices", params={"customer_id": MINGHUI}).json()
    body = {"invoice_no": inv["invoice_no"], "amount": "100.00", "bank_ref": "BANK-7"}
    assert client.post("/api/payments", json=body).status_code == 201
    assert client.post("/api/payments", json=body).status_code == 200
    assert client.get(f"/api/invoices/{inv['invoice_no']}").json()["paid"] == "100.00"


def test_an_overpayment_is_refused_naming_the_amount(client):
    [inv] = client.get("/api/invoices", params={"customer_id": MINGHUI}).json()
    r = client.post("/api/payments", json={"invoice_no": inv["invoice_no"], "amount": "80000.01"})
    assert r.status_code == 422 and error(r)["field"] == "amount"
    assert error(r)["message"] == f"amount 80000.01 exceeds the open amount 80000.00 of invoice {inv['invoice_no']}"
    assert error(client.post("/api/payments", json={"invoice_no": "IV-X", "amount": "1.00"}))["field"] == "invoice_no"
    assert error(client.post("/api/payments", json={"invoice_no": inv["invoice_no"], "amount": "1.005"}))["field"] \
        == "amount"


def test_receivables_are_the_open_invoices_with_their_overdue_part(client):
    r = client.get("/api/receivables").json()
    assert (r["open_amount"], r["overdue_amount"]) == ("145000.00", "12000.00")
    nanfang = client.get("/api/receivables", params={"customer_id": NANFANG}).json()
    assert [(i["gross"], i["overdue"]) for i in nanfang["items"]] == [("12000.00", True), ("33000.00", False)]


def test_the_order_status_query_follows_credit_delivery_invoice_and_payment(client):
    order = place_order(client, items=[{"material": DESK, "qty": 10}], ext_ref="SO-CRM-3")
    status = client.get("/api/sales-orders/SO-CRM-3/status").json()
    assert (status["credit_status"], status["delivery_status"], status["invoice_status"],
            status["payment_status"]) == ("passed", "none", "none", "none")
    invoice_no = deliver(client, "SO-CRM-3", [{"material": DESK, "qty": 4}], "SHP-1")["invoice_no"]
    client.post("/api/payments", json={"invoice_no": invoice_no, "amount": "1000.00"})
    status = client.get(f"/api/sales-orders/{order['so_number']}/status").json()
    assert status == {"so_number": order["so_number"], "ext_ref": "SO-CRM-3", "customer_id": MINGHUI,
                      "status": "partially_delivered", "credit_status": "passed", "credit_reason": None,
                      "delivery_status": "partial", "ordered_qty": 10, "delivered_qty": 4, "shipments": ["SHP-1"],
                      "invoice_status": "partial", "invoices": [invoice_no], "invoiced_gross": "5785.60",
                      "payment_status": "partial", "paid": "1000.00", "open_amount": "4785.60"}
