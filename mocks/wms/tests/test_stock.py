"""Stock, availability and the ledger: nothing ever goes negative, every change is recorded."""

from __future__ import annotations

from mocks.wms.tests.conftest import BOARD, DESK, LEG, asn, avail, order, outbox


def test_seed_puts_each_items_opening_stock_in_its_home_warehouse(client):
    assert avail(client, LEG, "WH01")["on_hand"] == 40
    assert avail(client, LEG, "WH02")["on_hand"] == 0
    assert avail(client, DESK, "WH02")["on_hand"] == 20
    bins = client.get("/api/stock", params={"sku": DESK}).json()
    assert [(b["wh"], b["loc"], b["on_hand"]) for b in bins] == [("WH02", "FG-B01-01", 20)]
    opening = client.get("/api/movements", params={"sku": DESK}).json()
    assert [(m["type"], m["qty"]) for m in opening] == [("OPENING", 20)]


def test_available_is_on_hand_minus_reserved(client):
    order(client, "SO-1", [(DESK, 8)])
    a = avail(client, DESK, "WH02")
    assert (a["on_hand"], a["reserved"], a["available"]) == (20, 8, 12)


def test_issuing_beyond_availability_is_refused_naming_sku_and_quantity(client):
    order(client, "SO-1", [(DESK, 15)])
    r = client.post("/api/stock/issue", json={"sku": DESK, "wh": "WH02", "qty": 6, "ref": "MO-9"})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "insufficient_stock" and err["field"] == "qty"
    assert DESK in err["message"] and "6" in err["message"] and "only 5" in err["message"]
    assert avail(client, DESK, "WH02")["on_hand"] == 20


def test_an_issue_writes_a_movement_and_emits_one_aggregate_inventory_change(client):
    r = client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 12, "ref": "MO-2026-0007"})
    assert r.status_code == 200, r.text
    [mv] = client.get("/api/movements", params={"ref": "MO-2026-0007"}).json()
    assert (mv["type"], mv["sku"], mv["qty"], mv["on_hand_delta"]) == ("ISSUE", BOARD, 12, -12)
    [ev] = outbox(client, "inventory/changed")
    assert ev | {"ts": 0} == {"sku": BOARD, "wh": "WH01", "on_hand": 38, "reserved": 0, "available": 38,
                              "delta": -12, "reason": "issue", "ref": None, "ext": "MO-2026-0007",
                              "mvs": [mv["mv"]], "ts": 0}


def test_a_change_spanning_several_lots_is_one_event_per_sku_and_warehouse(client):
    asn(client, "PO-7", [(BOARD, 30)], supplier="SUP-0002")
    client.post("/api/receipts", json={"ref": "PO-7", "lines": [{"sku": BOARD, "qty": 30, "lot": "B-2601"}]})
    before = len(outbox(client, "inventory/changed"))
    client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 60, "ref": "MO-1"})
    events = outbox(client, "inventory/changed")[before:]
    assert len(events) == 1 and events[0]["delta"] == -60 and len(events[0]["mvs"]) == 2
    taken = client.get("/api/movements", params={"ref": "MO-1"}).json()
    assert [m["lot"] for m in taken] == ["LOT-OPENING", "B-2601"]  # stored stock first, oldest lot first


def test_availability_lists_open_asn_lines_as_incoming_with_their_eta(client):
    a = avail(client, LEG, "WH01")
    assert a["incoming"] == [{"asn": "ASN000001", "ln": 1, "ref": "PO-2026-0001", "supplier": "SUP-0003",
                              "wh": "WH01", "qty": 100, "eta": a["incoming"][0]["eta"]}]
    assert isinstance(a["incoming"][0]["eta"], int) and a["incoming"][0]["eta"] > a["ts"]


def test_availability_of_an_unknown_sku_names_the_field(client):
    r = client.get("/api/availability", params={"sku": "SKU-NOPE"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sku"


def test_availability_over_all_warehouses_is_marked_all(client):
    assert avail(client, DESK)["wh"] == "ALL"
