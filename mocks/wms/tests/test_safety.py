"""Safety stock: one alert per downward crossing, with a lot-sized suggestion and substitutes."""

from __future__ import annotations

from mocks.wms.tests.conftest import CHAIR, DESK, LEG, order, outbox


def issue(client, sku, wh, qty):
    r = client.post("/api/stock/issue", json={"sku": sku, "wh": wh, "qty": qty, "ref": "MO-1"})
    assert r.status_code == 200, r.text


def test_falling_below_safety_stock_alerts_once_per_crossing(client):
    issue(client, LEG, "WH01", 20)            # 40 → 20: at safety stock, not below
    assert outbox(client, "stock/below-safety") == []
    issue(client, LEG, "WH01", 5)             # 15 < 20: alert
    issue(client, LEG, "WH01", 5)             # still below: no second alert
    [alert] = outbox(client, "stock/below-safety")
    assert alert | {"ts": 0} == {"sku": LEG, "wh": "WH01", "available": 15, "safety": 20, "shortfall": 5,
                                 "suggested": 100, "incoming": 100, "subs": [], "ts": 0}
    client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 100}]})  # recovers
    issue(client, LEG, "WH01", 100)           # 110 → 10: a new crossing
    alerts = outbox(client, "stock/below-safety")
    assert len(alerts) == 2 and alerts[1]["available"] == 10


def test_a_reservation_can_cross_safety_stock_and_the_alert_names_substitutes(client):
    r = client.put(f"/api/skus/{CHAIR}", json={"name": "人体工学办公椅", "cls": "FG", "safety": 10, "subs": [DESK]})
    assert r.status_code == 200 and r.json()["subs"] == [DESK]
    order(client, "SO-1", [(CHAIR, 25)])      # 30 → 5 available
    [alert] = outbox(client, "stock/below-safety")
    assert (alert["sku"], alert["available"], alert["shortfall"], alert["suggested"]) == (CHAIR, 5, 5, 5)
    assert alert["subs"] == [{"sku": DESK, "name": "办公桌 1200", "wh": "WH02", "available": 20}]


def test_raising_a_safety_stock_above_availability_alerts_at_once(client):
    r = client.put(f"/api/skus/{DESK}", json={"name": "办公桌 1200", "cls": "FG", "supply": "MAKE", "safety": 25})
    assert r.status_code == 200
    [alert] = outbox(client, "stock/below-safety")
    assert (alert["sku"], alert["shortfall"]) == (DESK, 5)


def test_a_substitute_must_be_a_known_sku_other_than_itself(client):
    r = client.put(f"/api/skus/{CHAIR}", json={"name": "椅", "cls": "FG", "subs": ["SKU-NOPE"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "subs.0"
    r = client.put(f"/api/skus/{CHAIR}", json={"name": "椅", "cls": "FG", "subs": [CHAIR]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "subs.0"
