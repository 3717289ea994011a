"""The golden record on a real database (SQLite and PostgreSQL): match, merge, unmerge, load, API."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.masterdata.normalise import uscc_check_char
from hub.masterdata.service import MasterData
from hub.masterdata.subscriber import catalog_for, changed_envelope, record_source
from hub.settings import REPO_ROOT
from hub.store import CrossReference, Database, GoldenRecord, MatchLink, SourceRecord
from hub.store.migrate import upgrade
from hub.xref import XrefStore, link_in


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


MINGHUI_TAX = uscc("91310000MA1K4A0X7")
OTHER_TAX = uscc("91310115MA1H7PQ23")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/md.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


def customer(system: str, code: str, **data: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"ev-{system}-{code}-{len(data)}", "type": "party.customer.upserted",
            "source": f"/connectors/{system}", "time": "2026-12-03T08:00:00+08:00",
            "data": {"code": code, **data}}


CRM = customer("crm", "CUS-000101", name="上海明辉贸易有限公司", tax_id=MINGHUI_TAX, credit_limit=500000,
               contacts=[{"name": "王芳", "mobile": "138 0013 8000", "email": "wang.fang@minghui.cn"}],
               addresses=[{"street": "浦东新区世纪大道100号", "city": "上海市"}])
ERP = customer("erp", "100001", name="明辉贸易(上海)有限公司", tax_id=MINGHUI_TAX.lower(), credit_limit=300000,
               payment_terms=30)
MAYBE = customer("erp", "100002", name="明辉商贸有限公司", contacts=[{"name": "王小姐", "mobile": "13800138000"}])
"""Shares CRM's phone but not quite its name and has no tax id: uncertain."""
SRM = customer("srm", "S-77", name="明輝貿易（上海）有限公司",
               contacts=[{"name": "王芳", "phone": "+86 138-0013-8000"}])


def golden_count(s, entity: str = "customer") -> int:
    return len(list(s.scalars(select(GoldenRecord).where(GoldenRecord.status == "active",
                                                         GoldenRecord.entity == entity))))


def xref_rows(s) -> list[tuple[str, str, str, str]]:
    return sorted((x.id, x.system, x.local_id, x.golden_id)
                  for x in s.scalars(select(CrossReference).where(CrossReference.entity == "customer")))


def customer_sources(s) -> list[SourceRecord]:
    return list(s.scalars(select(SourceRecord).where(SourceRecord.entity == "customer")))


def test_one_company_typed_differently_by_crm_erp_and_srm_is_one_golden_record_with_three_xrefs(db):
    with db.session() as s:
        outcomes = [record_source(s, env) for env in (CRM, ERP, SRM)]
    assert [o.action for o in outcomes] == ["created", "joined", "joined"]
    assert len({o.golden_id for o in outcomes}) == 1
    with db.read() as s:
        assert golden_count(s) == 1
        view = MasterData(catalog_for()).view(s, outcomes[0].golden_id)
    assert view["xrefs"] == {"crm": "CUS-000101", "erp": "100001", "srm": "S-77"}
    assert view["fields"]["name"] == "明辉贸易(上海)有限公司"  # ERP wins the name
    assert view["provenance"]["name"]["system"] == "erp"
    assert view["fields"]["credit_limit"] == 300000 and view["provenance"]["credit_limit"]["system"] == "erp"
    assert XrefStore(db).resolve("customer", "CUS-000101", "crm", "erp") == "100001"


def test_a_replayed_message_changes_nothing(db):
    with db.session() as s:
        first = record_source(s, CRM)
    with db.session() as s:
        again = record_source(s, CRM)
        assert again.action == "unchanged" and again.golden_id == first.golden_id
        assert len(customer_sources(s)) == 1
        assert s.get(GoldenRecord, first.golden_id).version == 1


def test_two_different_valid_tax_ids_are_never_merged_however_alike_the_rest_is(db):
    twin = customer("erp", "100009", name="上海明辉贸易有限公司", tax_id=OTHER_TAX,
                    contacts=[{"name": "王芳", "mobile": "13800138000"}])
    with db.session() as s:
        a, b = record_source(s, CRM), record_source(s, twin)
    assert a.golden_id != b.golden_id and b.action == "created" and b.review_links == []
    with db.read() as s:
        assert golden_count(s) == 2


def test_an_invalid_tax_id_is_not_a_deterministic_key(db):
    typo = customer("erp", "100010", name="上海明辉贸易有限公司", tax_id=MINGHUI_TAX[:-1] + "Y"
                    if MINGHUI_TAX[-1] != "Y" else MINGHUI_TAX[:-1] + "X")
    with db.session() as s:
        record_source(s, CRM)
        outcome = record_source(s, typo)
    assert outcome.reason != "rule"


def test_an_uncertain_pair_waits_for_a_steward_with_evidence_per_field(db):
    with db.session() as s:
        record_source(s, CRM)
        outcome = record_source(s, MAYBE)
    assert outcome.action == "created" and len(outcome.review_links) == 1
    with db.read() as s:
        link = s.get(MatchLink, outcome.review_links[0])
        assert link.state == "review"
        assert 0.6 <= link.score < 0.995
        assert link.evidence["name"]["left"] in ("明辉贸易", "明辉商贸") and link.evidence["name"]["similarity"] > 0.8


def test_a_pairs_evidence_shows_each_records_values_on_that_records_side(db):
    """The review queue shows the pair's two records and, under each, its own values, whichever came first."""
    with db.session() as s:
        record_source(s, CRM)
        outcome = record_source(s, MAYBE)
    with db.read() as s:
        link = s.get(MatchLink, outcome.review_links[0])
        side = {s.get(SourceRecord, link.left_id).system: "left", s.get(SourceRecord, link.right_id).system: "right"}
        evidence = link.evidence
    assert evidence["name"][side["crm"]] == "明辉贸易" and evidence["name"][side["erp"]] == "明辉商贸"
    assert evidence["street"][side["crm"]] and evidence["street"][side["erp"]] is None


def test_a_stewards_merge_then_unmerge_restores_records_and_cross_references_exactly(db):
    with db.session() as s:
        record_source(s, CRM)
        link_in(s, "customer", {"wms": "C101"}, golden_id=record_source(s, CRM).golden_id)
        uncertain = record_source(s, MAYBE)
    with db.read() as s:
        before_xrefs = xref_rows(s)
        before_sources = sorted((r.id, r.golden_id) for r in customer_sources(s))
        before_golden = {g.id: g.fields for g in s.scalars(select(GoldenRecord).where(GoldenRecord.entity == "customer"))}
    service = MasterData(catalog_for())
    with db.session() as s:
        result = service.decide(s, uncertain.review_links[0], "merge", actor="user:steward")
    with db.read() as s:
        assert golden_count(s) == 1
        assert len({x[3] for x in xref_rows(s)}) == 1
        survivor = result["golden_id"]
    with db.session() as s:
        service.unmerge(s, "customer", survivor, actor="user:steward")
    with db.read() as s:
        assert xref_rows(s) == before_xrefs
        assert sorted((r.id, r.golden_id) for r in customer_sources(s)) == before_sources
        assert {g.id: g.fields for g in s.scalars(select(GoldenRecord).where(GoldenRecord.entity == "customer"))} == before_golden
        actions = [e["action"] for e in _history(db, survivor)]
    assert actions[-2:] == ["merged", "unmerged"]


def test_a_pair_kept_apart_by_a_steward_is_not_merged_again(db):
    service = MasterData(catalog_for())
    with db.session() as s:
        record_source(s, CRM)
        uncertain = record_source(s, MAYBE)
    with db.session() as s:
        service.decide(s, uncertain.review_links[0], "apart", actor="user:steward")
    with db.session() as s:
        again = record_source(s, customer("erp", "100002", name="明辉商贸有限公司", payment_terms=60, contacts=MAYBE["data"]["contacts"]))
    assert again.action == "updated" and again.review_links == [] and again.absorbed == []


def test_the_id_a_target_gave_a_golden_record_joins_it_when_that_system_reports_the_record(db):
    with db.session() as s:
        created = record_source(s, CRM)
        link_in(s, "customer", {"erp": "100777"}, golden_id=created.golden_id)  # a response_xref
    with db.session() as s:
        echoed = record_source(s, customer("erp", "100777", name="完全不同的名字有限公司"))
    assert echoed.golden_id == created.golden_id and echoed.reason == "cross-reference"


def test_the_changed_envelope_carries_the_golden_record_and_every_systems_id(db):
    with db.session() as s:
        record_source(s, CRM)
        outcome = record_source(s, ERP)
        env = changed_envelope(s, outcome, cause=ERP)
    assert env["type"] == "masterdata.changed" and env["subject"] == outcome.golden_id
    assert env["data"]["xrefs"] == {"crm": "CUS-000101", "erp": "100001"}
    assert env["data"]["record"]["code"] == outcome.golden_id and env["causationid"] == ERP["id"]


def _history(db: Database, golden_id: str) -> list[dict[str, Any]]:
    from hub.masterdata.stewardship import Stewardship

    return Stewardship(db=db, catalog=catalog_for()).history(golden_id)


# -- bulk load and export -----------------------------------------------------------------------


def test_loading_a_file_twice_is_idempotent_and_export_lists_each_record_with_its_golden_id(db, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from hub.cli import app

    monkeypatch.setenv("HUB_DATABASE_URL", db.url)
    csv_file = tmp_path / "suppliers.csv"
    csv_file.write_bytes(("system,id,name,tax_id,phone\n"
                          f"srm,SUP-0001,江苏永固五金制品有限公司,{MINGHUI_TAX},0512-5555 1234\n"
                          f"erp,200001,永固五金(江苏)有限公司,{MINGHUI_TAX},\n"
                          "srm,SUP-0002,浙江森林板材有限公司,,0571 8888 0000\n").encode("gbk"))
    runner = CliRunner()
    first = runner.invoke(app, ["masterdata", "load", "--entity", "supplier", str(csv_file)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["masterdata", "load", "--entity", "supplier", str(csv_file)])
    assert second.exit_code == 0 and "3 unchanged" in second.output
    exported = runner.invoke(app, ["masterdata", "export", "--entity", "supplier"])
    rows = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 3
    by_id = {r["id"]: r["golden_id"] for r in rows}
    assert by_id["SUP-0001"] == by_id["200001"] != by_id["SUP-0002"]


# -- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api(make_settings, tmp_path: Path):
    from fastapi.testclient import TestClient

    from hub.api import create_app
    from hub.runtime import Hub
    from tests.conftest import QUICKSTART

    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    shutil.copytree(REPO_ROOT / "mappings" / "masterdata", config / "mappings" / "masterdata")
    catalog_for.cache_clear()
    hub = Hub.build(make_settings(config_dir=config))
    with TestClient(create_app(hub)) as client:
        yield hub, client
    hub.stop()


def test_the_master_data_api_refuses_anonymous_calls_and_lets_a_token_read_and_a_steward_act(api):
    from tests.support.auth import bearer, new_token

    hub, client = api
    with hub.db.session() as s:
        record_source(s, CRM, catalog=catalog_for(hub.settings.config_dir))
        uncertain = record_source(s, MAYBE,
                                  catalog=catalog_for(hub.settings.config_dir))
    assert client.get("/api/masterdata/customer").status_code == 401
    assert client.post(f"/api/masterdata/reviews/{uncertain.review_links[0]}/merge").status_code == 401
    reader, operator = bearer(new_token(hub.db, "query")), bearer(new_token(hub.db, "operate"))
    found = client.get("/api/masterdata/customer", params={"q": "明辉"}, headers=reader)
    assert found.status_code == 200 and len(found.json()) == 2
    queue = client.get("/api/masterdata/reviews", headers=reader).json()
    assert queue[0]["evidence"]["name"]["similarity"] > 0.8 and queue[0]["left"]["system"] in ("crm", "erp")
    review = uncertain.review_links[0]
    assert client.post(f"/api/masterdata/reviews/{review}/merge", headers=reader).status_code == 403
    merged = client.post(f"/api/masterdata/reviews/{review}/merge", headers=operator)
    assert merged.status_code == 200, merged.text
    golden_id = merged.json()["golden_id"]
    record = client.get(f"/api/masterdata/golden/{golden_id}", headers=reader).json()
    assert record["xrefs"] == {"crm": "CUS-000101", "erp": "100002"} and record["provenance"]["name"]["system"]
    assert client.post(f"/api/masterdata/reviews/{review}/merge", headers=operator).status_code == 409
    unmerged = client.post(f"/api/masterdata/customer/{golden_id}/unmerge", headers=operator)
    assert unmerged.status_code == 200
    history = client.get(f"/api/masterdata/golden/{golden_id}/history", headers=reader).json()
    assert [h["action"] for h in history][-2:] == ["merged", "unmerged"]
    assert history[-2]["actor"] == "token:tests"
    audit = [e["action"] for e in client.get("/api/audit", headers=bearer(new_token(hub.db))).json()["items"]]
    assert "masterdata.merge" in audit and "masterdata.unmerge" in audit


# -- the dashboard ------------------------------------------------------------------------------


def test_a_steward_merges_from_the_review_queue_in_the_dashboard_and_unmerges_from_the_golden_record(api):
    import re

    from hub.auth import AuthService

    hub, client = api
    AuthService(hub.db).create_user("steward", "a long enough pass phrase 42", "operator", check_strength=False)
    catalog = catalog_for(hub.settings.config_dir)
    with hub.db.session() as s:
        record_source(s, CRM, catalog=catalog)
        uncertain = record_source(s, MAYBE, catalog=catalog)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/login").text).group(1)
    assert client.post("/ui/login", data={"username": "steward", "password": "a long enough pass phrase 42",
                                          "csrf_token": token}, follow_redirects=False).status_code == 303
    queue = client.get("/ui/masterdata/reviews", headers={"Accept-Language": "zh-CN"})
    assert queue.status_code == 200 and "待审核" in queue.text and "明辉商贸" in queue.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)
    review = uncertain.review_links[0]
    merged = client.post(f"/ui/masterdata/reviews/{review}/merge", data={"csrf_token": csrf}, follow_redirects=False)
    assert merged.status_code == 303
    page = client.get(merged.headers["location"])
    assert "CUS-000101" in page.text and "100002" in page.text and "unmerge" in page.text
    golden_id = merged.headers["location"].rsplit("/", 1)[-1]
    assert client.post(f"/ui/masterdata/golden/{golden_id}/unmerge", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    with hub.db.read() as s:
        assert golden_count(s) == 2
    actions = [e.action for e in hub_audit(hub)]
    assert "masterdata.merge" in actions and "masterdata.unmerge" in actions


def hub_audit(hub):
    from hub.admin import AdminServices

    return AdminServices.build(hub).audit.list(limit=50).items


def test_the_contacts_inside_a_customer_record_are_persons_matched_across_systems(db):
    from hub.masterdata.subscriber import record_sources

    erp_contact = customer("erp", "100001", name="明辉贸易(上海)有限公司",
                           contacts=[{"name": "王芳 女士", "phone": "+86 138-0013-8000"}])
    with db.session() as s:
        first = record_sources(s, CRM)
        second = record_sources(s, erp_contact)
        replay = record_sources(s, erp_contact)
    assert [(o.entity, o.local_id) for o in first] == [("customer", "CUS-000101"), ("person", "CUS-000101/王芳")]
    assert second[1].entity == "person" and second[1].golden_id == first[1].golden_id
    assert [o.action for o in replay] == ["unchanged", "unchanged"]
    assert XrefStore(db).resolve("person", "CUS-000101/王芳", "crm", "erp") == "100001/王芳 女士"


def test_the_golden_records_page_shows_when_each_source_record_arrived_in_the_business_time_zone(api):
    import re
    from datetime import datetime

    from hub.auth import AuthService

    hub, client = api
    AuthService(hub.db).create_user("steward", "a long enough pass phrase 42", "viewer", check_strength=False)
    with hub.db.session() as s:
        golden_id = record_source(s, CRM, catalog=catalog_for(hub.settings.config_dir)).golden_id
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/login").text).group(1)
    client.post("/ui/login", data={"username": "steward", "password": "a long enough pass phrase 42",
                                   "csrf_token": token}, follow_redirects=False)
    page = client.get(f"/ui/masterdata/golden/{golden_id}").text
    sent = datetime.fromisoformat(CRM["time"])                   # the CloudEvent's time: when CRM sent it
    local = sent.astimezone(hub.settings.zone).strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(rf"<summary>crm:CUS-000101 · <time [^>]*>{local}</time></summary>", page), page[-3000:]
    assert "+00:00</summary>" not in page
