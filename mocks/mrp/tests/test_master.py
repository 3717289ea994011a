"""Items and BOMs: planning parameters, versions, cycle detection, low-level codes."""

from __future__ import annotations

from mocks.mrp.tests.conftest import events, ok

NEW_ITEM = {"name": "Standing desk", "supply": "make", "lead_time_days": 5, "std_cost": 1500, "item_class": "FG"}


def test_the_seed_holds_the_companys_items_boms_stock_and_open_purchase_order(client):
    items = {i["code"]: i for i in ok(client.get("/api/items"))}
    assert set(items) == {"T", "TP", "L", "B", "BT", "C"}
    assert (items["L"]["safety_stock"], items["L"]["lot_min"], items["L"]["lot_multiple"]) == (20, 100, 50)
    assert items["BT"]["low_level_code"] == 2
    boms = ok(client.get("/api/boms"))
    assert [(b["parent_item"], b["version"]) for b in boms] == [("T", "A"), ("TP", "A")]
    assert [(ln["component"], ln["qty"]) for ln in boms[0]["lines"]] == [("TP", 1), ("L", 4), ("BT", 8)]
    assert ok(client.get("/api/stock/BT"))["on_hand"] == 500
    [po] = ok(client.get("/api/supplies/PO-2026-0001"))
    assert (po["item"], po["qty"], po["status"]) == ("L", 100, "open")


def test_an_item_upsert_creates_then_updates_and_is_idempotent(client):
    assert client.put("/api/items/SD", json=NEW_ITEM).status_code == 201
    again = client.put("/api/items/SD", json=NEW_ITEM)
    assert again.status_code == 200
    changed = ok(client.put("/api/items/SD", json={**NEW_ITEM, "safety_stock": 5}))
    assert changed["safety_stock"] == 5 and changed["supply"] == "make"


def test_a_bom_that_makes_an_item_its_own_component_is_refused_naming_the_component(client):
    r = client.post("/api/boms", json={"parent_item": "TP", "version": "B",
                                        "lines": [{"component": "B", "qty": 2}, {"component": "T", "qty": 1}]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "bom_cycle" and error["field"] == "lines.1.component"
    assert "component T would make TP its own component (TP → T → TP)" in error["message"]


def test_a_cycle_through_several_boms_is_detected(client):
    ok(client.put("/api/items/SD", json=NEW_ITEM), 201)
    ok(client.post("/api/boms", json={"parent_item": "SD", "version": "A", "lines": [{"component": "T", "qty": 1}]}),
       201)
    r = client.post("/api/boms", json={"parent_item": "TP", "version": "A",
                                        "lines": [{"component": "B", "qty": 2}, {"component": "SD", "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.1.component"
    assert "TP → SD → T → TP" in r.json()["error"]["message"]
    assert [ln["component"] for ln in ok(client.get("/api/boms", params={"parent_item": "TP"}))[0]["lines"]] == [
        "B", "BT"]


def test_a_direct_self_reference_is_a_cycle(client):
    r = client.post("/api/boms", json={"parent_item": "T", "version": "Z", "lines": [{"component": "T", "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bom_cycle"


def test_low_level_codes_follow_the_deepest_use_of_an_item(client):
    ok(client.put("/api/items/SD", json=NEW_ITEM), 201)
    ok(client.post("/api/boms", json={"parent_item": "SD", "version": "A", "lines": [{"component": "T", "qty": 1}]}),
       201)
    levels = {i["code"]: i["low_level_code"] for i in ok(client.get("/api/items"))}
    assert levels == {"SD": 0, "T": 1, "TP": 2, "L": 2, "B": 3, "BT": 3, "C": 0}


def test_a_bom_names_only_known_items_and_a_made_parent(client):
    r = client.post("/api/boms", json={"parent_item": "T", "version": "B", "lines": [{"component": "NOPE", "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.component"
    r = client.post("/api/boms", json={"parent_item": "L", "version": "A", "lines": [{"component": "BT", "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "parent_not_made"


def test_saving_a_bom_version_again_is_idempotent_and_a_change_is_announced(client):
    body = {"parent_item": "TP", "version": "A", "effective_from": "20260101",
            "lines": [{"component": "B", "qty": 2}, {"component": "BT", "qty": 4}]}
    assert client.post("/api/boms", json=body).status_code == 200
    assert events(client, "bom.saved") == []
    body["lines"][1]["qty"] = 6
    saved = ok(client.post("/api/boms", json=body))
    assert saved["lines"][1]["qty"] == 6
    [event] = events(client, "bom.saved")
    assert event["data"]["parent_item"] == "TP" and event["data"]["version"] == "A"
    assert event["data"]["lines"][0] == {"line_no": 10, "component": "B", "qty": 2, "uom": "PCS"}


def test_the_run_uses_the_bom_version_in_effect_at_its_start(client):
    ok(client.post("/api/boms", json={"parent_item": "T", "version": "B", "effective_from": "20270301",
                                       "lines": [{"component": "TP", "qty": 1}, {"component": "L", "qty": 4}]}), 201)
    ok(client.post("/api/demands", json={"source_ref": "SO-9", "item": "T", "qty": 25, "due_date": "20270315"}), 201)
    before = ok(client.post("/api/runs", json={"start_date": "20270201", "horizon": 60}), 201)
    after = ok(client.post("/api/runs", json={"start_date": "20270301", "horizon": 60}), 201)
    assert {o["bom_version"] for o in before["planned_orders"] if o["item"] == "T"} == {"A"}
    assert {o["bom_version"] for o in after["planned_orders"] if o["item"] == "T"} == {"B"}
