"""Suppliers: seed, qualification, rating, price lists, and the supplier.changed webhook."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from mocks.srm.tests.conftest import KUAIDA, KUNSHAN, LEGS, day, outbox, received

NEW_SUPPLIER = {"supplierName": "苏州新锐金属有限公司", "taxId": "91320583MA1MXY9L64", "defaultLeadTimeDays": 5,
                "rating": 4.0, "contactName": "钱进", "contactPhone": "0512-60001111"}
FRESH_TAX_ID = "91320505MA1X0PRM00"
"""Not yet any supplier's; its check digit is right."""


def test_the_company_suppliers_are_seeded_with_srm_ids_and_donggguan_kuaida_blocked(client):
    suppliers = {s["supplierId"]: s for s in client.get("/api/suppliers").json()}
    assert list(suppliers) == ["SUP-0001", "SUP-0002", "SUP-0003", "SUP-0004", "SUP-0005", "SUP-0006"]
    assert suppliers[KUAIDA]["supplierName"] == "东莞快达五金有限公司" and suppliers[KUAIDA]["status"] == "BLOCKED"
    assert suppliers[KUNSHAN]["rating"] == 3.8 and suppliers[KUNSHAN]["defaultLeadTimeDays"] == 14
    [legs] = client.get(f"/api/suppliers/{KUNSHAN}/prices", params={"material": LEGS}).json()
    assert legs["price"] == 42.0 and legs["currency"] == "CNY" and legs["validFrom"].endswith("/01/01")
    assert [s["supplierId"] for s in client.get("/api/suppliers", params={"status": "BLOCKED"}).json()] == [KUAIDA]


def test_a_new_supplier_starts_pending_and_is_announced_by_a_signed_webhook(client, receiver, settings):
    r = client.post("/api/suppliers", json={**NEW_SUPPLIER, "taxId": FRESH_TAX_ID})
    assert r.status_code == 201
    assert r.json()["supplierId"] == "SUP-0007" and r.json()["status"] == "PENDING"
    received(receiver, "supplier.changed")
    [req] = [q for q in receiver.requests if b'"supplier.changed"' in q["body"]]
    assert req["path"] == "/webhooks/srm"
    body = Webhook(settings.secret).verify(req["body"], req["headers"])
    assert set(body) == {"type", "eventId", "sentAt", "data"}
    assert body["eventId"] == req["headers"]["webhook-id"] and body["sentAt"].endswith("Z")
    data = body["data"]
    assert data["supplierId"] == "SUP-0007" and data["status"] == "PENDING" and data["rating"] == 4.0
    assert data["contacts"] == [{"name": "钱进", "phone": "0512-60001111"}]
    assert data["defaultLeadTimeDays"] == 5 and data["changedFields"] == ["created"]


def test_a_tax_id_with_a_wrong_check_digit_is_refused_naming_tax_id(client):
    r = client.post("/api/suppliers", json={**NEW_SUPPLIER, "taxId": "91320583MA1MXY9L65"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "taxId" and r.json()["error"]["code"] == "invalid_tax_id"


def test_a_second_supplier_with_the_same_tax_id_is_a_conflict(client):
    r = client.post("/api/suppliers", json=NEW_SUPPLIER)  # 永固's tax id
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "taxId" and "SUP-0001" in r.json()["error"]["message"]


def test_a_rating_above_five_is_refused_naming_rating(client):
    r = client.patch(f"/api/suppliers/{KUNSHAN}", json={"rating": 5.5})
    assert r.status_code == 422 and r.json()["error"]["field"] == "rating"


def test_an_unknown_field_is_refused_rather_than_ignored(client):
    r = client.patch(f"/api/suppliers/{KUNSHAN}", json={"ratting": 4.0})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ratting"


def test_qualifying_a_supplier_emits_supplier_changed_with_the_changed_fields(client, receiver):
    r = client.patch(f"/api/suppliers/{KUAIDA}", json={"status": "approved", "rating": 2.5})
    assert r.status_code == 200 and r.json()["status"] == "APPROVED"
    [event] = received(receiver, "supplier.changed")
    assert event["data"]["status"] == "APPROVED" and sorted(event["data"]["changedFields"]) == ["rating", "status"]


def test_a_change_that_changes_nothing_emits_nothing(client):
    assert client.patch(f"/api/suppliers/{KUNSHAN}", json={"rating": 3.8}).status_code == 200
    assert outbox(client, "supplier.changed") == []


def test_an_unknown_supplier_in_the_path_is_404(client):
    r = client.get("/api/suppliers/SUP-9999")
    assert r.status_code == 404 and r.json()["error"]["field"] == "supplierId"


def test_a_price_entry_must_end_no_earlier_than_it_starts(client):
    r = client.post(f"/api/suppliers/{KUNSHAN}/prices",
                    json={"materialCode": LEGS, "price": 40, "validFrom": day(10), "validTo": day(5)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "validTo"


def test_dates_must_be_written_the_srm_way(client):
    r = client.post(f"/api/suppliers/{KUNSHAN}/prices",
                    json={"materialCode": LEGS, "price": 40, "validFrom": "2026-01-01"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "validFrom" and "YYYY/MM/DD" in r.json()["error"]["message"]


def test_a_price_for_an_unknown_material_names_material_code(client):
    r = client.post(f"/api/suppliers/{KUNSHAN}/prices",
                    json={"materialCode": "M-NOPE", "price": 40, "validFrom": day(0)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "materialCode"


def test_a_price_in_another_currency_than_the_suppliers_is_refused(client):
    r = client.post(f"/api/suppliers/{KUNSHAN}/prices",
                    json={"materialCode": LEGS, "price": 6, "currency": "USD", "validFrom": day(0)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "currency"


def test_materials_are_upserted_under_their_code(client):
    assert client.put("/api/materials/M-GLIDE", json={"materialName": "桌脚垫", "uom": "PCS"}).status_code == 201
    again = client.put("/api/materials/M-GLIDE", json={"materialName": "桌脚垫 (黑)", "uom": "PCS"})
    assert again.status_code == 200 and again.json()["materialName"] == "桌脚垫 (黑)"
    assert [m["materialCode"] for m in client.get("/api/materials").json()].count("M-GLIDE") == 1
