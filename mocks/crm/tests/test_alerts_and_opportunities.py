"""Stock alerts shown to sales, and the opportunity funnel."""

from mocks.crm.tests.conftest import CHAIR, DESK, MINGHUI, ok

ALERT = {"productCode": CHAIR, "warehouse": "WH02", "available": 4, "safetyStock": 10, "shortfall": 6,
         "suggestedQty": 20, "substitutes": [DESK], "sourceRef": "ALR-77"}


def test_a_stock_alert_is_listed_for_sales_with_its_substitutes(client):
    alert = ok(client.post("/api/v1/alerts", json=ALERT), 201)
    assert (alert["alertId"], alert["status"], alert["productName"]) == ("ALT-000001", "open", "人体工学办公椅")
    assert alert["substitutes"] == [{"productCode": DESK, "name": "办公桌 1200", "listPrice": 1280.0}]
    assert [a["alertId"] for a in ok(client.get("/api/v1/alerts", params={"status": "open"}))] == ["ALT-000001"]


def test_a_repeated_alert_refreshes_the_open_one_and_after_acknowledgement_a_new_one_opens(client):
    ok(client.post("/api/v1/alerts", json=ALERT), 201)
    refreshed = ok(client.post("/api/v1/alerts", json={**ALERT, "available": 2, "shortfall": 8}), 200)
    assert refreshed["alertId"] == "ALT-000001" and refreshed["shortfall"] == 8
    acked = ok(client.post("/api/v1/alerts/ALT-000001/acknowledge", json={"acknowledgedBy": "USR-0003"}))
    assert acked["status"] == "acknowledged"
    assert ok(client.post("/api/v1/alerts", json=ALERT), 201)["alertId"] == "ALT-000002"


def test_an_alert_for_an_unknown_product_or_substitute_names_the_field(client):
    r = client.post("/api/v1/alerts", json={**ALERT, "productCode": "SKU-CHAIR-ERG"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "productCode"
    r = client.post("/api/v1/alerts", json={**ALERT, "substitutes": [DESK, "PRD-STOOL"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "substitutes.1"


def test_an_opportunity_moves_prospect_qualified_won_and_nowhere_after(client):
    opp = ok(client.post("/api/v1/opportunities", json={"customerId": MINGHUI, "title": "张江新办公楼 200 工位",
                                                        "amount": 380000, "expectedCloseDate": "2027-01-31"}), 201)
    assert (opp["opportunityId"], opp["stage"], opp["ownerId"]) == ("OPP-000001", "prospect", "USR-0003")
    path = f"/api/v1/opportunities/{opp['opportunityId']}/stage"
    r = client.post(path, json={"stage": "won"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "stage"
    ok(client.post(path, json={"stage": "qualified"}))
    assert ok(client.post(path, json={"stage": "won"}))["stage"] == "won"
    assert client.post(path, json={"stage": "lost", "lostReason": "x"}).status_code == 409


def test_losing_an_opportunity_needs_a_reason(client):
    opp = ok(client.post("/api/v1/opportunities", json={"customerId": MINGHUI, "title": "t", "amount": 1}), 201)
    path = f"/api/v1/opportunities/{opp['opportunityId']}/stage"
    r = client.post(path, json={"stage": "lost"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lostReason"
    assert ok(client.post(path, json={"stage": "lost", "lostReason": "price"}))["lostReason"] == "price"


def test_an_order_may_cite_only_a_live_opportunity_of_its_own_customer(client):
    opp = ok(client.post("/api/v1/opportunities", json={"customerId": "CUS-000102", "title": "t", "amount": 5}), 201)
    line = [{"productCode": DESK, "quantity": 1}]
    r = client.post("/api/v1/salesOrders", json={"customerId": MINGHUI, "opportunityId": opp["opportunityId"],
                                                 "lines": line})
    assert r.status_code == 422 and r.json()["error"]["field"] == "opportunityId"
    order = ok(client.post("/api/v1/salesOrders", json={"customerId": "CUS-000102",
                                                        "opportunityId": opp["opportunityId"], "lines": line}), 201)
    assert order["opportunityId"] == opp["opportunityId"] and order["salespersonId"] == "USR-0002"


def test_products_are_seeded_from_the_company_and_upserted_by_code(client):
    assert [p["productCode"] for p in ok(client.get("/api/v1/products"))] == [CHAIR, DESK]
    body = {"name": "办公桌 1200", "nameEn": "Office desk 1200", "listPrice": 1320, "externalRefs": {"erp": "100-0001"}}
    assert ok(client.put(f"/api/v1/products/{DESK}", json=body))["listPrice"] == 1320
    assert ok(client.get(f"/api/v1/products/{DESK}"))["externalRefs"] == {"erp": "100-0001"}
    r = client.put("/api/v1/products/100-0001", json=body)
    assert r.status_code == 422 and r.json()["error"]["field"] == "productCode"
    people = ok(client.get("/api/v1/salespeople"))
    assert [(p["userId"], p["employeeNo"], p["name"]) for p in people] == [
        ("USR-0002", "E002", "王芳"), ("USR-0003", "E003", "李强")]
