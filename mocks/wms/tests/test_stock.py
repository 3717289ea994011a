"""Stock, availability and the ledger: nothing ever goes negative, every change is recorded and can be
read page by page."""

from __future__ import annotations

from mocks.wms.tests.conftest import BOARD, DESK, LEG, asn, avail, changes, order


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


def test_an_issue_writes_a_movement_and_books_one_aggregate_stock_change(client):
    r = client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 12, "ref": "MO-2026-0007"})
    assert r.status_code == 200, r.text
    [mv] = client.get("/api/movements", params={"ref": "MO-2026-0007"}).json()
    assert (mv["type"], mv["sku"], mv["qty"], mv["on_hand_delta"]) == ("ISSUE", BOARD, 12, -12)
    [ev] = changes(client)
    assert ev | {"ts": 0} == {"sku": BOARD, "wh": "WH01", "on_hand": 38, "reserved": 0, "available": 38,
                              "delta": -12, "reason": "issue", "ref": None, "ext": "MO-2026-0007",
                              "mvs": [mv["mv"]], "ts": 0}


def test_a_change_spanning_several_lots_is_one_ledger_entry_per_sku_and_warehouse(client):
    asn(client, "PO-7", [(BOARD, 30)], supplier="SUP-0002")
    client.post("/api/receipts", json={"ref": "PO-7", "lines": [{"sku": BOARD, "qty": 30, "lot": "B-2601"}]})
    before = len(changes(client))
    client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 60, "ref": "MO-1"})
    events = changes(client)[before:]
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


def test_the_ledger_is_read_page_by_page_from_a_cursor_and_a_booking_time(client):
    for n in range(5):
        client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 1, "ref": f"MO-{n}"})
    first = client.get("/api/ledger", params={"limit": 2}).json()
    assert [e["ext"] for e in first["items"]] == ["MO-0", "MO-1"] and first["next"] is not None
    rest = client.get("/api/ledger", params={"limit": 2, "cursor": first["next"]}).json()
    assert [e["ext"] for e in rest["items"]] == ["MO-2", "MO-3"]
    last = client.get("/api/ledger", params={"limit": 2, "cursor": rest["next"]}).json()
    assert [e["ext"] for e in last["items"]] == ["MO-4"] and last["next"] is None, "a short page is the last"
    booked = first["items"][0]["booked_at"]
    later = client.get("/api/ledger", params={"since": "2999-01-01T00:00:00+08:00"}).json()
    assert later == {"items": [], "next": None}
    since_first = client.get("/api/ledger", params={"since": "2000-01-01T00:00:00Z"}).json()["items"]
    assert len(since_first) == 5 and booked.endswith("+00:00")


def test_a_stock_change_is_booked_in_the_ledger_not_sent_as_a_webhook(client):
    client.post("/api/stock/issue", json={"sku": BOARD, "wh": "WH01", "qty": 2, "ref": "MO-W"})
    assert [e["ext"] for e in changes(client)] == ["MO-W"]
    assert client.get("/_admin/webhooks").json() == []


def test_a_ledger_read_with_a_malformed_time_is_refused_naming_it(client):
    r = client.get("/api/ledger", params={"since": "yesterday"})
    assert r.status_code == 422 and "since" in r.text
