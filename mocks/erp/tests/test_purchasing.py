"""Purchasing: commitments consume budget, goods receipts make payables and stock value, requisitions."""

from __future__ import annotations

from mocks.erp.tests.conftest import BOARD, BOLT, CHAIR, DESK, LEG, LIUYANG_PURCHASING, error, events

RM, FG = "PUR-2026-RM", "PUR-2026-FG"


def commitment(po_number: str = "PO-2026-0100", vendor_id: int = 200002, **fields: object) -> dict[str, object]:
    return {"po_number": po_number, "vendor_id": vendor_id,
            "items": [{"material": BOARD, "qty": 110, "unit_price": "58.00"}], **fields}


def test_budgets_show_amount_used_committed_and_available(client):
    assert client.get(f"/api/budgets/{RM}").json() == {
        "code": RM, "name": "2026 原材料采购预算", "department": "PUR", "amount": "2000000.00",
        "used": "350000.00", "committed": "4200.00", "available": "1645800.00"}  # seeded PO-2026-0001
    assert error(client.get("/api/budgets/NOPE"))["code"] == "not_found"


def test_a_purchase_commitment_consumes_its_budget(client):
    r = client.post("/api/purchase-commitments", json=commitment(pr_refs=["PR2611-00001"]))
    assert r.status_code == 201
    assert (r.json()["net"], r.json()["tax"], r.json()["gross"], r.json()["budget_code"]) == \
        ("6380.00", "829.40", "7209.40", RM)
    budget = client.get(f"/api/budgets/{RM}").json()
    assert (budget["committed"], budget["available"]) == ("10580.00", "1639420.00")


def test_a_bought_in_finished_good_is_charged_to_the_finished_goods_budget(client):
    body = {"po_number": "PO-C", "vendor_id": 200005, "items": [{"material": CHAIR, "qty": 10, "unit_price": "360.00"}]}
    assert client.post("/api/purchase-commitments", json=body).json()["budget_code"] == FG
    assert client.get(f"/api/budgets/{FG}").json()["committed"] == "3600.00"


def test_a_repeated_po_number_is_one_commitment_and_changes_replace_its_lines(client):
    assert client.post("/api/purchase-commitments", json=commitment()).status_code == 201
    assert client.post("/api/purchase-commitments", json=commitment()).status_code == 200
    changed = commitment(items=[{"material": BOARD, "qty": 120, "unit_price": "58.00"}])
    assert client.post("/api/purchase-commitments", json=changed).json()["net"] == "6960.00"
    assert [c["po_number"] for c in client.get("/api/purchase-commitments").json()] == ["PO-2026-0001", "PO-2026-0100"]


def test_a_commitment_with_a_blocked_or_unknown_vendor_is_refused_naming_vendor_id(client):
    blocked = error(client.post("/api/purchase-commitments", json=commitment(vendor_id=200004)))
    assert blocked["code"] == "vendor_blocked" and blocked["field"] == "vendor_id"
    assert error(client.post("/api/purchase-commitments", json=commitment(vendor_id=1)))["field"] == "vendor_id"


def test_a_commitment_that_overdraws_its_budget_is_recorded_and_marked(client):
    body = commitment(items=[{"material": BOARD, "qty": 30000, "unit_price": "58.00"}])  # 1740000.00
    assert client.post("/api/purchase-commitments", json=body).json()["over_budget"] is True
    assert client.get(f"/api/budgets/{RM}").json()["available"] == "-94200.00"


def test_a_goods_receipt_books_a_payable_at_po_price_and_stock_value_at_standard_cost(client):
    r = client.post("/api/goods-receipts", json={"receipt_no": "WH01-RCV-1", "po_number": "PO-2026-0001",
                                                 "items": [{"material": LEG, "qty": 100, "lot": "K-1"}]})
    assert r.status_code == 201
    receipt = r.json()
    assert (receipt["flagged"], receipt["vendor_id"]) == (False, 200003)
    assert receipt["items"][0] == {"line_no": 1, "material": LEG, "qty": 100, "lot": "K-1", "unit_price": "42.00",
                                   "value": "4200.00", "stock_value": "4500.00", "price_variance": "-300.00",
                                   "over_qty": 0}
    [payable] = client.get("/api/payables").json()
    assert (payable["payable_no"], payable["net"], payable["tax"], payable["gross"], payable["status"]) == \
        (receipt["payable_no"], "4200.00", "546.00", "4746.00", "open")
    assert client.get(f"/api/inventory-value/{LEG}").json()["value"] == "6300.00"  # 40 + 100 legs × 45.00
    budget = client.get(f"/api/budgets/{RM}").json()
    assert (budget["used"], budget["committed"]) == ("354200.00", "0.00")
    assert client.get("/api/purchase-commitments/PO-2026-0001").json()["status"] == "received"


def test_a_receipt_above_the_open_commitment_is_flagged_and_its_payable_held(client):
    client.post("/api/goods-receipts", json={"receipt_no": "R1", "po_number": "PO-2026-0001",
                                             "items": [{"material": LEG, "qty": 60}]})
    r = client.post("/api/goods-receipts", json={"receipt_no": "R2", "po_number": "PO-2026-0001",
                                                 "items": [{"material": LEG, "qty": 60}]}).json()
    assert r["flagged"] is True and r["items"][0]["over_qty"] == 20
    assert r["discrepancy"] == "line 1 (300-0001): received 60, open 40 — 20 above the commitment"
    assert [p["status"] for p in client.get("/api/payables").json()] == ["open", "on_hold"]


def test_a_repeated_receipt_no_is_received_once(client):
    body = {"receipt_no": "R1", "po_number": "PO-2026-0001", "items": [{"material": LEG, "qty": 10}]}
    assert client.post("/api/goods-receipts", json=body).status_code == 201
    assert client.post("/api/goods-receipts", json=body).status_code == 200
    assert client.get("/api/purchase-commitments/PO-2026-0001").json()["items"][0]["received_qty"] == 10


def test_a_receipt_for_an_unknown_po_or_a_material_not_on_it_is_refused_naming_the_field(client):
    r = client.post("/api/goods-receipts", json={"receipt_no": "R", "po_number": "PO-X",
                                                 "items": [{"material": LEG, "qty": 1}]})
    assert r.status_code == 422 and error(r)["field"] == "po_number"
    r = client.post("/api/goods-receipts", json={"receipt_no": "R", "po_number": "PO-2026-0001",
                                                 "items": [{"material": BOLT, "qty": 1}]})
    assert error(r)["code"] == "not_on_purchase_order" and error(r)["field"] == "items.0.material"


def test_a_requisition_is_estimated_at_standard_cost_and_emits_pr_created(client):
    r = client.post("/api/purchase-requisitions", json={
        "requested_by": LIUYANG_PURCHASING, "items": [{"material": LEG, "qty": 250, "need_by": "2026-12-20"},
                                                     {"material": BOLT, "qty": 500}]})
    assert r.status_code == 201
    pr = r.json()
    assert (pr["budget_code"], pr["estimated_amount"], pr["budget_available"]) == (RM, "11425.00", "1645800.00")
    [created] = events(client, "pr.created")
    assert created["pr_number"] == pr["pr_number"] and created["origin"] == "erp"
    assert created["items"][0] == {"material": LEG, "qty": 250, "need_by": "2026-12-20", "est_price": "45.00",
                                   "est_value": "11250.00"}


def test_a_requisition_above_the_available_budget_is_refused_naming_budget_code(client):
    err = error(client.post("/api/purchase-requisitions", json={
        "requested_by": LIUYANG_PURCHASING, "budget_code": FG, "items": [{"material": CHAIR, "qty": 1001}]}))
    assert err["code"] == "budget_exceeded" and err["field"] == "budget_code"
    assert err["message"] == f"estimated amount 380380.00 exceeds the available 380000.00 of budget {FG}"
    assert events(client, "pr.created") == []


def test_a_requisition_for_a_made_material_or_by_an_unknown_employee_is_refused(client):
    made = error(client.post("/api/purchase-requisitions", json={"requested_by": LIUYANG_PURCHASING,
                                                                 "items": [{"material": DESK, "qty": 1}]}))
    assert made["code"] == "not_purchased" and made["field"] == "items.0.material"
    who = error(client.post("/api/purchase-requisitions", json={"requested_by": 1,
                                                                "items": [{"material": LEG, "qty": 1}]}))
    assert who["field"] == "requested_by"


def test_a_fully_received_commitment_is_closed_once_and_a_partly_received_one_is_a_conflict(client):
    close = {"receipts": ["RCV000001", "RCV000002"], "closed_on": "2026-12-04"}
    client.post("/api/goods-receipts", json={"receipt_no": "R1", "po_number": "PO-2026-0001",
                                             "items": [{"material": LEG, "qty": 60}]})
    r = client.post("/api/purchase-commitments/PO-2026-0001/close", json=close)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_fully_received"
    client.post("/api/goods-receipts", json={"receipt_no": "R2", "po_number": "PO-2026-0001",
                                             "items": [{"material": LEG, "qty": 40}]})
    r = client.post("/api/purchase-commitments/PO-2026-0001/close", json=close)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["closed_on"], r.json()["closed_receipts"]) == \
        ("closed", "2026-12-04", ["RCV000001", "RCV000002"])
    assert client.post("/api/purchase-commitments/PO-2026-0001/close", json={}).json()["closed_on"] == "2026-12-04"
    assert client.get(f"/api/budgets/{RM}").json()["committed"] == "0.00"
