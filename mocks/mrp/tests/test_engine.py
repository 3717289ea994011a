"""The netting engine on plain data: the worked example and the lot-sizing and safety-stock rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mocks.mrp.rules.engine import Component, PlanInput, PlanItem, Receipt, Requirement, Structure, lot_size, plan

START = date(2027, 1, 4)


def week(n: int) -> date:
    return START + timedelta(days=7 * (n - 1))


def worked_example() -> PlanInput:
    return PlanInput(
        start=START, bucket_days=7, horizon=8,
        items={"T": PlanItem("T", "make", 7), "TP": PlanItem("TP", "make", 7, low_level_code=1),
               "L": PlanItem("L", "buy", 14, safety_stock=20, lot_min=100, lot_multiple=50, low_level_code=1),
               "B": PlanItem("B", "buy", 7, low_level_code=2),
               "BT": PlanItem("BT", "buy", 7, lot_multiple=500, low_level_code=2)},
        structures={"T": Structure("A", (Component("TP", 1), Component("L", 4), Component("BT", 8))),
                    "TP": Structure("A", (Component("B", 2), Component("BT", 4)))},
        on_hand={"T": 20, "TP": 10, "L": 40, "B": 50, "BT": 500},
        requirements=[Requirement("T", week(3), 50, "SO-1"), Requirement("T", week(5), 60, "SO-2")],
        receipts=[Receipt("L", week(2), 100)])


def test_the_engine_reproduces_the_worked_example():
    result = {(o.item, o.qty, o.due_date, o.release_date) for o in plan(worked_example())}
    assert result == {("T", 30, week(3), week(2)), ("T", 60, week(5), week(4)), ("TP", 20, week(2), week(1)),
                      ("TP", 60, week(4), week(3)), ("L", 250, week(4), week(2)), ("B", 110, week(3), week(2)),
                      ("BT", 500, week(3), week(2)), ("BT", 500, week(4), week(3))}


def test_netting_bolts_before_their_second_parent_gives_a_wrong_plan():
    inp = worked_example()
    inp.items["BT"] = PlanItem("BT", "buy", 7, lot_multiple=500, low_level_code=1)  # netted beside TP
    assert sorted(o.qty for o in plan(inp) if o.item == "BT") != [500, 500]


@pytest.mark.parametrize(("shortfall", "lot_min", "multiple", "expected"), [
    (37, 0, 0, 37),        # no rules: lot-for-lot
    (30, 100, 50, 100),    # the minimum first
    (240, 100, 50, 250),   # then up to the multiple
    (60, 0, 500, 500),
    (500, 0, 500, 500),    # an exact multiple stays
])
def test_lot_sizing_applies_the_minimum_then_rounds_up_to_the_multiple(shortfall, lot_min, multiple, expected):
    assert lot_size(shortfall, PlanItem("X", "buy", 0, lot_min=lot_min, lot_multiple=multiple)) == expected


def test_stock_below_safety_stock_is_replenished_even_without_demand():
    inp = PlanInput(start=START, bucket_days=1, horizon=10, items={"C": PlanItem("C", "buy", 10, safety_stock=10)},
                    on_hand={"C": 4})
    [order] = plan(inp)
    assert (order.qty, order.due_date, order.late) == (6, START, True)


def test_a_release_date_before_the_start_is_flagged_late():
    inp = PlanInput(start=START, bucket_days=1, horizon=30, items={"X": PlanItem("X", "buy", 7)},
                    requirements=[Requirement("X", START + timedelta(days=3), 5)])
    [order] = plan(inp)
    assert order.release_date == START - timedelta(days=4) and order.late


def test_demand_beyond_the_horizon_is_not_planned():
    inp = PlanInput(start=START, bucket_days=1, horizon=30, items={"X": PlanItem("X", "buy", 7)},
                    requirements=[Requirement("X", START + timedelta(days=30), 5)])
    assert plan(inp) == []


def test_fractional_bom_quantities_do_not_drift():
    inp = PlanInput(start=START, bucket_days=1, horizon=30,
                    items={"P": PlanItem("P", "make", 0), "M": PlanItem("M", "buy", 0, low_level_code=1)},
                    structures={"P": Structure("A", (Component("M", 0.1),))},
                    requirements=[Requirement("P", START + timedelta(days=5), 3)])
    assert [o.qty for o in plan(inp) if o.item == "M"] == [0.3]


@pytest.mark.parametrize("arrival", [("SO-SMALL", "SO-LARGE"), ("SO-LARGE", "SO-SMALL")])
def test_the_shortfall_is_pegged_to_the_order_stock_cannot_cover_whichever_demand_came_first(arrival):
    qty = {"SO-SMALL": 12, "SO-LARGE": 30}
    inp = PlanInput(start=START, bucket_days=7, horizon=8, items={"T": PlanItem("T", "make", 7)},
                    structures={"T": Structure("A", ())}, on_hand={"T": 20},
                    requirements=[Requirement("T", week(4), qty[so], so) for so in arrival])
    [order] = plan(inp)
    assert (order.qty, order.origin) == (22, "SO-LARGE")


def test_a_shortfall_below_safety_stock_is_pegged_to_the_order_that_ate_into_it():
    inp = PlanInput(start=START, bucket_days=7, horizon=8, items={"C": PlanItem("C", "buy", 7, safety_stock=10)},
                    on_hand={"C": 15}, requirements=[Requirement("C", week(2), 8, "SO-A")])
    [order] = plan(inp)
    assert (order.qty, order.origin) == (3, "SO-A")
