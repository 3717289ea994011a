"""A split batch's bad record fails alone, is listed with its reason, and is replayed alone.

The shop's ``docs.records`` event names its records (``records: docs``) and maps each document
alone; its mapping throws for the document numbered BOOM. ``docs.batch`` maps the whole body once, so
there only a payload that breaks the schema can fail alone. The worker's steps are taken by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from hub.api import create_app
from hub.auth import AuditLog
from hub.cli import app
from hub.runtime import Hub
from hub.store import Delivery, InboundMessage
from hub.store.models import MessageStatus
from tests.support.auth import api_client, bearer, new_token
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target

THREE_DOCS = {"type": "docs.records", "docs": [{"no": "D-1", "lines": []}, {"no": "BOOM", "lines": []},
                                               {"no": "D-3", "lines": []}]}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The shop and the ledger; payloads are kept a week."""
    folder = write_config(tmp_path / "config")
    (folder / "mappings" / "retention.yaml").write_text("name: retention\nevery: 0\ndefault:\n  days: 7\n",
                                                        encoding="utf-8")
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, make_settings, config: Path, target: Target, monkeypatch) -> Iterator[Hub]:
    """No workers: the test translates and delivers. On both stores (PostgreSQL writes a translation
    in one statement of writable CTEs)."""
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    store = {"database_url": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    h = Hub.build(make_settings(config_dir=config, **store))
    yield h
    h.stop()


@pytest.fixture
def api(hub: Hub) -> Iterator[TestClient]:
    with api_client(hub) as c:
        yield c


def receive(api: TestClient, body: dict) -> str:
    content, headers = signed(body, connector="shop")
    r = api.post("/webhooks/shop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def translate_and_deliver(hub: Hub, message_id: str) -> str:
    hub.translator.translate(message_id)
    deliver_due(hub, message_id)
    with hub.db.read() as s:
        return str(s.get(InboundMessage, message_id).status)


def deliver_due(hub: Hub, message_id: str) -> None:
    with hub.db.read() as s:
        due = list(s.scalars(select(Delivery.id).where(Delivery.message_id == message_id,
                                                       Delivery.status == "pending")))
    for delivery_id in due:
        hub.deliverer.deliver(delivery_id)


def fix_the_mapping(config: Path, hub: Hub) -> None:
    (config / "mappings" / "shop" / "doc_record.jsonata").write_text(
        '{"doc_no": no = "BOOM" ? "D-2" : no, "lines": lines}', encoding="utf-8")
    hub.registry.mappings.reload()


def test_a_record_whose_mapping_throws_fails_alone_and_the_others_are_delivered(hub, api, target):
    mid = receive(api, THREE_DOCS)
    assert translate_and_deliver(hub, mid) == MessageStatus.FAILED
    assert sorted(c["path"] for c in target.calls) == ["/docs/D-1", "/docs/D-3"]

    detail = api.get(f"/api/messages/{mid}").json()
    [bad] = detail["failed_records"]
    assert bad["index"] == 1 and bad["record"] == {"no": "BOOM", "lines": []}
    assert "cannot read document BOOM" in bad["error"] and bad["error_detail"]["kind"] == "mapping"
    assert bad["replay_url"] == f"/api/messages/{mid}/records/1/replay"
    assert [(c["seq"], c["status"]) for c in detail["canonical"]] == [(0, "delivered"), (2, "delivered")]
    assert "record [1] of a batch of 3 failed" in detail["error"]
    assert detail["error_detail"]["failed"] == [1]
    assert [m["id"] for m in api.get("/api/messages", params={"status": "failed"}).json()["items"]] == [mid]


def test_records_that_give_nothing_take_no_place_so_the_list_still_names_the_first_document(hub, api, target):
    body = {"type": "docs.records", "docs": [{"no": "SKIP", "lines": []}, {"no": "D-2", "lines": []},
                                             {"no": "BOOM", "lines": []}]}
    mid = receive(api, body)
    assert translate_and_deliver(hub, mid) == MessageStatus.FAILED
    [line] = api.get("/api/messages", params={"status": "failed"}).json()["items"]
    assert (line["id"], line["subject"], line["canonical_count"]) == (mid, "D-2", 2)
    [bad] = api.get(f"/api/messages/{mid}").json()["failed_records"]
    assert bad["index"] == 1 and bad["record"]["no"] == "BOOM"


def test_a_batch_whose_every_record_fails_is_translated_again_by_a_plain_replay(hub, api, target, config):
    mid = receive(api, {"type": "docs.records", "docs": [{"no": "BOOM", "lines": []}]})
    assert translate_and_deliver(hub, mid) == MessageStatus.FAILED and target.calls == []
    fix_the_mapping(config, hub)
    assert api.post(f"/api/messages/{mid}/replay").json()["detail"] == "translated again with the current mapping"
    deliver_due(hub, mid)
    assert [c["path"] for c in target.calls] == ["/docs/D-2"]


def test_a_plain_replay_resends_the_good_records_and_leaves_the_failed_one_to_its_own_replay(hub, api, target):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    assert len(api.post(f"/api/messages/{mid}/replay").json()["deliveries"]) == 2
    deliver_due(hub, mid)
    assert sorted(c["path"] for c in target.calls) == ["/docs/D-1", "/docs/D-1", "/docs/D-3", "/docs/D-3"]
    detail = api.get(f"/api/messages/{mid}").json()
    assert detail["status"] == MessageStatus.FAILED and [b["index"] for b in detail["failed_records"]] == [1]


def test_a_record_that_breaks_the_schema_fails_alone_and_the_others_are_delivered(hub, api, target):
    body = {"type": "docs.batch", "docs": [{"no": "D-1", "lines": []}, {"no": 7, "lines": []}]}
    mid = receive(api, body)
    assert translate_and_deliver(hub, mid) == MessageStatus.FAILED
    assert [c["path"] for c in target.calls] == ["/docs/D-1"]
    [bad] = api.get(f"/api/messages/{mid}").json()["failed_records"]
    assert bad["index"] == 1 and bad["record"] == {"doc_no": 7, "lines": []}
    assert bad["error_detail"]["kind"] == "schema" and bad["error_detail"]["path"] == "/doc_no"


def test_replaying_the_fixed_record_delivers_it_and_nothing_is_delivered_twice(hub, api, target, config):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    assert len(target.calls) == 2

    fix_the_mapping(config, hub)
    r = api.post(f"/api/messages/{mid}/records/1/replay")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == MessageStatus.DELIVERING and len(r.json()["deliveries"]) == 1
    deliver_due(hub, mid)

    assert sorted(c["path"] for c in target.calls) == ["/docs/D-1", "/docs/D-2", "/docs/D-3"]
    detail = api.get(f"/api/messages/{mid}").json()
    assert detail["status"] == MessageStatus.DELIVERED and detail["error"] is None
    assert detail["failed_records"] == []
    assert sorted((c["seq"], c["status"]) for c in detail["canonical"] if c["current"]) == [
        (0, "delivered"), (1, "delivered"), (2, "delivered")]
    assert api.post(f"/api/messages/{mid}/records/1/replay").status_code == 409, "a delivered record is not replayed"


def test_a_record_replayed_before_its_mapping_is_fixed_stays_failed_with_its_reason(hub, api, target):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    r = api.post(f"/api/messages/{mid}/records/1/replay")
    assert r.status_code == 200 and r.json()["status"] == MessageStatus.FAILED
    assert "cannot read document BOOM" in r.json()["detail"]
    assert len(target.calls) == 2
    assert [b["index"] for b in api.get(f"/api/messages/{mid}").json()["failed_records"]] == [1]


def test_a_record_index_the_batch_does_not_have_is_refused_with_404(hub, api):
    mid = receive(api, THREE_DOCS)
    hub.translator.translate(mid)
    r = api.post(f"/api/messages/{mid}/records/9/replay")
    assert r.status_code == 404 and "no record [9]" in r.json()["error"]["message"]
    assert "[1]" in r.json()["error"]["message"], "the answer names the records that did fail"
    assert api.post(f"/api/messages/{mid}/records/x/replay").status_code == 422
    assert api.post("/api/messages/no-such-message/records/1/replay").status_code == 404


def test_replaying_a_record_needs_the_act_permission_and_is_audited(hub, api, config, target):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    refused = api.post(f"/api/messages/{mid}/records/1/replay", headers=bearer(new_token(hub.db, "query")))
    assert refused.status_code == 403
    fix_the_mapping(config, hub)
    api.post(f"/api/messages/{mid}/records/1/replay", headers=bearer(new_token(hub.db, "operate")))
    [entry] = [e for e in api.get("/api/audit").json()["items"] if e["action"] == "replay.record"]
    assert entry["target"] == mid and entry["detail"]["index"] == 1


def test_the_whole_message_replay_still_translates_every_record_again(hub, api, target, config):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    fix_the_mapping(config, hub)
    api.post(f"/api/messages/{mid}/replay", params={"remap": "true"})
    deliver_due(hub, mid)
    detail = api.get(f"/api/messages/{mid}").json()
    assert detail["status"] == MessageStatus.DELIVERED and detail["failed_records"] == []
    assert sorted(c["path"] for c in target.calls).count("/docs/D-2") == 1


def test_the_message_page_lists_the_failed_record_with_a_replay_button(hub, config, target):
    with TestClient(create_app(hub), follow_redirects=False) as c:
        mid = receive(c, THREE_DOCS)
        translate_and_deliver(hub, mid)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/ui/login").text).group(1)
        c.post("/ui/login", data={"username": "admin", "password": "admin", "csrf_token": csrf})
        page = c.get(f"/ui/messages/{mid}").text
        assert 'data-failed-record="1"' in page and "cannot read document BOOM" in page
        form = f'/ui/messages/{mid}/records/1/replay'
        assert form in page and f"message={mid}&amp;record=1" in page, "a replay button and the playground"
        fix_the_mapping(config, hub)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert c.post(form, data={"csrf_token": token}).status_code == 303
        deliver_due(hub, mid)
        assert 'data-failed-record' not in c.get(f"/ui/messages/{mid}").text
    assert sorted(call["path"] for call in target.calls) == ["/docs/D-1", "/docs/D-2", "/docs/D-3"]


def test_retention_purges_a_failed_record_with_the_message_and_it_is_no_longer_replayed(hub, api):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    with hub.db.session() as s:
        s.execute(update(InboundMessage).where(InboundMessage.id == mid)
                  .values(received_at=datetime.now(UTC) - timedelta(days=8)))
    assert hub.retention.run().purged == 1
    [bad] = api.get(f"/api/messages/{mid}").json()["failed_records"]
    assert bad["record"] is None and "cannot read document BOOM" in bad["error"]
    r = api.post(f"/api/messages/{mid}/records/1/replay")
    assert r.status_code == 409 and r.json()["error"]["code"] == "payload_purged"


def test_the_playground_opened_on_a_failed_record_maps_that_record_with_the_body_as_native(hub, api):
    mid = receive(api, THREE_DOCS)
    hub.translator.translate(mid)
    playground = api.app.state.admin.playground
    record = playground.sample_input("shop/doc_record.jsonata", mid, 1)
    assert record == {"no": "BOOM", "lines": []}
    source = hub.registry.mappings.get("shop/doc_record.jsonata").source
    failed = playground.run(source, record, mapping="shop/doc_record.jsonata", message=mid)
    assert not failed.ok and "cannot read document BOOM" in failed.error
    fixed = playground.run('{"doc_no": $native.type & "/" & no}', record, mapping="shop/doc_record.jsonata",
                           message=mid)
    assert fixed.ok and fixed.output == {"doc_no": "docs.records/BOOM"}
    assert fixed.bindings["native"]["docs"][1] == record, "a test case saved from it carries the body"


def test_a_failed_record_is_replayed_from_the_cli_and_audited(hub, api, config, target, monkeypatch):
    mid = receive(api, THREE_DOCS)
    translate_and_deliver(hub, mid)
    fix_the_mapping(config, hub)
    monkeypatch.setenv("HUB_DATABASE_URL", hub.settings.database_url)
    monkeypatch.setenv("HUB_CONFIG_DIR", str(config))
    monkeypatch.setenv("HUB_ENV", "development")  # the tests sign with the development secrets
    monkeypatch.setenv("USER", "liqiang")

    replayed = CliRunner().invoke(app, ["replay", mid, "--record", "1"])

    assert replayed.exit_code == 0, replayed.output
    assert "record [1] mapped again: 1 new delivery(ies)" in " ".join(replayed.output.split())
    deliver_due(hub, mid)
    assert sorted(c["path"] for c in target.calls) == ["/docs/D-1", "/docs/D-2", "/docs/D-3"]
    [entry] = AuditLog(hub.db).list(action="replay.record").items
    assert (entry.actor, entry.target, entry.via, entry.detail["index"]) == ("liqiang", mid, "cli", 1)
