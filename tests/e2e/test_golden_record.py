"""End to end, over HTTP: the golden record ties the systems' own records of one company together.

The real hub (``hub up --mocks``) and the seven reference systems: a company entered in ERP, then
entered slightly differently in CRM, is one golden record with three cross-references (CRM, ERP, and
WMS, whose archive the hub fills); an order CRM takes for it reaches ERP under ERP's own customer id;
ERP's and WMS's archives hold the company once. (SRM keeps suppliers, not customers.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from hub.masterdata.normalise import uscc_check_char
from tests.support.waiting import eventually
from tests.support.world import World, company_world

pytestmark = pytest.mark.e2e

OWNER = "USR-0003"
"""A CRM salesperson: an order needs the customer's account owner."""
TAX = "91510100MA62JC8P1" + uscc_check_char("91510100MA62JC8P1")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with company_world(tmp_path_factory.mktemp("golden")) as w:
        yield w


def golden_of(world: World, system: str, local_id: str) -> dict[str, Any] | None:
    found = world.api("/api/masterdata/customer", q=local_id)
    return next((g for g in found if g["xrefs"].get(system) == local_id), None)


def test_the_initial_load_tied_the_seeded_customers_typed_differently_in_crm_erp_and_wms(world):
    minghui = golden_of(world, "crm", "CUS-000101")
    assert minghui is not None
    assert minghui["xrefs"] == {"crm": "CUS-000101", "erp": "100001", "wms": "C101"}


def test_a_company_entered_in_erp_and_differently_in_crm_is_one_golden_record_and_its_crm_order_reaches_erp(world):
    company = world.company
    erp_id = company.call("erp", "POST", "/api/customers", json={
        "name": "锦程办公(成都)有限公司", "tax_no": TAX, "credit_limit": "200000.00", "city": "成都",
        "phone": "028 8555 0101"})["customer_id"]
    crm_id = company.call("crm", "POST", "/api/v1/customers", json={
        "name": "成都锦程办公有限公司", "uscc": TAX, "creditLimit": 150000, "currency": "CNY",
        "paymentTermsDays": 30, "phone": "028-85550101", "ownerId": OWNER})["customerId"]

    golden = eventually(lambda: (g := golden_of(world, "crm", crm_id)) and g["xrefs"].get("erp") == str(erp_id)
                        and "wms" in g["xrefs"] and g,
                        timeout=60, what="one golden record with the CRM, the ERP and the WMS id")
    assert set(golden["xrefs"]) == {"crm", "erp", "wms"}  # WMS's archive got it from the hub, under its own id
    assert [c["cust"] for c in company.call("wms", "GET", "/api/customers") if c.get("tax_id") == TAX] == [
        golden["xrefs"]["wms"]]
    record = world.api(f"/api/masterdata/golden/{golden['id']}")
    assert {s["system"] for s in record["sources"]} == {"crm", "erp"}
    assert record["provenance"]["name"]["system"] == "erp"  # ERP's name wins (survivorship)
    assert len([c for c in company.call("erp", "GET", "/api/customers") if c.get("tax_no") == TAX]) == 1

    order_no = company.place_order(crm_id, [("PRD-CHAIR-ERG", 2)], required=date.today() + timedelta(days=30))
    [erp_order] = eventually(lambda: company.call("erp", "GET", "/api/sales-orders", params={"ext_ref": order_no}),
                             timeout=60, what="the CRM order in ERP")
    assert str(erp_order["customer_id"]) == str(erp_id)


def test_a_new_crm_customer_is_created_in_erp_exactly_once_whatever_is_sent_again(world):
    company = world.company
    tax = "91510100MA62JD9Q2" + uscc_check_char("91510100MA62JD9Q2")
    crm_id = company.call("crm", "POST", "/api/v1/customers", json={
        "name": "成都锦华家居有限公司", "uscc": tax, "creditLimit": 50000, "currency": "CNY", "paymentTermsDays": 30,
        "ownerId": OWNER})["customerId"]
    for i in range(3):  # the same customer changed again and again, each change routed to ERP
        company.call("crm", "PATCH", f"/api/v1/customers/{crm_id}", json={"creditLimit": 50000 + i})
    erp = eventually(lambda: [c for c in company.call("erp", "GET", "/api/customers") if c.get("tax_no") == tax],
                     timeout=60, what="the customer in ERP")
    eventually(lambda: (g := golden_of(world, "crm", crm_id)) and "erp" in g["xrefs"], timeout=60,
               what="ERP's id in the golden record")
    assert len(erp) == 1
    xrefs = golden_of(world, "crm", crm_id)["xrefs"]  # WMS's archive gets it too (its own id)
    assert (xrefs["crm"], xrefs["erp"]) == (crm_id, str(erp[0]["customer_id"]))
    if "wms" in xrefs:
        assert len([c for c in company.call("wms", "GET", "/api/customers") if c.get("tax_id") == tax]) == 1
