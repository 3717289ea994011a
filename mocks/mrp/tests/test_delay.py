"""A purchase-order delay: move the supply, reschedule the make orders now short, re-plan."""

from __future__ import annotations

from mocks.mrp.tests.conftest import W, events, ok, run_worked_example, set_up_worked_example


def _released_example(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    return ok(client.post(f"/api/runs/{run['run_id']}/release"))["planned_orders"]


def test_a_delayed_po_reschedules_the_production_order_whose_legs_now_arrive_late(client):
    orders = _released_example(client)
    t30 = next(o for o in orders if (o["item"], o["qty"]) == ("T", 30))
    out = ok(client.post("/api/supplies/PO-2026-0001/delay",
                         json={"new_due_date": W[3], "line_no": 1, "reason": "supplier capacity"}))
    # legs: 40 on hand + 100 (now week 3) cannot cover T 30's 120 at its week-2 start; T 60 is still covered
    assert out["affected_orders"] == [{"planned_order_id": t30["planned_order_id"], "order_no": t30["order_no"],
                                       "item": "T", "old_start": W[2], "new_start": W[3],
                                       "old_end": W[3], "new_end": W[4],
                                       "origin_ref": t30["origin_ref"]}]
    assert out["supplies"][0]["due_date"] == W[3]
    moved = ok(client.get(f"/api/planned-orders/{t30['planned_order_id']}"))
    assert (moved["release_date"], moved["due_date"]) == (W[3], W[4])
    [event] = events(client, "supply.delayed_replanned")
    assert event["data"]["affected_orders"] == out["affected_orders"]
    assert (event["data"]["ref"], event["data"]["old_due_date"], event["data"]["new_due_date"],
            event["data"]["reason"], event["data"]["item"]) == ("PO-2026-0001", W[2], W[3], "supplier capacity", "L")
    assert event["data"]["run_id"] is None  # auto-planning is off: the re-plan waits for a run


def test_a_small_delay_that_stock_still_covers_affects_no_order(client):
    _released_example(client)
    ok(client.put("/api/stock/L", json={"on_hand": 400}))
    out = ok(client.post("/api/supplies/PO-2026-0001/delay", json={"new_due_date": W[4]}))
    assert out["affected_orders"] == []


def test_with_auto_planning_a_delay_replans_and_releases_at_once(auto_client):
    ok(auto_client.post("/api/demands", json={"source_ref": "SO-11", "item": "T", "qty": 200,
                                              "due_date": "20270301"}), 201)
    out = ok(auto_client.post("/api/supplies/PO-2026-0001/delay", json={"new_due_date": "20270215"}))
    assert out["run_id"] is not None
    run = ok(auto_client.get(f"/api/runs/{out['run_id']}"))
    assert run["trigger"] == "delay"
    assert all(o["status"] == "released" for o in run["planned_orders"])


def test_delaying_an_unknown_or_closed_supply_is_refused(client):
    r = client.post("/api/supplies/PO-NOPE/delay", json={"new_due_date": W[3]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "ref"
    r = client.post("/api/supplies/PO-2026-0001/delay", json={"new_due_date": W[3], "line_no": 7})
    assert r.status_code == 422 and r.json()["error"]["field"] == "line_no"
    ok(client.post("/api/supplies/PO-2026-0001/receipt", json={"qty": 100}))
    r = client.post("/api/supplies/PO-2026-0001/delay", json={"new_due_date": W[3]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "supply_closed"
