"""The hub builds the master data's cross-references from the systems' own master data: compared with
the rows once written by hand (tests/support/xref_ground_truth.yaml), which the systems' seeds now type
with real variation (bracketed city, abbreviations, legal forms, phone formats, a typo, a missing tax id)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.masterdata.initial import MASTERDATA_PATH, load_systems
from hub.masterdata.subscriber import catalog_for
from hub.store import CrossReference, Database, GoldenRecord, MatchLink
from hub.store.migrate import upgrade
from hub.xref import XrefStore
from mocks.common import MockSettings, company
from tests.support.harness import GROUND_TRUTH

SYSTEMS = ["crm", "erp", "mes", "mrp", "oa", "srm", "wms"]
MASTER_DATA = ("customer", "supplier", "item", "employee")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/hub.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def systems(tmp_path_factory) -> Iterator[dict[str, TestClient]]:
    """The seven reference systems in process, each on its own seeded database (no webhooks)."""
    folder = tmp_path_factory.mktemp("systems")
    clients: dict[str, TestClient] = {}
    for name in SYSTEMS:
        build = importlib.import_module(f"mocks.{name}.app").build
        settings = MockSettings.from_env(name, database_url=f"sqlite:///{folder}/{name}.db", webhooks_enabled=False)
        clients[name] = TestClient(build(settings)).__enter__()
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def fetch_from(systems: dict[str, TestClient]):  # type: ignore[no-untyped-def]
    def fetch(system: str) -> list[dict[str, Any]] | None:
        r = systems[system].get(MASTERDATA_PATH)
        assert r.status_code == 200, r.text
        return r.json()
    return fetch


def built_groups(db: Database, entity: str) -> set[frozenset[tuple[str, str]]]:
    with db.read() as s:
        groups: dict[str, set[tuple[str, str]]] = {}
        for x in s.scalars(select(CrossReference).where(CrossReference.entity == entity)):
            groups.setdefault(x.golden_id, set()).add((x.system, x.local_id))
    return {frozenset(g) for g in groups.values()}


def ground_truth(entity: str) -> set[frozenset[tuple[str, str]]]:
    rows = yaml.safe_load(GROUND_TRUTH.read_text(encoding="utf-8"))[entity]
    return {frozenset((k, str(v)) for k, v in ids.items()) for ids in rows}


def test_the_systems_seeds_type_the_same_records_differently():
    names = {system: {r["record"]["name"] for r in company.master_data(system) if r["entity"] == "customer"}
             for system in ("crm", "erp", "wms")}
    assert "明辉贸易(上海)有限公司" in names["erp"] and "上海明辉贸易有限公司" in names["crm"]
    assert "广州南方家具有限公司" in names["wms"]  # the typo
    wms_minghui = next(r for r in company.master_data("wms") if r["id"] == "C101")
    assert wms_minghui["record"]["tax_id"] is None  # the missing tax id


def test_the_initial_load_builds_the_same_cross_references_as_the_hand_written_seed(db, systems):
    report = load_systems(db, catalog_for(), SYSTEMS, fetch_from(systems))

    assert report.skipped == [] and sum(report.records.values()) > 0
    for entity in MASTER_DATA:
        assert built_groups(db, entity) == ground_truth(entity), entity
    with db.read() as s:
        assert list(s.scalars(select(MatchLink).where(MatchLink.state == "review"))) == []
    xref = XrefStore(db)
    assert xref.resolve("customer", "CUS-000101", "crm", "erp") == "100001"
    assert xref.resolve("customer", "CUS-000101", "crm", "wms") == "C101"
    assert xref.resolve("item", "PRD-DESK-1200", "crm", "mrp") == "T"
    assert xref.resolve("supplier", "SUP-0003", "srm", "erp") == "200003"
    assert xref.resolve("employee", "liqiang", "oa", "erp") == "90003"


def test_loading_again_changes_nothing(db, systems):
    load_systems(db, catalog_for(), SYSTEMS, fetch_from(systems))
    with db.read() as s:
        before = sorted((g.id, g.version) for g in s.scalars(select(GoldenRecord)))

    again = load_systems(db, catalog_for(), SYSTEMS, fetch_from(systems))

    assert set(again.actions) == {"unchanged"}
    with db.read() as s:
        assert sorted((g.id, g.version) for g in s.scalars(select(GoldenRecord))) == before
