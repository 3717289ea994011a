"""CATALOG.md "The MRP run": the worked example, reproduced exactly, and what a re-run keeps."""

from __future__ import annotations

from mocks.mrp.tests.conftest import WORKED_EXAMPLE_RESULT, W, ok, run_worked_example, set_up_worked_example, summary


def test_the_worked_example_plans_exactly_the_stated_orders(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    # production orders T 30 (release w2), T 60 (w4), TP 20 (w1), TP 60 (w3);
    # requisitions L 250 (due w4, release w2), B 110 (due w3, release w2), BT 500 (due w3), BT 500 (due w4)
    assert summary(run["planned_orders"]) == WORKED_EXAMPLE_RESULT
    assert len(run["planned_orders"]) == 8
    assert run["planned_count"] == 8 and run["late_count"] == 0
    assert all(o["status"] == "planned" and o["order_no"] is None for o in run["planned_orders"])
    listed = ok(client.get("/api/planned-orders", params={"run_id": run["run_id"]}))
    assert summary(listed) == WORKED_EXAMPLE_RESULT


def test_bolts_are_netted_after_both_parents_because_their_low_level_code_is_2(client):
    set_up_worked_example(client)
    items = {i["code"]: i["low_level_code"] for i in ok(client.get("/api/items"))}
    assert (items["T"], items["TP"], items["L"], items["B"], items["BT"]) == (0, 1, 1, 2, 2)
    orders = run_worked_example(client)["planned_orders"]
    assert [o["item"] for o in orders][-2:] == ["BT", "BT"]


def test_planned_orders_are_pegged_to_the_sales_order_that_caused_them(client):
    set_up_worked_example(client)
    orders = {(o["item"], o["qty"]): o["origin_ref"] for o in run_worked_example(client)["planned_orders"]}
    assert orders[("T", 30)] == orders[("TP", 20)] == "SO-EX-1"
    # B 110 covers the boards of TP 60, which is made for T 60
    assert orders[("T", 60)] == orders[("TP", 60)] == orders[("B", 110)] == orders[("L", 250)] == "SO-EX-2"


def test_a_rerun_replaces_unfirmed_planned_orders_only(client):
    set_up_worked_example(client)
    first = run_worked_example(client)
    t30 = next(o for o in first["planned_orders"] if (o["item"], o["qty"]) == ("T", 30))
    ok(client.post(f"/api/planned-orders/{t30['planned_order_id']}/firm"))
    second = run_worked_example(client)
    # the firmed T 30 counts as supply and still demands its components: only it is not planned again
    assert summary(second["planned_orders"]) == WORKED_EXAMPLE_RESULT - {("T", "make", 30, W[3], W[2])}
    old = {o["planned_order_id"]: o["status"] for o in ok(client.get("/api/planned-orders",
                                                                     params={"run_id": first["run_id"]}))}
    assert old.pop(t30["planned_order_id"]) == "firmed"
    assert set(old.values()) == {"replaced"}
    assert ok(client.get(f"/api/runs/{first['run_id']}"))["status"] == "superseded"


def test_a_rerun_after_releasing_everything_plans_nothing_new(client):
    set_up_worked_example(client)
    first = run_worked_example(client)
    ok(client.post(f"/api/runs/{first['run_id']}/release"))
    assert run_worked_example(client)["planned_orders"] == []
