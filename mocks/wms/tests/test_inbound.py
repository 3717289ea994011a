"""Inbound: ASNs, receipts that flag discrepancies, put-away, production receipts."""

from __future__ import annotations

from mocks.wms.tests.conftest import BOARD, DESK, LEG, asn, avail, changes, order, outbox


def test_an_asn_is_upserted_by_purchase_order_number(client):
    first = asn(client, "PO-2026-0100", [(LEG, 100)], eta=1767225600000)
    again = asn(client, "PO-2026-0100", [(LEG, 120)], eta=1767830400000)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["asn"] == first.json()["asn"]
    assert again.json()["lines"][0]["qty"] == 120 and again.json()["eta"] == 1767830400000
    assert len(client.get("/api/asn", params={"ref": "PO-2026-0100"}).json()) == 1


def test_an_asn_for_an_unknown_supplier_or_sku_names_the_field(client):
    r = asn(client, "PO-X", [(LEG, 1)], supplier="SUP-9999")
    assert r.status_code == 422 and r.json()["error"]["field"] == "supplier"
    r = asn(client, "PO-X", [(LEG, 1), ("SKU-NOPE", 1)])
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.1.sku"


def test_a_supplier_delay_moves_the_expected_date(client):
    r = client.patch("/api/asn/PO-2026-0001", json={"eta": 1800000000000, "lines": [{"ln": 1, "qty": 80}]})
    assert r.status_code == 200, r.text
    inc = avail(client, LEG, "WH01")["incoming"][0]
    assert (inc["eta"], inc["qty"]) == (1800000000000, 80)


def test_a_short_receipt_is_flagged_not_silently_accepted(client):
    r = client.post("/api/receipts", json={"ref": "PO-2026-0001",
                                           "lines": [{"sku": LEG, "qty": 90, "lot": "KS-260301"}]})
    assert r.status_code == 201, r.text
    rcv = r.json()
    assert rcv["status"] == "DISCREPANCY"
    assert rcv["lines"] == [{"ln": 1, "sku": LEG, "exp": 100, "qty": 90, "lot": "KS-260301", "loc": "RM-RCV",
                             "discrepancy": "short 10"}]
    [ev] = outbox(client, "receipt/completed")
    assert ev["rcv"] == rcv["rcv"] and ev["ref"] == "PO-2026-0001" and ev["supplier"] == "SUP-0003"
    assert ev["lines"][0]["discrepancy"] == "short 10" and ev["lines"][0]["qty"] == 90
    a = avail(client, LEG, "WH01")
    assert a["on_hand"] == 130 and a["incoming"] == []


def test_an_over_receipt_and_an_unscanned_line_are_both_flagged(client):
    asn(client, "PO-8", [(BOARD, 40), (LEG, 20)])
    rcv = client.post("/api/receipts", json={"ref": "PO-8", "lines": [{"sku": BOARD, "qty": 45}]}).json()
    assert [(ln["sku"], ln["qty"], ln["discrepancy"]) for ln in rcv["lines"]] == [
        (BOARD, 45, "over 5"), (LEG, 0, "short 20")]
    assert rcv["lines"][0]["lot"] == rcv["rcv"]  # no lot scanned: the receipt number is the lot


def test_a_receipt_matching_the_asn_is_ok(client):
    asn(client, "PO-9", [(BOARD, 40)])
    rcv = client.post("/api/receipts", json={"asn": "ASN000002", "lines": [{"sku": BOARD, "qty": 40}]}).json()
    assert rcv["status"] == "OK" and rcv["lines"][0]["discrepancy"] is None
    assert client.get("/api/asn/ASN000002").json()["status"] == "RECEIVED"


def test_a_received_asn_cannot_be_received_again(client):
    body = {"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 100}]}
    assert client.post("/api/receipts", json=body).status_code == 201
    r = client.post("/api/receipts", json=body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "asn_closed"


def test_a_receipt_refuses_a_sku_the_asn_does_not_expect(client):
    r = client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": BOARD, "qty": 5}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.sku"
    r = client.post("/api/receipts", json={"ref": "PO-NOPE", "lines": [{"sku": LEG, "qty": 5}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ref"


def test_put_away_moves_received_stock_from_receiving_to_storage(client):
    client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 100, "lot": "KS-1"}]})
    [task] = client.get("/api/putaway").json()
    assert task == {"sku": LEG, "wh": "WH01", "loc": "RM-RCV", "lot": "KS-1", "qty": 100, "to": "RM-A01-01"}
    r = client.post("/api/putaway", json={"sku": LEG, "loc": "RM-RCV", "qty": 60})
    assert r.status_code == 200, r.text
    assert r.json()["to"] == "RM-A01-01" and r.json()["qty"] == 60
    bins = {(b["loc"], b["lot"]): b["on_hand"] for b in client.get("/api/stock", params={"sku": LEG}).json()}
    assert bins == {("RM-A01-01", "LOT-OPENING"): 40, ("RM-A01-01", "KS-1"): 60, ("RM-RCV", "KS-1"): 40}
    assert avail(client, LEG, "WH01")["on_hand"] == 140  # a move inside the warehouse changes no total


def test_put_away_cannot_move_more_than_is_free_at_the_location(client):
    client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 10}]})
    r = client.post("/api/putaway", json={"sku": LEG, "loc": "RM-RCV", "qty": 11})
    assert r.status_code == 409 and "11" in r.json()["error"]["message"] and LEG in r.json()["error"]["message"]
    r = client.post("/api/putaway", json={"sku": LEG, "loc": "RM-RCV", "to": "FG-B01-01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "to"


def test_a_production_receipt_puts_finished_goods_into_wh02_once(client):
    body = {"ref": "MO-2026-0001", "sku": DESK, "qty": 30, "lot": "MO-2026-0001-A"}
    first = client.post("/api/production-receipts", json=body)
    again = client.post("/api/production-receipts", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["wh"] == "WH02" and again.json()["prc"] == first.json()["prc"]
    assert avail(client, DESK, "WH02")["on_hand"] == 50
    ev = changes(client)[-1]
    assert (ev["reason"], ev["delta"], ev["ext"], ev["on_hand"]) == ("production", 30, "MO-2026-0001", 50)


def test_a_production_receipt_serves_backordered_orders_oldest_first(client):
    order(client, "SO-A", [(DESK, 25)])   # 20 reserved, 5 backordered
    order(client, "SO-B", [(DESK, 10)])   # all 10 backordered
    assert client.get("/api/outbound/SO-B").json()["status"] == "BACKORDER"
    client.post("/api/production-receipts", json={"ref": "MO-2", "sku": DESK, "qty": 12})
    a, b = client.get("/api/outbound/SO-A").json(), client.get("/api/outbound/SO-B").json()
    assert (a["status"], a["lines"][0]["backorder"]) == ("ALLOCATED", 0)
    assert (b["status"], b["lines"][0]["alloc"], b["lines"][0]["backorder"]) == ("BACKORDER", 7, 3)
    assert avail(client, DESK, "WH02")["available"] == 0


def test_a_partial_receipt_keeps_the_asn_open_and_the_next_expects_the_rest(client):
    asn(client, "PO-10", [(BOARD, 40), (LEG, 20)])
    first = client.post("/api/receipts", json={"ref": "PO-10", "partial": True,
                                               "lines": [{"sku": BOARD, "qty": 25}]}).json()
    assert first["status"] == "OK", "short of the whole delivery is expected when more is on its way"
    assert [(ln["exp"], ln["qty"], ln["discrepancy"]) for ln in first["lines"]] == [(40, 25, None), (20, 0, None)]
    assert client.get("/api/asn", params={"ref": "PO-10"}).json()[0]["status"] == "OPEN"
    rest = client.post("/api/receipts", json={"ref": "PO-10", "lines": [{"sku": BOARD, "qty": 15},
                                                                         {"sku": LEG, "qty": 20}]}).json()
    assert [(ln["exp"], ln["qty"], ln["discrepancy"]) for ln in rest["lines"]] == [(15, 15, None), (20, 20, None)]
    assert rest["status"] == "OK"
    assert client.get("/api/asn", params={"ref": "PO-10"}).json()[0]["status"] == "RECEIVED"
