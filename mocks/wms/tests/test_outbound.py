"""Outbound: reserve what is available (backorder the rest), pick, ship, cancel."""

from __future__ import annotations

from mocks.wms.tests.conftest import CHAIR, DESK, avail, changes, order, outbox


def test_an_outbound_order_reserves_what_is_available_and_backorders_the_rest(client):
    r = order(client, "SO-2026-0001", [(DESK, 25), (CHAIR, 5)])
    assert r.status_code == 201, r.text
    ob = r.json()
    assert ob["ob"].startswith("OB") and ob["ref"] == "SO-2026-0001" and ob["status"] == "BACKORDER"
    assert [(ln["sku"], ln["alloc"], ln["backorder"]) for ln in ob["lines"]] == [(DESK, 20, 5), (CHAIR, 5, 0)]
    assert avail(client, DESK, "WH02")["reserved"] == 20
    reserve = [e for e in changes(client) if e["reason"] == "reserve"]
    assert {(e["sku"], e["reserved"], e["delta"], e["ext"]) for e in reserve} == {
        (DESK, 20, 0, "SO-2026-0001"), (CHAIR, 5, 0, "SO-2026-0001")}


def test_a_ship_complete_order_beyond_availability_is_refused_naming_sku_and_quantity(client):
    r = order(client, "SO-2", [(CHAIR, 2), (DESK, 21)], partial=False)
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["field"] == "lines.1.qty" and DESK in err["message"] and "21" in err["message"]
    assert avail(client, CHAIR, "WH02")["reserved"] == 0  # nothing half-applied


def test_the_same_sales_order_sent_twice_creates_one_outbound_order(client):
    first, again = order(client, "SO-3", [(DESK, 4)]), order(client, "SO-3", [(DESK, 4)])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ob"] == first.json()["ob"]
    assert avail(client, DESK, "WH02")["reserved"] == 4


def test_an_outbound_order_for_an_unknown_customer_or_sku_names_the_field(client):
    r = order(client, "SO-4", [(DESK, 1)], cust="C999")
    assert r.status_code == 422 and r.json()["error"]["field"] == "cust"
    r = order(client, "SO-4", [(DESK, 1), ("SKU-NOPE", 1)])
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.1.sku"
    assert client.get("/api/outbound/SO-4").status_code == 404


def test_picking_moves_reserved_stock_to_the_dock(client):
    order(client, "SO-5", [(DESK, 6)])
    r = client.post("/api/outbound/SO-5/pick")
    assert r.status_code == 200, r.text
    ob = r.json()
    assert ob["status"] == "PICKED" and ob["lines"][0]["picked"] == 6
    assert ob["lines"][0]["allocs"] == [{"loc": "FG-SHIP", "lot": "LOT-OPENING", "qty": 6, "state": "PICKED"}]
    bins = {b["loc"]: (b["on_hand"], b["reserved"]) for b in client.get("/api/stock", params={"sku": DESK}).json()}
    assert bins == {"FG-B01-01": (14, 0), "FG-SHIP": (6, 6)}


def test_picking_more_than_is_reserved_is_refused(client):
    order(client, "SO-6", [(DESK, 25)])
    r = client.post("/api/outbound/SO-6/pick", json={"lines": [{"ln": 1, "qty": 21}]})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["field"] == "lines.0.qty" and DESK in err["message"] and "21" in err["message"]


def test_what_was_not_picked_cannot_ship(client):
    order(client, "SO-7", [(DESK, 3)])
    r = client.post("/api/outbound/SO-7/ship", json={"carrier": "SF"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_picked"
    assert avail(client, DESK, "WH02")["on_hand"] == 20


def test_shipping_issues_the_picked_stock_and_emits_the_dispatch_with_a_generated_waybill(client):
    order(client, "SO-8", [(DESK, 4), (CHAIR, 2)])
    client.post("/api/outbound/SO-8/pick", json={"lines": [{"ln": 1, "qty": 4}, {"ln": 2, "qty": 1}]})
    r = client.post("/api/outbound/SO-8/ship", json={"carrier": "SF"})
    assert r.status_code == 201, r.text
    shp = r.json()
    assert shp["shp"].startswith("SHP") and shp["waybill"].startswith("SF") and len(shp["waybill"]) == 14
    assert [(ln["sku"], ln["qty"], ln["lot"]) for ln in shp["lines"]] == [(DESK, 4, "LOT-OPENING"),
                                                                         (CHAIR, 1, "LOT-OPENING")]
    [ev] = outbox(client, "shipment/dispatched")
    assert ev | {"ts": 0} == {"shp": shp["shp"], "ob": shp["ob"], "ref": "SO-8", "cust": "C101", "wh": "WH02",
                              "carrier": "SF", "waybill": shp["waybill"], "ts": 0,
                              "lines": [{"ln": 1, "sku": DESK, "qty": 4, "lot": "LOT-OPENING"},
                                        {"ln": 2, "sku": CHAIR, "qty": 1, "lot": "LOT-OPENING"}]}
    d = avail(client, DESK, "WH02")
    assert (d["on_hand"], d["reserved"]) == (16, 0)
    c = avail(client, CHAIR, "WH02")
    assert (c["on_hand"], c["reserved"]) == (29, 1)  # the unpicked chair stays reserved
    assert client.get("/api/outbound/SO-8").json()["status"] == "PART_SHIPPED"


def test_a_given_waybill_is_kept_and_a_fully_shipped_order_is_closed(client):
    order(client, "SO-9", [(CHAIR, 3)])
    client.post("/api/outbound/SO-9/pick")
    shp = client.post("/api/outbound/SO-9/ship", json={"carrier": "JD", "waybill": "JD0012345678"}).json()
    assert shp["waybill"] == "JD0012345678"
    assert client.get("/api/outbound/SO-9").json()["status"] == "SHIPPED"
    assert client.get("/api/shipments", params={"ref": "SO-9"}).json()[0]["shp"] == shp["shp"]
    assert client.post("/api/outbound/SO-9/cancel").status_code == 409


def test_cancelling_an_order_gives_its_reservations_back(client):
    order(client, "SO-10", [(DESK, 10)])
    client.post("/api/outbound/SO-10/pick", json={"lines": [{"ln": 1, "qty": 4}]})
    r = client.post("/api/outbound/SO-10/cancel", json={"reason": "customer withdrew"})
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    a = avail(client, DESK, "WH02")
    assert (a["on_hand"], a["reserved"], a["available"]) == (20, 0, 20)
    assert client.post("/api/outbound/SO-10/pick").status_code == 409
