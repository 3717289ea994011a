"""Supplier delays recorded on the purchase order's commitment; payables paid once, alone or in a run."""

from __future__ import annotations

from datetime import date, timedelta

from mocks.erp.tests.conftest import BOARD, LIUYANG_PURCHASING, ZHOUMIN_FINANCE, error, events


def commit(client, po_number: str = "PO-2026-0200", qty: int = 110, promised: str | None = "2026-12-20") -> dict:
    r = client.post("/api/purchase-commitments", json={
        "po_number": po_number, "vendor_id": 200002,
        "items": [{"material": BOARD, "qty": qty, "unit_price": "58.00", "promised_date": promised}]})
    assert r.status_code == 201, r.text
    return r.json()


def receive(client, po_number: str, qty: int, receipt_no: str) -> dict:
    r = client.post("/api/goods-receipts", json={"receipt_no": receipt_no, "po_number": po_number,
                                                 "items": [{"material": BOARD, "qty": qty}]})
    assert r.status_code == 201, r.text
    return r.json()


# ------------------------------------------------------------------- delays
def test_a_delay_moves_the_lines_expected_date_and_is_listed_with_its_days_late(client):
    commit(client)
    r = client.post("/api/purchase-commitments/PO-2026-0200/delays",
                    json={"line_no": 1, "new_date": "2026-12-27", "old_date": "2026-12-20", "reason": "原材料短缺"})
    assert r.status_code == 201, r.text
    delay = r.json()
    assert delay["delay_no"].startswith("DY") and (delay["days_late"], delay["qty_affected"]) == (7, 110)
    po = client.get("/api/purchase-commitments/PO-2026-0200").json()
    assert (po["items"][0]["promised_date"], po["items"][0]["expected_date"]) == ("2026-12-20", "2026-12-27")
    assert [d["delay_no"] for d in po["delays"]] == [delay["delay_no"]]
    later = client.post("/api/purchase-commitments/PO-2026-0200/delays",
                        json={"line_no": 1, "new_date": "2027-01-05"}).json()
    assert later["old_date"] == "2026-12-27" and later["days_late"] == 16  # from the promised date
    assert client.get("/api/purchase-commitments/PO-2026-0200").json()["items"][0]["expected_date"] == "2027-01-05"


def test_the_same_delay_again_changes_nothing(client):
    commit(client)
    body = {"line_no": 1, "new_date": "2026-12-27"}
    first = client.post("/api/purchase-commitments/PO-2026-0200/delays", json=body)
    again = client.post("/api/purchase-commitments/PO-2026-0200/delays", json=body)
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    assert len(client.get("/api/purchase-commitments/PO-2026-0200").json()["delays"]) == 1


def test_a_delay_names_the_rule_it_breaks(client):
    commit(client)
    url = "/api/purchase-commitments/PO-2026-0200/delays"
    assert error(client.post(url, json={"line_no": 2, "new_date": "2026-12-27"})) == {
        "code": "not_on_purchase_order", "field": "line_no",
        "message": "purchase order PO-2026-0200 has no line 2"}
    e = error(client.post(url, json={"line_no": 1, "new_date": "2026-12-20"}))
    assert (e["code"], e["field"]) == ("not_a_delay", "new_date")
    e = error(client.post(url, json={"line_no": 1, "new_date": "2026-12-27", "qty_affected": 111}))
    assert (e["code"], e["field"]) == ("qty_above_open", "qty_affected")
    e = error(client.post(url, json={"line_no": 1, "new_date": "2026-12-27", "days": 7}))
    assert e["field"] == "days"  # unknown fields are refused
    r = client.post("/api/purchase-commitments/PO-NOPE/delays", json={"line_no": 1, "new_date": "2026-12-27"})
    assert r.status_code == 404


def test_a_fully_received_line_cannot_be_delayed(client):
    commit(client)
    receive(client, "PO-2026-0200", 110, "GRN-1")
    e = error(client.post("/api/purchase-commitments/PO-2026-0200/delays", json={"line_no": 1, "new_date": "2027-01-01"}))
    assert (e["code"], e["field"]) == ("line_received", "line_no")


def test_a_line_without_a_promised_date_takes_any_delay(client):
    commit(client, promised=None)
    r = client.post("/api/purchase-commitments/PO-2026-0200/delays", json={"line_no": 1, "new_date": "2026-12-01"})
    assert r.status_code == 201 and r.json()["days_late"] is None


# ----------------------------------------------------------------- payables
def test_paying_a_payable_marks_it_paid_once_and_emits_the_payment(client):
    commit(client)
    ap = receive(client, "PO-2026-0200", 110, "GRN-1")["payable_no"]
    r = client.post(f"/api/payables/{ap}/payment", json={"approved_by": ZHOUMIN_FINANCE, "bank_ref": "BK-1"})
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["payment_no"].startswith("VP") and (payment["amount"], payment["po_number"]) == (
        "7209.40", "PO-2026-0200")
    [payable] = client.get("/api/payables").json()[-1:]
    assert (payable["status"], payable["payment_no"]) == ("paid", payment["payment_no"])
    again = client.post(f"/api/payables/{ap}/payment", json={"approved_by": ZHOUMIN_FINANCE, "bank_ref": "BK-1"})
    assert again.status_code == 200 and again.json() == payment  # the same bank transfer, not a second one
    e = error(client.post(f"/api/payables/{ap}/payment", json={"approved_by": ZHOUMIN_FINANCE}))
    assert (e["code"], e["field"]) == ("already_paid", "payable_no")
    [posted] = events(client, "vendor_payment.posted")
    assert posted["payment_no"] == payment["payment_no"] and posted["vendor_id"] == 200002
    assert client.get("/api/vendor-payments", params={"po_number": "PO-2026-0200"}).json() == [payment]


def test_a_held_payable_is_not_paid_until_finance_releases_it(client):
    commit(client, qty=100)
    ap = receive(client, "PO-2026-0200", 120, "GRN-OVER")["payable_no"]  # 20 above the order: flagged
    e = error(client.post(f"/api/payables/{ap}/payment", json={"approved_by": ZHOUMIN_FINANCE}))
    assert (e["code"], e["field"]) == ("payable_on_hold", "payable_no")
    e = error(client.post(f"/api/payables/{ap}/release", json={"approved_by": LIUYANG_PURCHASING}))
    assert (e["code"], e["field"]) == ("not_authorised", "approved_by")
    released = client.post(f"/api/payables/{ap}/release", json={"approved_by": ZHOUMIN_FINANCE}).json()
    assert (released["status"], released["hold_released_by"]) == ("open", ZHOUMIN_FINANCE)
    assert client.post(f"/api/payables/{ap}/payment", json={"approved_by": ZHOUMIN_FINANCE}).status_code == 201


def test_only_a_finance_manager_approves_a_payment(client):
    commit(client)
    ap = receive(client, "PO-2026-0200", 110, "GRN-1")["payable_no"]
    e = error(client.post(f"/api/payables/{ap}/payment", json={"approved_by": LIUYANG_PURCHASING}))
    assert (e["code"], e["field"]) == ("not_authorised", "approved_by")
    e = error(client.post(f"/api/payables/{ap}/payment", json={"approved_by": 99999}))
    assert (e["code"], e["field"]) == ("unknown_employee", "approved_by")
    assert client.post("/api/payables/AP-NOPE/payment", json={"approved_by": ZHOUMIN_FINANCE}).status_code == 404
    assert events(client, "vendor_payment.posted") == []


def test_a_payment_run_pays_every_open_payable_due_once_and_lists_what_it_could_not(client):
    commit(client, "PO-A", qty=100)
    commit(client, "PO-B", qty=50)
    receive(client, "PO-A", 100, "GRN-A")
    held = receive(client, "PO-B", 60, "GRN-B")["payable_no"]  # over-receipt: on hold
    due_by = (date.today() + timedelta(days=60)).isoformat()
    r = client.post("/api/payment-runs", json={"run_ref": "RUN-W1", "due_by": due_by, "approved_by": ZHOUMIN_FINANCE})
    assert r.status_code == 201, r.text
    run = r.json()
    assert len(run["paid"]) == 1 and run["total"] == "6554.00"
    assert run["skipped"] == [{"payable_no": held, "reason": "on hold: goods receipt "
                               f"{client.get('/api/payables').json()[-1]['gr_number']} was flagged"}]
    again = client.post("/api/payment-runs", json={"run_ref": "RUN-W1", "due_by": due_by,
                                                   "approved_by": ZHOUMIN_FINANCE})
    assert again.status_code == 200 and again.json() == run
    second = client.post("/api/payment-runs", json={"run_ref": "RUN-W2", "due_by": due_by,
                                                    "approved_by": ZHOUMIN_FINANCE}).json()
    assert second["paid"] == [] and second["total"] == "0.00"  # nothing is paid twice
    assert len(events(client, "vendor_payment.posted")) == 1
    assert client.get(f"/api/payment-runs/{run['run_no']}").json() == run


def test_a_payment_run_pays_only_what_is_due_by_its_date(client):
    commit(client)
    receive(client, "PO-2026-0200", 110, "GRN-1")  # due after the vendor's 30 days of payment terms
    early = client.post("/api/payment-runs", json={"run_ref": "RUN-TODAY", "due_by": date.today().isoformat(),
                                                   "approved_by": ZHOUMIN_FINANCE}).json()
    assert early["paid"] == [] and client.get("/api/payables").json()[-1]["status"] == "open"
    e = error(client.post("/api/payment-runs", json={"run_ref": "RUN-X", "due_by": date.today().isoformat(),
                                                     "approved_by": LIUYANG_PURCHASING}))
    assert (e["code"], e["field"]) == ("not_authorised", "approved_by")
