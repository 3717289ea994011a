"""Supplier selection for an approved requisition: price, lead time, rating; never BLOCKED or PENDING."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mocks.srm.rules.selection import lead_score, score
from mocks.srm.tests.conftest import BOLTS, KUAIDA, KUNSHAN, LEGS, YONGGU, approve, day, outbox

FRESH_TAX_ID = "91320505MA1X0PRM00"


def _chosen(req: dict) -> list[str | None]:
    return [line["supplierId"] for line in req["lines"]]


def test_the_score_weighs_price_lead_time_and_rating_as_documented():
    # 永固 for legs: 46 against the cheapest 42, on time, rating 4.6
    assert score(46, 42, 1.0, 4.6) == pytest.approx(0.5 * 42 / 46 + 0.3 + 0.2 * 4.6 / 5, abs=1e-4)
    today = date(2026, 3, 1)
    assert lead_score(today, 14, today + timedelta(days=14)) == 1.0
    assert lead_score(today, 14, today + timedelta(days=8)) == pytest.approx(1 - 6 / 14)
    assert lead_score(today, 30, today) == 0.0


def test_the_cheapest_supplier_that_can_deliver_in_time_wins(client):
    req = approve(client, "PR-1", (LEGS, 250, day(30)))
    assert _chosen(req) == [KUNSHAN]
    po = client.get(f"/api/purchaseOrders/{req['lines'][0]['poNo']}").json()
    assert po["lines"][0]["unitPrice"] == 42.0 and po["lines"][0]["promisedDate"] == day(30)


def test_a_supplier_that_cannot_deliver_by_need_by_loses_to_a_faster_one(client):
    req = approve(client, "PR-1", (LEGS, 250, day(8)))  # 昆山 needs 14 days, 永固 7
    assert _chosen(req) == [YONGGU]
    [kunshan] = [c for c in req["lines"][0]["candidates"] if c["supplierId"] == KUNSHAN]
    assert kunshan["promisedDate"] == day(14)


def test_a_poor_rating_can_outweigh_a_lower_price(client):
    client.patch(f"/api/suppliers/{KUNSHAN}", json={"rating": 1.0})
    assert _chosen(approve(client, "PR-1", (LEGS, 250, day(30)))) == [YONGGU]


def test_a_blocked_supplier_is_never_chosen_even_when_cheapest(client):
    req = approve(client, "PR-1", (BOLTS, 1000, day(30)), (LEGS, 100, day(30)))  # 快达 is cheapest for both
    assert KUAIDA not in _chosen(req)
    assert all(c["supplierId"] != KUAIDA for line in req["lines"] for c in line["candidates"])


def test_a_pending_supplier_is_never_chosen_until_it_is_approved(client):
    new = client.post("/api/suppliers", json={"supplierName": "苏州新锐金属有限公司", "taxId": FRESH_TAX_ID,
                                              "defaultLeadTimeDays": 3, "rating": 5}).json()
    client.post(f"/api/suppliers/{new['supplierId']}/prices", json={"materialCode": LEGS, "price": 20,
                                                                    "validFrom": day(-1)})
    assert _chosen(approve(client, "PR-1", (LEGS, 100, day(30)))) == [KUNSHAN]
    client.patch(f"/api/suppliers/{new['supplierId']}", json={"status": "APPROVED"})
    assert _chosen(approve(client, "PR-2", (LEGS, 100, day(30)))) == [new["supplierId"]]


def test_a_material_without_an_approved_source_is_no_source_with_the_reason(client):
    client.put("/api/materials/M-GLIDE", json={"materialName": "桌脚垫"})
    client.post(f"/api/suppliers/{KUAIDA}/prices", json={"materialCode": "M-GLIDE", "price": 1.5,
                                                         "validFrom": day(-1)})
    req = approve(client, "PR-1", ("M-GLIDE", 400, day(20)))
    assert req["status"] == "NO_SOURCE" and req["purchaseOrders"] == []
    assert "M-GLIDE" in req["reason"] and "SUP-0004 is BLOCKED" in req["reason"]
    assert req["lines"][0]["sourcingStatus"] == "NO_SOURCE"
    assert outbox(client, "po.issued") == []


def test_a_price_applies_only_from_its_minimum_quantity_and_within_its_validity(client):
    client.post(f"/api/suppliers/{KUNSHAN}/prices",
                json={"materialCode": LEGS, "price": 30, "minQty": 500, "validFrom": day(-1)})
    client.post(f"/api/suppliers/{KUNSHAN}/prices",
                json={"materialCode": LEGS, "price": 10, "validFrom": day(-30), "validTo": day(-1)})
    small = approve(client, "PR-1", (LEGS, 250, day(30)))
    large = approve(client, "PR-2", (LEGS, 600, day(30)))
    assert [c["unitPrice"] for c in small["lines"][0]["candidates"] if c["supplierId"] == KUNSHAN] == [42.0]
    assert [c["unitPrice"] for c in large["lines"][0]["candidates"] if c["supplierId"] == KUNSHAN] == [30.0]
