"""A company that buys from us and also supplies us: SRM's supplier record of it joins its customer
golden record (the customer entity's ``creates: false`` source), and no other supplier becomes a customer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.masterdata.initial import load_systems
from hub.masterdata.normalise import uscc_check_char
from hub.masterdata.service import MasterData
from hub.masterdata.subscriber import catalog_for, record_source, record_sources
from hub.store import Database, GoldenRecord
from hub.store.migrate import upgrade
from hub.xref import XrefStore

TAX = "91320506MA1XK8R42" + uscc_check_char("91320506MA1XK8R42")
OTHER_TAX = "91330106MA2H7QW53" + uscc_check_char("91330106MA2H7QW53")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/md.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


def envelope(system: str, kind: str, code: str, **data: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"ev-{system}-{code}-{len(data)}", "type": f"party.{kind}.upserted",
            "source": f"/connectors/{system}", "time": "2026-12-04T08:00:00+08:00", "data": {"code": code, **data}}


CRM = envelope("crm", "customer", "CUS-000201", name="苏州吴中精密机械有限公司", tax_id=TAX, status="active",
               contacts=[{"name": "沈洁", "mobile": "13912345678"}])
ERP = envelope("erp", "customer", "100201", name="精密机械(苏州吴中)有限公司", tax_id=TAX, status="active",
               credit_limit=200000)
SRM = envelope("srm", "supplier", "SUP-0201", name="苏州吴中精密机械有限公司", tax_id=TAX, status="approved",
               rating=4.1, default_lead_time_days=12, contacts=[{"name": "钱峰", "phone": "0512-6555 1234"}])
"""The same company as a supplier in SRM (same tax id, SRM's own contact and terms)."""


def customers(s) -> list[GoldenRecord]:
    return list(s.scalars(select(GoldenRecord).where(GoldenRecord.entity == "customer",
                                                     GoldenRecord.status == "active")))


def test_srms_record_of_a_supplier_that_is_also_a_customer_joins_the_customer_golden_record(db):
    with db.session() as s:
        golden = record_source(s, CRM).golden_id
        record_source(s, ERP)
        outcomes = record_sources(s, SRM)
    assert {(o.entity, o.action) for o in outcomes} >= {("customer", "joined"), ("supplier", "created")}
    with db.read() as s:
        view = MasterData(catalog_for()).view(s, golden)
        assert len(customers(s)) == 1
    assert view["xrefs"] == {"crm": "CUS-000201", "erp": "100201", "srm": "SUP-0201"}
    # SRM adds its id, not its supplier terms: the customer's name, status and fields stay the customer's
    assert view["fields"]["status"] == "active" and view["fields"]["name"] == "精密机械(苏州吴中)有限公司"
    assert "rating" not in view["fields"] and "default_lead_time_days" not in view["fields"]
    assert XrefStore(db).resolve("customer", "CUS-000201", "crm", "srm") == "SUP-0201"


def test_the_supplier_message_still_answers_for_its_supplier_record(db):
    with db.session() as s:
        record_source(s, CRM)
        outcome = record_source(s, SRM)
    assert outcome is not None and (outcome.entity, outcome.action) == ("supplier", "created")


def test_a_supplier_that_matches_no_customer_makes_no_customer_and_publishes_nothing_for_it(db):
    lone = envelope("srm", "supplier", "SUP-0202", name="浙江临安竹木制品有限公司", tax_id=OTHER_TAX,
                    contacts=[{"name": "方平", "phone": "0571-6300 1111"}])
    with db.session() as s:
        outcomes = record_sources(s, lone)
    assert [(o.entity, o.action) for o in outcomes if o.entity != "person"] == [
        ("supplier", "created"), ("customer", "unmatched")]
    assert not [o for o in outcomes if o.entity == "customer" and o.changed]
    with db.read() as s:
        assert customers(s) == []


def test_only_srms_suppliers_join_customers_so_an_erp_vendor_id_never_poses_as_erps_customer_id(db):
    vendor = envelope("erp", "supplier", "200201", name="苏州吴中精密机械有限公司", tax_id=TAX)
    with db.session() as s:
        golden = record_source(s, CRM).golden_id
        record_sources(s, vendor)
    with db.read() as s:
        assert MasterData(catalog_for()).view(s, golden)["xrefs"] == {"crm": "CUS-000201"}


def test_the_initial_load_ties_srms_supplier_to_the_customer_it_also_is(db):
    offered = {
        "crm": [{"entity": "customer", "id": "CUS-000201", "record": CRM["data"]}],
        "srm": [{"entity": "supplier", "id": "SUP-0201", "record": SRM["data"]}],
    }
    report = load_systems(db, catalog_for(), ["crm", "srm"], lambda system: offered[system])
    assert report.actions == {"created": 2, "joined": 1}
    assert XrefStore(db).resolve("customer", "CUS-000201", "crm", "srm") == "SUP-0201"


def test_a_supplier_seen_before_its_customer_is_tied_to_it_at_the_next_pull(db):
    with db.session() as s:
        record_sources(s, SRM)  # SRM first: no customer to join yet
        golden = record_source(s, CRM).golden_id
    with db.read() as s:
        assert MasterData(catalog_for()).view(s, golden)["xrefs"] == {"crm": "CUS-000201"}

    report = load_systems(db, catalog_for(), ["srm"],
                          lambda system: [{"entity": "supplier", "id": "SUP-0201", "record": SRM["data"]}])
    assert report.actions == {"unchanged": 1, "joined": 1}
    assert XrefStore(db).resolve("customer", "CUS-000201", "crm", "srm") == "SUP-0201"
