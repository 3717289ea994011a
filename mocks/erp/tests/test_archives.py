"""Archives: customers, vendors, materials, employees — and replication by another system's reference."""

from __future__ import annotations

from mocks.erp.tests.conftest import DESK, MINGHUI, error, events

NEW_TAX_NO = "91320594MA1MFBXJ6U"  # a valid unified social credit code not in the seed


def new_customer(**fields: object) -> dict[str, object]:
    return {"name": "苏州新客户贸易有限公司", "tax_no": NEW_TAX_NO, "credit_limit": "80000.00", **fields}


def test_seeded_customers_carry_erp_ids_and_the_other_systems_refs(client):
    c = client.get(f"/api/customers/{MINGHUI}").json()
    assert c["name"] == "明辉贸易(上海)有限公司"  # the ERP types the city in brackets
    assert c["credit_limit"] == "500000.00"
    assert c["ext_refs"] == {"crm": "CUS-000101", "wms": "C101"}
    assert client.get("/api/customers/by-ref/crm/CUS-000103").json()["customer_id"] == 100003


def test_creating_a_customer_assigns_the_next_numeric_id_and_emits_customer_saved(client):
    r = client.post("/api/customers", json=new_customer(payment_terms_days=45))
    assert r.status_code == 201
    assert r.json()["customer_id"] == 100006 and r.json()["payment_terms_days"] == 45
    [saved] = events(client, "customer.saved")
    assert saved["customer_id"] == 100006 and saved["change"] == "created" and saved["credit_limit"] == "80000.00"


def test_a_customer_created_without_credit_limit_gets_the_default(client):
    body = new_customer()
    del body["credit_limit"]
    assert client.post("/api/customers", json=body).json()["credit_limit"] == "50000.00"


def test_a_tax_no_with_a_wrong_check_digit_is_refused_naming_tax_no(client):
    err = error(client.post("/api/customers", json=new_customer(tax_no="91320594MA1MFBXJ6A")))
    assert err["code"] == "invalid_tax_no" and err["field"] == "tax_no" and "check digit" in err["message"]


def test_a_second_customer_with_a_known_tax_no_is_refused_as_a_duplicate(client):
    r = client.post("/api/customers", json=new_customer(tax_no="91310115MA1K4B2C3J"))
    assert r.status_code == 409
    assert error(r)["field"] == "tax_no" and "100001" in error(r)["message"]


def test_customers_can_be_looked_up_by_tax_no(client):
    assert [c["customer_id"] for c in client.get("/api/customers", params={"tax_no": "91440101MA59T8RK2N"}).json()] \
        == [100003]
    assert client.get("/api/customers/by-tax-no/91440101MA59T8RK2N").json()["customer_id"] == 100003
    assert client.get("/api/customers/by-tax-no/91320594MA1MFBXJ6U").status_code == 404


def test_upsert_by_ref_creates_once_then_updates_and_a_no_op_emits_nothing(client):
    first = client.put("/api/customers/by-ref/crm/CUS-000200", json=new_customer())
    assert first.status_code == 201 and first.headers["x-erp-outcome"] == "created"
    again = client.put("/api/customers/by-ref/crm/CUS-000200", json=new_customer())
    assert again.status_code == 200 and again.headers["x-erp-outcome"] == "unchanged"
    changed = client.put("/api/customers/by-ref/crm/CUS-000200", json=new_customer(city="苏州"))
    assert changed.headers["x-erp-outcome"] == "updated" and changed.json()["city"] == "苏州"
    assert first.json()["customer_id"] == again.json()["customer_id"] == changed.json()["customer_id"]
    assert first.json()["ext_refs"] == {"crm": "CUS-000200"}
    assert [e["change"] for e in events(client, "customer.saved")] == ["created", "updated"]
    assert len(client.get("/api/customers").json()) == 6


def test_upsert_by_ref_of_a_company_already_in_the_archive_links_it_instead_of_duplicating(client):
    body = {"name": "明辉贸易（上海）", "tax_no": "91310115MA1K4B2C3J"}
    r = client.put("/api/customers/by-ref/srm/X-9", json=body)
    assert r.status_code == 200 and r.headers["x-erp-outcome"] == "linked"
    assert r.json()["customer_id"] == MINGHUI and r.json()["ext_refs"]["srm"] == "X-9"
    assert len(client.get("/api/customers").json()) == 5


def test_a_customer_can_be_changed_and_an_unknown_one_is_404(client):
    r = client.patch(f"/api/customers/{MINGHUI}", json={"credit_limit": "600000.00", "status": "blocked"})
    assert r.json()["credit_limit"] == "600000.00" and r.json()["status"] == "blocked"
    assert events(client, "customer.saved")[0]["status"] == "blocked"
    assert error(client.get("/api/customers/999999"))["code"] == "not_found"


def test_a_vendor_replicated_from_srm_lands_on_the_seeded_vendor_by_tax_no(client):
    r = client.put("/api/vendors/by-ref/srm/SUP-0009", json={"name": "昆山精工", "tax_no": "91320583MA1P0QR84M",
                                                              "rating": 4.0})
    assert r.json()["vendor_id"] == 200003 and r.headers["x-erp-outcome"] == "linked"
    assert client.get("/api/vendors/by-ref/srm/SUP-0003").json()["vendor_id"] == 200003
    assert events(client, "vendor.saved")[0]["rating"] == "4.0"
    assert client.get("/api/vendors/200004").json()["status"] == "blocked"


def test_a_new_vendor_gets_the_next_numeric_id(client):
    r = client.post("/api/vendors", json={"name": "苏州新供应商", "tax_no": NEW_TAX_NO})
    assert r.status_code == 201 and r.json()["vendor_id"] == 200007
    assert events(client, "vendor.saved")[0]["change"] == "created"


def test_a_material_is_created_by_number_and_a_new_std_cost_revalues_its_stock(client):
    body = {"material": "300-0009", "description": "封边条", "procurement": "external", "std_cost": "2.50"}
    assert client.put("/api/materials/300-0009", json=body).status_code == 201
    assert client.get("/api/materials/300-0009").json()["warehouse"] == "1000"
    r = client.patch(f"/api/materials/{DESK}", json={"std_cost": "800.00"})
    assert r.json()["std_cost"] == "800.00"
    assert client.get(f"/api/inventory-value/{DESK}").json() == {
        "material": DESK, "description": "办公桌 1200", "warehouse": "2000", "qty": 20, "std_cost": "800.00",
        "value": "16000.00"}
    saved = events(client, "material.saved")
    assert [(e["material"], e["change"]) for e in saved] == [("300-0009", "created"), (DESK, "updated")]
    assert saved[1]["procurement"] == "in_house" and saved[1]["lead_time_days"] == 7


def test_a_material_number_must_follow_the_erp_pattern(client):
    err = error(client.post("/api/materials", json={"material": "DESK-1", "description": "x",
                                                    "procurement": "external", "std_cost": "1.00"}))
    assert err["field"] == "material"


def test_an_employee_onboarded_from_oa_is_created_once_with_a_numeric_id(client):
    body = {"name": "孙丽", "department": "FIN", "position": "会计", "manager_id": 90008, "roles": ["accountant"],
            "start_date": "2026-12-01"}
    first = client.put("/api/employees/by-ref/oa/sunli", json=body)
    again = client.put("/api/employees/by-ref/oa/sunli", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["employee_id"] == again.json()["employee_id"] == 90010
    assert first.json()["ext_refs"] == {"oa": "sunli"}
    [saved] = events(client, "employee.saved")
    assert saved["start_date"] == "2026-12-01" and saved["department"] == "FIN"


def test_an_employee_needs_a_known_department_and_manager(client):
    assert error(client.post("/api/employees", json={"name": "x", "department": "HR"}))["field"] == "department"
    err = error(client.post("/api/employees", json={"name": "x", "department": "FIN", "manager_id": 1}))
    assert err["field"] == "manager_id"
