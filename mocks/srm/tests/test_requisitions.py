"""Requisitions: taken in, waiting for approval, rejected or approved into purchase orders."""

from __future__ import annotations

import re

from mocks.srm.tests.conftest import (
    BOARDS,
    BOLTS,
    KUAIDA,
    LEGS,
    SENLIN,
    YONGGU,
    approve,
    day,
    outbox,
    received,
    requisition,
)


def test_a_requisition_waits_for_approval_and_orders_nothing(client):
    r = client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 250, day(30)), budgetCode="PUR-2026-RM",
                                                          estimatedAmount=10500))
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "AWAITING_APPROVAL" and body["origin"] == "MRP" and body["budgetCode"] == "PUR-2026-RM"
    assert body["lines"] == [{"lineNo": 1, "materialCode": LEGS, "qty": 250.0, "needBy": day(30),
                              "sourcingStatus": None, "supplierId": None, "poNo": None, "score": None,
                              "reason": None, "candidates": None}]
    waiting = client.get("/api/requisitions", params={"status": "awaiting_approval"}).json()
    assert [q["requisitionNo"] for q in waiting] == ["PR-1"]
    assert outbox(client, "po.issued") == []


def test_a_requisition_for_an_unknown_material_names_the_line_field(client):
    r = client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 1, day(9)), ("M-NOPE", 5, day(9))))
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "lines.1.materialCode" and r.json()["error"]["code"] == "unknown_material"


def test_a_requisition_with_an_iso_date_names_need_by(client):
    r = client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 1, "2026-12-01")))
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.needBy"


def test_sending_the_same_requisition_again_keeps_one(client):
    body = requisition("PR-1", (LEGS, 250, day(30)))
    assert client.post("/api/requisitions", json=body).status_code == 201
    assert client.post("/api/requisitions", json=body).status_code == 200
    assert len(client.get("/api/requisitions").json()) == 1


def test_a_rejected_requisition_is_rejected_and_nothing_is_ordered(client):
    client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 250, day(30))))
    r = client.post("/api/requisitions/PR-1/approval",
                    json={"decision": "rejected", "approvalId": "AP-9", "decidedBy": "zhangwei", "comment": "预算不足"})
    assert r.status_code == 200
    assert r.json()["status"] == "REJECTED" and r.json()["reason"] == "预算不足" and r.json()["purchaseOrders"] == []
    assert r.json()["approvalId"] == "AP-9"
    assert client.get("/api/purchaseOrders", params={"requisitionNo": "PR-1"}).json() == []
    assert outbox(client, "po.issued") == []


def test_an_approved_requisition_issues_one_po_per_chosen_supplier(client, receiver):
    req = approve(client, "PR-7", (LEGS, 250, day(8)), (BOARDS, 110, day(20)), (BOLTS, 1000, day(20)))
    assert req["status"] == "ORDERED"
    assert [line["supplierId"] for line in req["lines"]] == [YONGGU, SENLIN, YONGGU]
    assert len(req["purchaseOrders"]) == 2
    issued = received(receiver, "po.issued", 2)
    by_supplier = {e["data"]["supplierId"]: e["data"] for e in issued}
    yonggu = by_supplier[YONGGU]
    assert re.fullmatch(r"PO\d{8}\d{3}", yonggu["poNo"]) and yonggu["poNo"][2:10] == day(0).replace("/", "")
    assert yonggu["currency"] == "CNY" and yonggu["requisitionRefs"] == ["PR-7"]
    assert [(ln["lineNo"], ln["materialCode"], ln["qty"], ln["unitPrice"], ln["promisedDate"])
            for ln in yonggu["lines"]] == [(1, LEGS, 250.0, 46.0, day(8)), (2, BOLTS, 1000.0, 0.32, day(20))]
    assert yonggu["total"] == 250 * 46 + 1000 * 0.32
    assert by_supplier[SENLIN]["lines"][0]["unitPrice"] == 58.0
    assert {po["poNo"] for po in client.get("/api/purchaseOrders", params={"requisitionNo": "PR-7"}).json()} \
        == set(req["purchaseOrders"])


def test_a_repeated_approval_issues_nothing_more(client):
    first = approve(client, "PR-1", (LEGS, 250, day(30)))
    again = client.post("/api/requisitions/PR-1/approval", json={"decision": "APPROVED"})
    assert again.status_code == 200 and again.json()["purchaseOrders"] == first["purchaseOrders"]
    assert len(outbox(client, "po.issued")) == 1


def test_a_contradicting_decision_after_the_first_is_a_conflict(client):
    approve(client, "PR-1", (LEGS, 250, day(30)))
    r = client.post("/api/requisitions/PR-1/approval", json={"decision": "rejected"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "decision"


def test_a_decided_requisition_cannot_be_changed_by_sending_it_again(client):
    approve(client, "PR-1", (LEGS, 250, day(30)))
    assert client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 250, day(30)))).status_code == 200
    r = client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 300, day(30))))
    assert r.status_code == 409 and r.json()["error"]["field"] == "requisitionNo"


def test_a_requisition_with_an_unsourceable_line_is_partially_ordered(client):
    client.put("/api/materials/M-GLIDE", json={"materialName": "桌脚垫"})
    client.post(f"/api/suppliers/{KUAIDA}/prices", json={"materialCode": "M-GLIDE", "price": 1.5, "validFrom": day(0)})
    req = approve(client, "PR-1", (LEGS, 250, day(30)), ("M-GLIDE", 400, day(30)))
    assert req["status"] == "PARTIALLY_ORDERED" and len(req["purchaseOrders"]) == 1
    assert req["reason"].startswith("line 2: ")


def test_an_approval_for_an_unknown_requisition_is_404(client):
    r = client.post("/api/requisitions/PR-404/approval", json={"decision": "approved"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "requisitionNo"


def test_an_unknown_decision_word_names_decision(client):
    client.post("/api/requisitions", json=requisition("PR-1", (LEGS, 250, day(30))))
    r = client.post("/api/requisitions/PR-1/approval", json={"decision": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "decision"
