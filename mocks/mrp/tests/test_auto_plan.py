"""Auto-planning (``MOCK_MRP_AUTO_PLAN``) and the simulation tick."""

from __future__ import annotations

from mocks.mrp.app import build
from mocks.mrp.tests.conftest import events, ok

DEMAND = {"source_ref": "SO-2026-000300", "item": "T", "qty": 50, "due_date": "20270301"}


def test_with_auto_planning_a_new_demand_runs_mrp_and_releases_the_orders(auto_client):
    ok(auto_client.post("/api/demands", json=DEMAND), 201)
    [run] = ok(auto_client.get("/api/runs"))
    assert (run["trigger"], run["bucket_days"]) == ("demand", 1)
    assert {o["item"] for o in run["planned_orders"]} == {"T", "TP"}
    assert all(o["status"] == "released" and o["order_no"] for o in run["planned_orders"])
    mo = next(o for o in run["planned_orders"] if o["item"] == "T")
    assert mo["origin_ref"] == DEMAND["source_ref"]
    assert [e["event_type"] for e in events(auto_client)] == [
        "run.completed", "planned_order.released", "planned_order.released"]


def test_an_unchanged_repeat_of_a_demand_does_not_plan_again(auto_client):
    ok(auto_client.post("/api/demands", json=DEMAND), 201)
    ok(auto_client.post("/api/demands", json=DEMAND))
    assert len(ok(auto_client.get("/api/runs"))) == 1


def test_without_auto_planning_a_demand_waits_for_a_requested_run(client):
    ok(client.post("/api/demands", json=DEMAND), 201)
    assert ok(client.get("/api/runs")) == []
    assert ok(client.get("/api/settings")) == {"auto_plan": False}


def test_auto_planning_defaults_on_and_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("MOCK_MRP_AUTO_PLAN", raising=False)
    assert build(_settings(tmp_path)).state.planning.auto_plan is True
    monkeypatch.setenv("MOCK_MRP_AUTO_PLAN", "0")
    assert build(_settings(tmp_path)).state.planning.auto_plan is False


def test_a_tick_replans_only_when_inputs_changed_since_the_last_run(client):
    assert ok(client.post("/_admin/simulation/tick"))["result"]["planned"] is False
    ok(client.post("/api/demands", json=DEMAND), 201)
    ticked = ok(client.post("/_admin/simulation/tick"))["result"]
    assert (ticked["planned"], ticked["planned_count"], ticked["released"]) == (True, 2, False)
    assert ok(client.get(f"/api/runs/{ticked['run_id']}"))["trigger"] == "simulation"
    assert ok(client.post("/_admin/simulation/tick"))["result"]["planned"] is False


def test_ticks_from_the_same_state_with_a_fixed_seed_give_the_same_released_plan(auto_client):
    assert auto_client.app.state.simulation.rng is not None and auto_client.app.state.settings.seed == 42
    plans = []
    for _ in range(2):
        ok(auto_client.post("/_admin/reset"))
        ok(auto_client.put("/api/stock/L", json={"on_hand": 0}))  # below its safety stock of 20
        result = ok(auto_client.post("/_admin/simulation/tick"))["result"]
        assert result["released"] is True
        plans.append([(o["item"], o["qty"], o["due_date"], o["status"], o["order_no"])
                      for o in ok(auto_client.get(f"/api/runs/{result['run_id']}"))["planned_orders"]])
    assert plans[0] == plans[1] != []


def _settings(tmp_path):
    from mocks.common import MockSettings

    return MockSettings.from_env("mrp", database_url=f"sqlite:///{tmp_path}/e.db")
