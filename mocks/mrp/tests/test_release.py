"""Releasing planned orders: numbers, events for MES/OA/SRM, signed webhooks, idempotency."""

from __future__ import annotations

import json
import re

from standardwebhooks.webhooks import Webhook

from mocks.mrp.tests.conftest import W, events, ok, run_worked_example, set_up_worked_example


def test_a_run_announces_its_plan(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    [event] = events(client, "run.completed")
    data = event["data"]
    assert (data["run_id"], data["late_count"], data["bucket_days"]) == (run["run_id"], 0, 7)
    t30 = next(o for o in data["planned_orders"] if (o["item"], o["qty"]) == ("T", 30))
    assert t30 == {"planned_order_id": t30["planned_order_id"], "item": "T", "action": "make", "qty": 30,
                   "uom": "PCS", "due_date": W[3], "release_date": W[2], "late": False, "origin_ref": "SO-EX-1"}


def test_a_released_make_order_becomes_a_numbered_production_order(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    t30 = next(o for o in run["planned_orders"] if (o["item"], o["qty"]) == ("T", 30))
    released = ok(client.post(f"/api/planned-orders/{t30['planned_order_id']}/release"))
    assert (released["status"], released["order_no"]) == ("released", "MO-000001")
    [event] = events(client, "planned_order.released")
    assert event["data"] == {
        "kind": "production", "order_no": "MO-000001", "planned_order_id": t30["planned_order_id"],
        "run_id": run["run_id"], "item": "T", "item_name": "Table", "qty": 30, "uom": "PCS", "bom_version": "A",
        "start_date": W[2], "end_date": W[3], "late": False, "origin_ref": "SO-EX-1"}


def test_releasing_a_released_order_again_changes_nothing(client):
    set_up_worked_example(client)
    order = run_worked_example(client)["planned_orders"][0]
    first = ok(client.post(f"/api/planned-orders/{order['planned_order_id']}/release"))
    again = ok(client.post(f"/api/planned-orders/{order['planned_order_id']}/release"))
    assert first == again
    assert len(events(client, "planned_order.released")) == 1


def test_a_released_buy_order_raises_a_costed_requisition_on_the_right_budget(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    legs = next(o for o in run["planned_orders"] if o["item"] == "L")
    assert ok(client.post(f"/api/planned-orders/{legs['planned_order_id']}/release"))["order_no"] == "PR-000001"
    [event] = events(client, "requisition.created")
    assert event["data"] == {
        "requisition_no": "PR-000001", "planned_order_id": legs["planned_order_id"], "run_id": run["run_id"],
        "item": "L", "item_name": "Leg", "qty": 250, "uom": "PCS", "need_by": W[4], "release_date": W[2],
        "late": False, "unit_cost": 45.0, "estimated_amount": 11250.0, "currency": "CNY",
        "budget_code": "PUR-2026-RM", "origin_ref": "SO-EX-2"}


def test_a_bought_finished_good_is_charged_to_the_finished_goods_budget(client):
    ok(client.post("/api/demands", json={"source_ref": "SO-5", "item": "C", "qty": 40, "due_date": "20270201"}), 201)
    run = ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    ok(client.post(f"/api/runs/{run['run_id']}/release"))
    [event] = events(client, "requisition.created")
    # 30 on hand − 40 demand → −10, back up to safety stock 10: 20 chairs at std cost 380
    assert (event["data"]["qty"], event["data"]["budget_code"], event["data"]["estimated_amount"]) == (
        20, "PUR-2026-FG", 7600.0)


def test_releasing_a_run_releases_all_its_orders_and_numbers_them_in_series(client):
    set_up_worked_example(client)
    run = run_worked_example(client)
    released = ok(client.post(f"/api/runs/{run['run_id']}/release"))["planned_orders"]
    assert sorted(o["order_no"] for o in released if o["action"] == "make") == [
        "MO-000001", "MO-000002", "MO-000003", "MO-000004"]
    assert sorted(o["order_no"] for o in released if o["action"] == "buy") == [
        "PR-000001", "PR-000002", "PR-000003", "PR-000004"]
    assert len(events(client, "planned_order.released")) == 4 and len(events(client, "requisition.created")) == 4


def test_a_replaced_planned_order_or_superseded_run_cannot_be_released(client):
    set_up_worked_example(client)
    first = run_worked_example(client)
    run_worked_example(client)
    r = client.post(f"/api/planned-orders/{first['planned_orders'][0]['planned_order_id']}/release")
    assert r.status_code == 409 and r.json()["error"]["code"] == "planned_order_not_open"
    r = client.post(f"/api/runs/{first['run_id']}/release")
    assert r.status_code == 409 and r.json()["error"]["field"] == "run_id"


def test_unknown_path_ids_are_404_naming_the_field(client):
    r = client.post("/api/planned-orders/999/release")
    assert r.status_code == 404 and r.json()["error"]["field"] == "planned_order_id"
    assert client.get("/api/runs/999").json()["error"]["field"] == "run_id"
    assert client.get("/api/supplies/PO-NOPE").status_code == 404


def test_past_releases_are_flagged_late(client):
    ok(client.post("/api/demands", json={"source_ref": "SO-6", "item": "T", "qty": 25, "due_date": "20270107"}), 201)
    run = ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    t = next(o for o in run["planned_orders"] if o["item"] == "T")
    assert (t["qty"], t["release_date"], t["late"]) == (5, "20261231", True)
    assert run["late_count"] >= 1


def test_events_reach_the_hub_signed_in_mrps_envelope(client, receiver):
    ok(client.post("/api/runs", json={"start_date": "20270104"}), 201)
    [request] = receiver.wait_for(1)
    assert request["path"] == "/webhooks/mrp"
    body = Webhook(client.app.state.settings.secret).verify(request["body"], request["headers"])
    assert set(body) == {"type", "id", "created", "source", "data"}
    assert body["type"] == "run.completed" and body["source"] == "mrp"
    assert body["id"] == request["headers"]["webhook-id"]
    assert re.fullmatch(r"\d{14}", body["created"])
    assert json.loads(request["body"])["data"]["run_id"] == body["data"]["run_id"]


def test_a_repeated_idempotency_key_applies_a_demand_once(auto_client):
    demand = {"source_ref": "SO-2026-000200", "item": "T", "qty": 40, "due_date": "20270201"}
    first = auto_client.post("/api/demands", json=demand, headers={"Idempotency-Key": "dlv-1"})
    again = auto_client.post("/api/demands", json=demand, headers={"Idempotency-Key": "dlv-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert ok(auto_client.get("/_admin/idempotency")) == {"applied": 1, "replayed": 1}
    assert len(ok(auto_client.get("/api/runs"))) == 1
