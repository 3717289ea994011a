"""Customers: seeded from the company, CRUD with contacts and addresses, upserts from the hub."""

from mocks.crm.tests.conftest import MINGHUI, events_of, ok

NEW = {
    "name": "成都锦城办公设备有限公司", "nameEn": "Chengdu Jincheng Office Equipment Co., Ltd.",
    "uscc": "91510100MA61XK2P3F", "creditLimit": 150000, "paymentTermsDays": 30,
    "addresses": [{"kind": "office", "street": "成都市锦江区红星路三段1号", "city": "成都"},
                  {"kind": "shipping", "street": "成都市双流区物流大道8号", "city": "成都"}],
    "contacts": [{"name": "何军", "mobile": "13908001234"}],
}


def test_the_five_company_customers_are_seeded_with_crm_ids_contacts_and_addresses(client):
    customers = ok(client.get("/api/v1/customers"))
    assert [c["customerId"] for c in customers] == [f"CUS-00010{i}" for i in range(1, 6)]
    minghui = customers[0]
    assert minghui["nameEn"] == "Shanghai Minghui Trading Co., Ltd."
    assert minghui["uscc"] == "91310115MA1K4B2C3J"
    assert minghui["contacts"][0]["name"] == "王磊" and minghui["addresses"][0]["city"] == "上海"
    assert minghui["createdAt"].endswith("+08:00")
    assert customers[2]["nameEn"] is None


def test_creating_a_customer_numbers_it_and_emits_customer_created(client):
    created = ok(client.post("/api/v1/customers", json=NEW), 201)
    assert created["customerId"] == "CUS-000106"
    assert created["addresses"][0]["isDefault"] and not created["addresses"][1]["isDefault"]
    assert created["contacts"][0]["isPrimary"]
    [event] = events_of(client, "customer.created")
    assert event["data"]["customerId"] == "CUS-000106" and event["data"]["uscc"] == NEW["uscc"]
    assert ok(client.get("/api/v1/customers/CUS-000106"))["name"] == NEW["name"]


def test_a_wrong_uscc_check_digit_is_a_422_naming_uscc(client):
    r = client.post("/api/v1/customers", json={**NEW, "uscc": "91510100MA61XK2P3B"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_uscc" and error["field"] == "uscc"
    assert "check digit" in error["message"]


def test_a_uscc_of_the_wrong_length_is_a_422_naming_uscc(client):
    r = client.post("/api/v1/customers", json={**NEW, "uscc": "9151010"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "uscc"


def test_the_same_company_entered_twice_by_hand_is_refused_as_a_duplicate(client):
    r = client.post("/api/v1/customers", json={**NEW, "name": "明辉", "uscc": "91310115MA1K4B2C3J"})
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "uscc" and MINGHUI in r.json()["error"]["message"]


def test_a_customer_handed_over_with_external_refs_links_to_the_existing_record_by_uscc(client):
    body = {**NEW, "name": "上海明辉贸易有限公司", "uscc": "91310115MA1K4B2C3J", "externalRefs": {"erp": 100001}}
    r = client.post("/api/v1/customers", json=body)
    assert r.status_code == 200
    assert r.json()["customerId"] == MINGHUI and r.json()["externalRefs"] == {"erp": "100001"}
    assert len(ok(client.get("/api/v1/customers"))) == 5
    assert events_of(client, "customer.updated")[0]["data"]["externalRefs"] == {"erp": "100001"}


def test_a_replayed_handover_with_the_same_external_id_updates_instead_of_duplicating(client):
    body = {**NEW, "externalRefs": {"erp": "100006"}}
    first = ok(client.post("/api/v1/customers", json=body), 201)
    again = ok(client.post("/api/v1/customers", json={**body, "creditLimit": 99000}), 200)
    assert again["customerId"] == first["customerId"] and again["creditLimit"] == 99000
    found = ok(client.get("/api/v1/customers", params={"externalSystem": "erp", "externalId": "100006"}))
    assert [c["customerId"] for c in found] == [first["customerId"]]


def test_put_creates_under_the_given_id_and_a_repeated_put_changes_and_emits_nothing(client):
    created = client.put("/api/v1/customers/CUS-000200", json=NEW)
    assert created.status_code == 201 and created.json()["customerId"] == "CUS-000200"
    again = client.put("/api/v1/customers/CUS-000200", json=NEW)
    assert again.status_code == 200 and again.json()["version"] == 1
    assert len(events_of(client, "customer.created")) == 1 and events_of(client, "customer.updated") == []


def test_an_upsert_overwrites_the_fields_sent_and_keeps_those_it_does_not_know(client):
    body = {"name": "上海明辉贸易有限公司", "uscc": "91310115MA1K4B2C3J", "creditLimit": 450000}
    updated = ok(client.put(f"/api/v1/customers/{MINGHUI}", json=body))
    assert updated["creditLimit"] == 450000 and updated["version"] == 2
    assert updated["contacts"][0]["name"] == "王磊" and updated["phone"] == "021-58881234"


def test_put_with_a_malformed_customer_id_names_customer_id(client):
    r = client.put("/api/v1/customers/C-1", json=NEW)
    assert r.status_code == 422 and r.json()["error"]["field"] == "customerId"


def test_updating_contacts_bumps_the_version_and_emits_customer_updated(client):
    body = ok(client.get(f"/api/v1/customers/{MINGHUI}"))
    patched = ok(client.patch(f"/api/v1/customers/{MINGHUI}",
                              json={"contacts": [{"name": "王磊", "mobile": "13801234567"},
                                                 {"name": "孙丽", "email": "sunli@minghui.example.com",
                                                  "isPrimary": True}]}))
    assert patched["version"] == body["version"] + 1
    assert [c["isPrimary"] for c in patched["contacts"]] == [False, True]
    [event] = events_of(client, "customer.updated")
    assert len(event["data"]["contacts"]) == 2


def test_external_refs_are_merged_and_one_external_id_cannot_belong_to_two_customers(client):
    ok(client.patch(f"/api/v1/customers/{MINGHUI}", json={"externalRefs": {"erp": "100001"}}))
    merged = ok(client.patch(f"/api/v1/customers/{MINGHUI}", json={"externalRefs": {"wms": "C101"}}))
    assert merged["externalRefs"] == {"erp": "100001", "wms": "C101"}
    r = client.patch("/api/v1/customers/CUS-000102", json={"externalRefs": {"erp": "100001"}})
    assert r.status_code == 409 and r.json()["error"]["field"] == "externalRefs.erp"


def test_a_patch_cannot_null_a_required_field(client):
    r = client.patch(f"/api/v1/customers/{MINGHUI}", json={"name": None})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"


def test_an_unknown_field_is_refused_rather_than_ignored(client):
    r = client.post("/api/v1/customers", json={**NEW, "taxId": NEW["uscc"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "taxId"


def test_a_failed_create_leaves_no_trace(client):
    r = client.post("/api/v1/customers", json={**NEW, "ownerId": "USR-0404"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ownerId"
    assert len(ok(client.get("/api/v1/customers"))) == 5 and events_of(client) == []


def test_deleting_a_customer_deactivates_it_and_it_can_no_longer_order(client):
    gone = ok(client.delete("/api/v1/customers/CUS-000105"))
    assert gone["status"] == "inactive"
    assert ok(client.get("/api/v1/customers/CUS-000105"))["status"] == "inactive"
    r = client.post("/api/v1/salesOrders", json={"customerId": "CUS-000105",
                                                 "lines": [{"productCode": "PRD-DESK-1200", "quantity": 1}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "customer_inactive"


def test_an_unknown_customer_id_in_the_path_is_a_404(client):
    r = client.get("/api/v1/customers/CUS-999999")
    assert r.status_code == 404 and r.json()["error"]["field"] == "customerId"
