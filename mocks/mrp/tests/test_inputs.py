"""Stock, demands and supplies: idempotent upserts, refusals naming the field, receipts."""

from __future__ import annotations

from mocks.mrp.tests.conftest import ok

DEMAND = {"source_ref": "SO-2026-000123", "line_no": 1, "item": "T", "qty": 12, "due_date": "20270118"}


def test_stock_is_a_snapshot_replaced_by_each_report(client):
    ok(client.put("/api/stock/L", json={"on_hand": 75, "warehouse": "WH01", "ref_doc": "RCV-1"}))
    stock = ok(client.put("/api/stock/L", json={"on_hand": 60, "warehouse": "WH01", "ref_doc": "PICK-7"}))
    assert (stock["on_hand"], stock["ref_doc"]) == (60, "PICK-7")
    assert ok(client.get("/api/stock/L"))["on_hand"] == 60


def test_stock_of_an_unknown_item_is_404_naming_the_item(client):
    r = client.put("/api/stock/NOPE", json={"on_hand": 1})
    assert r.status_code == 404 and r.json()["error"]["field"] == "code"


def test_a_demand_is_idempotent_per_source_ref_and_line(client):
    first = client.post("/api/demands", json=DEMAND)
    again = client.post("/api/demands", json=DEMAND)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["demand_id"] == again.json()["demand_id"]
    moved = ok(client.post("/api/demands", json={**DEMAND, "qty": 15}))
    assert moved["qty"] == 15
    ok(client.post("/api/demands", json={**DEMAND, "line_no": 2, "item": "C", "qty": 4}), 201)
    assert len(ok(client.get("/api/demands", params={"source_ref": DEMAND["source_ref"]}))) == 2


def test_a_demand_for_an_unknown_item_is_refused_naming_the_field(client):
    r = client.post("/api/demands", json={**DEMAND, "item": "XX"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_item" and r.json()["error"]["field"] == "item"


def test_a_malformed_date_or_an_unknown_field_is_refused_naming_the_field(client):
    r = client.post("/api/demands", json={**DEMAND, "due_date": "2027-01-18"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "due_date"
    r = client.post("/api/demands", json={**DEMAND, "due_date": "20270231"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "due_date"
    r = client.post("/api/demands", json={**DEMAND, "quantity": 3})
    assert r.status_code == 422 and r.json()["error"]["field"] == "quantity"


def test_replacing_an_orders_demand_cancels_the_lines_it_no_longer_has(client):
    ok(client.put("/api/demands/SO-7", json={"lines": [{"line_no": 1, "item": "T", "qty": 5, "due_date": "20270118"},
                                                      {"line_no": 2, "item": "C", "qty": 2, "due_date": "20270118"}]}))
    lines = ok(client.put("/api/demands/SO-7", json={"lines": [
        {"line_no": 1, "item": "T", "qty": 8, "due_date": "20270118"}]}))
    assert [(d["line_no"], d["qty"], d["status"]) for d in lines] == [(1, 8, "open"), (2, 2, "cancelled")]
    r = client.put("/api/demands/SO-8", json={"lines": [{"item": "T", "qty": 1, "due_date": "20270118"},
                                                        {"item": "T", "qty": 1, "due_date": "20270119"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.1.line_no"


def test_a_cancelled_order_no_longer_drives_the_plan(client):
    ok(client.post("/api/demands", json={**DEMAND, "qty": 50}), 201)
    assert ok(client.post("/api/runs", json={}), 201)["planned_count"] > 0
    cancelled = ok(client.post(f"/api/demands/{DEMAND['source_ref']}/cancel", json={"reason": "customer withdrew"}))
    assert cancelled[0]["status"] == "cancelled" and cancelled[0]["note"] == "customer withdrew"
    assert ok(client.post("/api/runs", json={}), 201)["planned_count"] == 0
    assert client.post("/api/demands/SO-NONE/cancel", json={}).status_code == 404


def test_a_supply_upsert_moves_the_line_and_a_receipt_closes_it(client):
    moved = ok(client.post("/api/supplies", json={"ref": "PO-2026-0001", "item": "L", "qty": 100,
                                                  "due_date": "20270111"}))
    assert (moved["due_date"], moved["original_due_date"] != "20270111") == ("20270111", True)
    partly = ok(client.post("/api/supplies/PO-2026-0001/receipt", json={"qty": 40}))
    assert (partly[0]["open_qty"], partly[0]["status"]) == (60, "open")
    done = ok(client.post("/api/supplies/PO-2026-0001/receipt", json={"qty": 60}))
    assert done[0]["status"] == "closed"
    r = client.post("/api/supplies/PO-2026-0001/receipt", json={"qty": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "supply_closed"
    assert client.post("/api/supplies/PO-NONE/receipt", json={"qty": 1}).status_code == 404


def test_a_purchase_order_converts_its_requisition_so_nothing_is_counted_twice(client):
    ok(client.post("/api/demands", json={**DEMAND, "qty": 60}), 201)
    run = ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    legs = next(o for o in run["planned_orders"] if o["item"] == "L")
    pr = ok(client.post(f"/api/planned-orders/{legs['planned_order_id']}/release"))["order_no"]
    body = {"ref": "PO-2027-0009", "item": "L", "qty": legs["qty"], "due_date": legs["due_date"],
            "supplier": "SUP-0001", "requisition_ref": pr}
    ok(client.post("/api/supplies", json=body), 201)
    assert ok(client.get(f"/api/planned-orders/{legs['planned_order_id']}"))["status"] == "converted"
    rerun = ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    assert [o for o in rerun["planned_orders"] if o["item"] == "L"] == []
    r = client.post("/api/supplies", json={**body, "ref": "PO-X", "requisition_ref": "PR-999999"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "requisition_ref"


def test_completing_a_released_production_order_books_its_receipt(client):
    ok(client.post("/api/demands", json={**DEMAND, "qty": 30}), 201)
    run = ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    ok(client.post(f"/api/runs/{run['run_id']}/release"))
    mo = ok(client.get("/api/planned-orders", params={"item": "T", "status": "released"}))[0]
    done = ok(client.post(f"/api/supplies/{mo['order_no']}/receipt", json={"qty": mo["qty"]}))
    assert done["status"] == "completed" and done["received_qty"] == mo["qty"]


def test_a_new_item_holds_nothing_until_stock_is_reported(client):
    ok(client.put("/api/items/SD", json={"name": "Standing desk", "supply": "buy", "lead_time_days": 3}), 201)
    assert ok(client.get("/api/stock/SD"))["on_hand"] == 0
