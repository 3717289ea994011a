"""End to end, over HTTP: the golden record ties the systems' own records of one company together.

The real hub (``hub up --mocks``) and the seven reference systems: a company entered in ERP, then
entered slightly differently in CRM and, as a supplier that also buys from us, in SRM, is one golden
record with the cross-references of CRM, ERP and SRM (and WMS, whose archive the hub fills); an order
CRM takes for it reaches ERP under ERP's own customer id; ERP's and WMS's archives hold the company
once. A new CRM customer is created in ERP exactly once, whatever meets ERP at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.masterdata.normalise import uscc_check_char
from tests.support.auth import bearer
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


def act(world: World, path: str) -> dict[str, Any]:
    """An operator's action on the hub's API (pause, resume, replay, retry)."""
    r = httpx.post(f"{world.hub_url}{path}", headers=bearer(world.token), timeout=30)
    assert r.status_code == 200, f"{path} → {r.status_code}: {r.text[:500]}"
    return dict(r.json())


def erp_deliveries(world: World, subjects: list[str]) -> list[dict[str, Any]]:
    """Every delivery to ERP of the messages CRM sent about ``subjects`` (a customer, its orders)."""
    found = []
    for subject in subjects:
        for m in world.messages(connector="crm", subject=subject):
            detail = world.api(f"/api/messages/{m['id']}")
            found += [{**d, "native_type": m["native_type"]} for d in detail["deliveries"] if d["connector"] == "erp"]
    return found


def golden_of(world: World, system: str, local_id: str) -> dict[str, Any] | None:
    found = world.api("/api/masterdata/customer", q=local_id)
    return next((g for g in found if g["xrefs"].get(system) == local_id), None)


def test_the_initial_load_tied_the_seeded_customers_typed_differently_in_crm_erp_wms_and_srm(world):
    minghui = golden_of(world, "crm", "CUS-000101")
    assert minghui is not None
    assert minghui["xrefs"] == {"crm": "CUS-000101", "erp": "100001", "wms": "C101"}
    xihu = golden_of(world, "crm", "CUS-000104")  # a customer that also supplies us: SRM's id too
    assert xihu is not None
    assert xihu["xrefs"] == {"crm": "CUS-000104", "erp": "100004", "wms": "C104", "srm": "SUP-0006"}


def test_a_company_in_crm_entered_differently_in_erp_and_srm_is_one_golden_record_and_its_crm_order_reaches_erp(
        world):
    company = world.company
    erp_id = company.call("erp", "POST", "/api/customers", json={
        "name": "锦程办公(成都)有限公司", "tax_no": TAX, "credit_limit": "200000.00", "city": "成都",
        "phone": "028 8555 0101"})["customer_id"]
    crm_id = company.call("crm", "POST", "/api/v1/customers", json={
        "name": "成都锦程办公有限公司", "uscc": TAX, "creditLimit": 150000, "currency": "CNY",
        "paymentTermsDays": 30, "phone": "028-85550101", "ownerId": OWNER})["customerId"]
    eventually(lambda: golden_of(world, "crm", crm_id), timeout=60, what="the CRM customer's golden record")
    srm_id = company.call("srm", "POST", "/api/suppliers", json={  # it also supplies us: SRM types it its way
        "supplierName": "成都市锦程办公有限责任公司", "taxId": TAX, "status": "APPROVED",
        "contactName": "何静", "contactPhone": "+86 28 8555 0102"})["supplierId"]

    golden = eventually(lambda: (g := golden_of(world, "crm", crm_id)) and g["xrefs"].get("erp") == str(erp_id)
                        and g["xrefs"].get("srm") == srm_id and "wms" in g["xrefs"] and g,
                        timeout=60, what="one golden record with the CRM, the ERP, the SRM and the WMS id")
    assert set(golden["xrefs"]) == {"crm", "erp", "srm", "wms"}  # WMS's archive got it from the hub, its own id
    assert [c["cust"] for c in company.call("wms", "GET", "/api/customers") if c.get("tax_id") == TAX] == [
        golden["xrefs"]["wms"]]
    record = world.api(f"/api/masterdata/golden/{golden['id']}")
    assert {s["system"] for s in record["sources"]} == {"crm", "erp", "srm"}
    assert record["fields"]["status"] == "active"  # SRM adds its id, not its supplier's qualification
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


def test_a_new_crm_customer_is_created_in_erp_exactly_once_under_concurrent_orders_changes_a_replay_and_a_retry(
        world):
    created_in_erp_exactly_once(world, "91510100MA62JE3T5" + uscc_check_char("91510100MA62JE3T5"))


@pytest.mark.postgres
@pytest.mark.redis
def test_the_same_holds_with_two_worker_processes_on_postgresql_and_redis(tmp_path: Path, pg_url: str,
                                                                         redis_namespace: str):
    from tests.conftest import REDIS_URL

    with company_world(tmp_path, mode="production", database_url=pg_url, redis_url=REDIS_URL,
                       namespace=redis_namespace) as w:
        created_in_erp_exactly_once(w, "91510100MA62JF4U6" + uscc_check_char("91510100MA62JF4U6"))


def created_in_erp_exactly_once(world: World, tax: str) -> None:
    """Three orders and three changes of a new CRM customer meet ERP at once (ERP paused, then resumed), with
    a replay of its creation and a forced retry: ERP creates it once, and every delivery's key is applied once."""
    company = world.company
    act(world, "/api/connectors/erp/pause")  # ERP is held, so everything sent about the customer meets there at once
    try:
        crm_id = company.call("crm", "POST", "/api/v1/customers", json={
            "name": "成都锦瑞办公家具有限公司", "uscc": tax, "creditLimit": 80000, "currency": "CNY",
            "paymentTermsDays": 30, "phone": "028-85550303", "ownerId": OWNER})["customerId"]
        with ThreadPoolExecutor(max_workers=6) as pool:  # three orders and three changes of it, all at once
            orders = [pool.submit(company.place_order, crm_id, [("PRD-CHAIR-ERG", 1 + i)]) for i in range(3)]
            changes = [pool.submit(company.call, "crm", "PATCH", f"/api/v1/customers/{crm_id}",
                                   json={"creditLimit": 90000 + i}) for i in range(3)]
            order_nos = [f.result() for f in orders]
            for f in changes:
                f.result()
        [created] = eventually(lambda: [m for m in world.messages(connector="crm", subject=crm_id)
                                        if m["native_type"] == "customer.created"], timeout=60,
                               what="CRM's customer.created in the hub")
        act(world, f"/api/messages/{created['id']}/replay")  # an operator replays the creation

        def held() -> list[dict[str, Any]] | None:
            ds = erp_deliveries(world, [crm_id, *order_nos])
            upserts = [d for d in ds if d["operation"] == "upsert_customer"]
            ok = (len(upserts) >= 5 and len([d for d in ds if d["operation"] == "create_sales_order"]) == 3
                  and all(d["status"] == "paused" for d in ds))  # created, 3 changes, the replay; 3 orders
            return ds if ok else None

        waiting = eventually(held, timeout=180, what="every delivery to ERP held while it is paused")
        first = next(d for d in waiting if d["operation"] == "upsert_customer" and d["native_type"] == "customer.created")
        assert act(world, f"/api/deliveries/{first['id']}/retry")["status"] == "pending"  # a forced retry
    finally:
        act(world, "/api/connectors/erp/resume")

    def settled() -> list[dict[str, Any]] | None:
        ds = erp_deliveries(world, [crm_id, *order_nos])
        return ds if all(d["status"] == "delivered" for d in ds) else None

    try:
        delivered = eventually(settled, timeout=180, what="every delivery to ERP delivered")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nopen in the hub:\n{world.open_work()}") from None
    [customer] = company.call("erp", "GET", "/api/customers", params={"tax_no": tax})  # created there once
    golden = eventually(lambda: (g := golden_of(world, "crm", crm_id)) and "erp" in g["xrefs"] and g, timeout=60,
                        what="ERP's id in the golden record")
    assert golden["xrefs"]["erp"] == str(customer["customer_id"])
    # ERP's idempotency store: each delivery's key applied once, and exactly one of them was the creation
    keys = [company.call("erp", "GET", "/_admin/idempotency", params={"key": d["id"]})["key"] for d in delivered]
    assert all(k is not None and k["status"] < 300 and k["mismatches"] == 0 for k in keys), keys
    upsert_keys = [k for k, d in zip(keys, delivered, strict=True) if d["operation"] == "upsert_customer"]
    assert [k["status"] for k in upsert_keys].count(201) == 1, upsert_keys
    for order_no in order_nos:  # each order once, under ERP's own id for the customer
        [erp_order] = company.call("erp", "GET", "/api/sales-orders", params={"ext_ref": order_no})
        assert erp_order["customer_id"] == customer["customer_id"]
