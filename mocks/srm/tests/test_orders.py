"""Purchase orders: direct issue, the lifecycle (confirm, delay, receive, close), and its illegal moves."""

from __future__ import annotations

import re

import pytest

from mocks.srm.tests.conftest import (
    BOLTS,
    KUAIDA,
    KUNSHAN,
    LEGS,
    SEEDED_PO,
    YONGGU,
    confirm_all,
    day,
    issue,
    outbox,
    received,
)


def test_the_open_po_of_the_company_is_seeded_confirmed(client):
    po = client.get(f"/api/purchaseOrders/{SEEDED_PO}").json()
    assert po["supplierId"] == KUNSHAN and po["supplierName"] == "昆山精工金属有限公司" and po["status"] == "CONFIRMED"
    assert [(ln["materialCode"], ln["qty"], ln["unitPrice"], ln["expectedDate"]) for ln in po["lines"]] \
        == [(LEGS, 100.0, 42.0, day(14))]


def test_a_po_for_a_blocked_supplier_is_refused_naming_supplier_id_and_the_rule(client):
    r = client.post("/api/purchaseOrders", json={"supplierId": KUAIDA, "lines": [{"materialCode": BOLTS, "qty": 500}]})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "supplierId" and r.json()["error"]["code"] == "supplier_blocked"
    assert "BLOCKED" in r.json()["error"]["message"]
    assert outbox(client, "po.issued") == []


def test_a_po_for_a_pending_supplier_is_refused(client):
    client.patch(f"/api/suppliers/{YONGGU}", json={"status": "PENDING"})
    r = client.post("/api/purchaseOrders", json={"supplierId": YONGGU, "lines": [{"materialCode": BOLTS, "qty": 500}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "supplier_not_approved"


def test_a_po_for_an_unknown_supplier_or_material_names_the_field(client):
    r = client.post("/api/purchaseOrders", json={"supplierId": "SUP-9999", "lines": [{"materialCode": LEGS, "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "supplierId"
    r = client.post("/api/purchaseOrders", json={"supplierId": KUNSHAN, "lines": [{"materialCode": "X", "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.materialCode"


def test_a_direct_po_is_numbered_by_day_priced_from_the_price_list_and_announced(client, receiver):
    first = issue(client, KUNSHAN, {"materialCode": LEGS, "qty": 200}, externalRef="ERP-PR-88")
    second = issue(client, KUNSHAN, {"materialCode": BOLTS, "qty": 500})
    stamp = day(0).replace("/", "")
    assert (first["poNo"], second["poNo"]) == (f"PO{stamp}001", f"PO{stamp}002")
    assert first["status"] == "ISSUED" and first["lines"][0]["unitPrice"] == 42.0
    assert first["lines"][0]["promisedDate"] == day(14) and first["total"] == 8400.0
    [event, _] = received(receiver, "po.issued", 2)
    assert event["data"]["poNo"] == first["poNo"] and event["data"]["externalRef"] == "ERP-PR-88"


def test_a_po_sent_again_with_the_same_external_ref_is_not_issued_twice(client):
    first = issue(client, KUNSHAN, externalRef="ERP-PR-88")
    again = client.post("/api/purchaseOrders", json={"supplierId": KUNSHAN, "externalRef": "ERP-PR-88",
                                                     "lines": [{"materialCode": LEGS, "qty": 200}]})
    assert again.status_code == 200 and again.json()["poNo"] == first["poNo"]
    assert len(outbox(client, "po.issued")) == 1


def test_a_repeated_idempotency_key_issues_the_po_once(client):
    body = {"supplierId": KUNSHAN, "lines": [{"materialCode": LEGS, "qty": 200}]}
    first = client.post("/api/purchaseOrders", json=body, headers={"Idempotency-Key": "hub-delivery-1"})
    again = client.post("/api/purchaseOrders", json=body, headers={"Idempotency-Key": "hub-delivery-1"})
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 1}
    assert len(client.get("/api/purchaseOrders", params={"status": "ISSUED"}).json()) == 1


def test_a_confirmation_as_ordered_confirms_the_po_and_is_announced(client, receiver):
    po = issue(client)
    done = confirm_all(client, po)
    assert done["status"] == "CONFIRMED" and done["lines"][0]["lineStatus"] == "ACCEPTED"
    assert done["lines"][0]["confirmedQty"] == 200.0 and done["lines"][0]["confirmedDate"] == day(20)
    [event] = received(receiver, "po.confirmed")
    assert event["data"]["poNo"] == po["poNo"] and event["data"]["status"] == "CONFIRMED"
    assert event["data"]["lines"] == [{"lineNo": 1, "materialCode": LEGS, "orderedQty": 200.0,
                                       "lineStatus": "ACCEPTED", "confirmedQty": 200.0, "confirmedDate": day(20)}]


def test_a_confirmation_with_another_qty_or_date_changes_the_po(client):
    po = issue(client, KUNSHAN, {"materialCode": LEGS, "qty": 200, "promisedDate": day(20)},
               {"materialCode": BOLTS, "qty": 500, "promisedDate": day(20)})
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/confirm", json={"lines": [
        {"lineNo": 1, "status": "accepted", "confirmedDate": day(25)},  # accepted, but a later date
        {"lineNo": 2, "status": "changed", "confirmedQty": 400}]})
    assert r.status_code == 200 and r.json()["status"] == "CHANGED"
    assert [ln["lineStatus"] for ln in r.json()["lines"]] == ["CHANGED", "CHANGED"]
    assert r.json()["lines"][1]["confirmedQty"] == 400.0


def test_a_po_rejected_on_every_line_is_rejected(client):
    po = issue(client)
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/confirm", json={"lines": [{"lineNo": 1, "status": "REJECTED"}]})
    assert r.json()["status"] == "REJECTED" and r.json()["lines"][0]["confirmedQty"] == 0.0


def test_a_confirmation_must_answer_every_line(client):
    po = issue(client, KUNSHAN, {"materialCode": LEGS, "qty": 200}, {"materialCode": BOLTS, "qty": 500})
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/confirm", json={"lines": [{"lineNo": 1, "status": "accepted"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines"
    assert client.get(f"/api/purchaseOrders/{po['poNo']}").json()["status"] == "ISSUED"


@pytest.mark.parametrize("action,body", [
    ("confirm", {"lines": [{"lineNo": 1, "status": "accepted"}]}),
    ("close", None),
])
def test_illegal_transitions_are_a_conflict(client, action, body):
    po = issue(client)
    if action == "confirm":
        confirm_all(client, po)  # confirming twice
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/{action}", json=body)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "illegal_transition" and r.json()["error"]["field"] == "status"


def test_goods_cannot_be_received_before_the_supplier_confirms(client):
    po = issue(client)
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/receipts",
                    json={"receiptNo": "GR-1", "lines": [{"lineNo": 1, "qty": 10}]})
    assert r.status_code == 409 and "ISSUED" in r.json()["error"]["message"]


def test_a_delay_notice_moves_the_line_and_is_announced_with_old_and_new_date(client, receiver):
    po = confirm_all(client, issue(client))
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/delay",
                    json={"lineNo": 1, "newDate": day(27), "qtyAffected": 80, "reason": "设备检修"})
    assert r.status_code == 200
    assert r.json()["lines"][0]["expectedDate"] == day(27) and r.json()["status"] == "CONFIRMED"
    assert r.json()["delayNotices"][0]["oldDate"] == day(20)
    [event] = received(receiver, "po.delayed")
    assert event["data"] == {"poNo": po["poNo"], "supplierId": KUNSHAN, "lineNo": 1, "materialCode": LEGS,
                             "oldDate": day(20), "newDate": day(27), "qtyAffected": 80.0, "reason": "设备检修",
                             "requisitionRefs": []}


def test_a_delay_must_move_the_date_later_and_cover_at_most_the_open_qty(client):
    po = confirm_all(client, issue(client))
    url = f"/api/purchaseOrders/{po['poNo']}/delay"
    r = client.post(url, json={"lineNo": 1, "newDate": day(19), "reason": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "newDate"
    r = client.post(url, json={"lineNo": 1, "newDate": day(25), "qtyAffected": 201, "reason": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "qtyAffected"
    r = client.post(url, json={"lineNo": 9, "newDate": day(25), "reason": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lineNo"


def test_a_delay_before_confirmation_is_a_conflict(client):
    po = issue(client)
    r = client.post(f"/api/purchaseOrders/{po['poNo']}/delay", json={"lineNo": 1, "newDate": day(30), "reason": "x"})
    assert r.status_code == 409


def test_receipts_take_a_po_through_partially_received_and_received_to_closed(client):
    url = f"/api/purchaseOrders/{SEEDED_PO}"
    part = client.post(f"{url}/receipts", json={"receiptNo": "GR-1", "supplierId": KUNSHAN, "lines": [
        {"lineNo": 1, "materialCode": LEGS, "qty": 60, "lot": "L2611", "location": "RM-RCV"}]})
    assert part.status_code == 200 and part.json()["status"] == "PARTIALLY_RECEIVED"
    assert part.json()["lines"][0]["receivedQty"] == 60.0 and part.json()["lines"][0]["openQty"] == 40.0
    rest = client.post(f"{url}/receipts", json={"receiptNo": "GR-2", "lines": [{"lineNo": 1, "qty": 40}]})
    assert rest.json()["status"] == "RECEIVED"
    assert client.post(f"{url}/close").json()["status"] == "CLOSED"
    late = client.post(f"{url}/receipts", json={"receiptNo": "GR-3", "lines": [{"lineNo": 1, "qty": 1}]})
    assert late.status_code == 409


def test_the_same_receipt_sent_twice_is_counted_once(client):
    body = {"receiptNo": "GR-1", "lines": [{"lineNo": 1, "qty": 60}]}
    client.post(f"/api/purchaseOrders/{SEEDED_PO}/receipts", json=body)
    again = client.post(f"/api/purchaseOrders/{SEEDED_PO}/receipts", json=body)
    assert again.status_code == 200 and again.json()["lines"][0]["receivedQty"] == 60.0
    assert len(again.json()["receipts"]) == 1


def test_a_receipt_that_differs_from_the_order_is_flagged_or_refused(client):
    url = f"/api/purchaseOrders/{SEEDED_PO}/receipts"
    wrong = client.post(url, json={"receiptNo": "GR-1", "lines": [{"lineNo": 1, "materialCode": BOLTS, "qty": 5}]})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "lines.0.materialCode"
    other = client.post(url, json={"receiptNo": "GR-1", "supplierId": YONGGU, "lines": [{"lineNo": 1, "qty": 5}]})
    assert other.status_code == 422 and other.json()["error"]["field"] == "supplierId"
    over = client.post(url, json={"receiptNo": "GR-1", "lines": [{"lineNo": 1, "qty": 120}]}).json()
    assert over["status"] == "RECEIVED"
    assert over["receipts"][0]["lines"][0]["discrepancy"] == "OVER_RECEIPT: received 120, open 100"


def test_an_on_time_delivery_raises_the_rating_and_a_late_one_lowers_it(client, receiver):
    client.post(f"/api/purchaseOrders/{SEEDED_PO}/receipts",
                json={"receiptNo": "GR-1", "receivedDate": day(10), "lines": [{"lineNo": 1, "qty": 50}]})
    assert client.get(f"/api/suppliers/{KUNSHAN}").json()["rating"] == 3.9
    client.post(f"/api/purchaseOrders/{SEEDED_PO}/receipts",
                json={"receiptNo": "GR-2", "receivedDate": day(16), "lines": [{"lineNo": 1, "qty": 50}]})
    assert client.get(f"/api/suppliers/{KUNSHAN}").json()["rating"] == 3.6
    events = received(receiver, "supplier.changed", 2)
    assert [e["data"]["rating"] for e in events] == [3.9, 3.6] and events[0]["data"]["changedFields"] == ["rating"]


def test_capacity_shows_lead_time_open_and_in_transit_quantities(client):
    confirm_all(client, issue(client, KUNSHAN, {"materialCode": LEGS, "qty": 200, "promisedDate": day(20)}))
    issue(client, KUNSHAN, {"materialCode": LEGS, "qty": 50, "promisedDate": day(30)})  # not yet confirmed
    client.post(f"/api/purchaseOrders/{SEEDED_PO}/receipts",
                json={"receiptNo": "GR-1", "lines": [{"lineNo": 1, "qty": 30}]})
    r = client.get(f"/api/suppliers/{KUNSHAN}/capacity", params={"material": LEGS})
    assert r.status_code == 200
    [legs] = r.json()["materials"]
    assert legs["leadTimeDays"] == 14 and legs["earliestDeliveryDate"] == day(14)
    assert legs["openPoQty"] == 70 + 200 + 50 and legs["inTransitQty"] == 70 + 200
    assert legs["nextDeliveryDate"] == day(14)
    assert [o["confirmed"] for o in legs["openOrders"]] == [True, True, False]


def test_capacity_for_an_unknown_material_names_material(client):
    r = client.get(f"/api/suppliers/{KUNSHAN}/capacity", params={"material": "M-NOPE"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "material"


def test_po_numbers_follow_the_srm_format(client):
    assert re.fullmatch(r"PO\d{11}", issue(client)["poNo"])
