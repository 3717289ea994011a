"""Inventory value at standard cost: seeded, raised by production receipts, lowered by deliveries."""

from __future__ import annotations

from mocks.erp.tests.conftest import DESK, LEG, deliver, error, place_order


def test_seeded_stock_is_valued_at_on_hand_times_standard_cost(client):
    value = client.get("/api/inventory-value").json()
    assert {i["material"]: (i["qty"], i["value"]) for i in value["items"]} == {
        "100-0001": (20, "15200.00"), "100-0002": (30, "11400.00"), "200-0001": (10, "2100.00"),
        "300-0001": (40, "1800.00"), "300-0002": (50, "3000.00"), "300-0003": (500, "175.00")}
    assert value["total_value"] == "33675.00"


def test_a_production_receipt_adds_good_quantity_at_standard_cost_once_per_order(client):
    body = {"order_ref": "MO-2026-0001", "material": DESK, "qty_good": 30, "qty_scrap": 2, "so_ref": "SO-CRM-1"}
    first = client.post("/api/production-receipts", json=body)
    again = client.post("/api/production-receipts", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["value"] == "22800.00" and again.json()["receipt_no"] == first.json()["receipt_no"]
    assert client.get(f"/api/inventory-value/{DESK}").json()["qty"] == 50
    assert client.get("/api/inventory-value").json()["total_value"] == "56475.00"


def test_a_production_receipt_of_a_bought_or_unknown_material_is_refused_naming_material(client):
    bought = error(client.post("/api/production-receipts", json={"order_ref": "MO-1", "material": LEG,
                                                                 "qty_good": 1}))
    assert bought["code"] == "not_produced_in_house" and bought["field"] == "material"
    unknown = error(client.post("/api/production-receipts", json={"order_ref": "MO-1", "material": "100-9999",
                                                                  "qty_good": 1}))
    assert unknown["field"] == "material"


def test_a_delivery_issues_stock_at_standard_cost(client):
    order = place_order(client, items=[{"material": DESK, "qty": 5}])
    deliver(client, order["so_number"], [{"material": DESK, "qty": 5}], "SHP-1")
    assert client.get(f"/api/inventory-value/{DESK}").json() == {
        "material": DESK, "description": "办公桌 1200", "warehouse": "2000", "qty": 15, "std_cost": "760.00",
        "value": "11400.00"}


def test_an_unknown_material_in_the_path_is_404(client):
    assert client.get("/api/inventory-value/999-0000").status_code == 404
