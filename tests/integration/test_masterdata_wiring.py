"""The golden record on the message path: master-data messages become source records in the translation's
transaction, and each change of a golden record is published as ``masterdata.changed``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.masterdata import store
from hub.masterdata import subscriber as subscriber_module
from hub.masterdata.subscriber import CHANGED_TYPE, MasterDataSubscriber, catalog_for
from hub.runtime import Hub
from hub.settings import REPO_ROOT
from hub.store import CanonicalMessage, Delivery, GoldenRecord, InboundMessage, SourceRecord
from tests.support.signing import signed


def crm_customer(code: str = "CUS-000201", name: str = "成都锦城办公设备有限公司", event_id: str = "msg_c1",
                 **extra: Any) -> dict[str, Any]:
    data = {"customerId": code, "name": name, "nameEn": None, "uscc": "91510100MA61XK2P3F", "status": "active",
            "phone": "028-86661234", "creditLimit": 150000.0, "currency": "CNY", "paymentTermsDays": 30,
            "addresses": [{"kind": "office", "street": "成都市锦江区红星路三段1号", "city": "成都",
                           "country": "CN", "isDefault": True}],
            "contacts": [{"name": "何军", "mobile": "13908001234", "isPrimary": True}],
            "externalRefs": {}, "version": 1, "createdAt": "2026-11-22T09:30:00+08:00",
            "updatedAt": "2026-11-22T09:30:00+08:00", **extra}
    return {"eventType": "customer.created", "eventId": event_id, "occurredAt": "2026-11-22T09:30:00+08:00",
            "tenant": "hengjia", "data": data}


def erp_customer(customer_id: int = 100201, name: str = "锦城办公设备(成都)有限公司", tax_no: str = "91510100MA61XK2P3F",
                 event_id: str = "msg_e1") -> dict[str, Any]:
    return {"event": "customer.saved", "event_id": event_id, "ts": 1795315619, "company_code": "1000",
            "body": {"customer_id": customer_id, "name": name, "name_en": None, "tax_no": tax_no,
                     "credit_limit": "120000.00", "payment_terms_days": 45, "currency": "CNY", "discount_pct": "0.00",
                     "status": "active", "city": "成都", "address": "成都市锦江区红星路三段1号", "phone": "028 8666 1234",
                     "contact_name": "何军", "contact_phone": "139-0800-1234", "ext_refs": {},
                     "changed_on": "2026-11-23", "change": "created"}}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(request, make_settings) -> Iterator[Hub]:
    """The repository's own connectors and entities; translation is driven by the test (no workers)."""
    overrides: dict[str, Any] = {"config_dir": REPO_ROOT}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    h = Hub.build(make_settings(**overrides))
    yield h
    h.stop()


def ingest(hub: Hub, connector: str, body: dict[str, Any]) -> str:
    content, headers = signed(body, connector=connector)
    return hub.ingestor.accept(connector, headers, content).id


def current_canonicals(hub: Hub, message_id: str) -> list[CanonicalMessage]:
    with hub.db.read() as s:
        rows = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == message_id,
                                                             CanonicalMessage.current)
                              .order_by(CanonicalMessage.seq)))
        s.expunge_all()  # read after the session ends
        return rows


def sources(hub: Hub, entity: str = "customer") -> list[SourceRecord]:
    with hub.db.read() as s:
        rows = list(s.scalars(select(SourceRecord).where(SourceRecord.entity == entity)
                              .order_by(SourceRecord.system)))
        s.expunge_all()
        return rows


def test_a_crm_customer_is_stored_as_a_source_record_and_its_golden_record_published_in_one_translation(hub):
    message_id = ingest(hub, "crm", crm_customer())
    hub.translator.translate(message_id)

    [crm] = sources(hub)
    assert (crm.system, crm.local_id, crm.payload["name"]) == ("crm", "CUS-000201", "成都锦城办公设备有限公司")
    [contact] = sources(hub, "person")
    assert contact.local_id == "CUS-000201/何军"

    canonicals = current_canonicals(hub, message_id)
    assert [c.type for c in canonicals] == ["party.customer.upserted", CHANGED_TYPE, CHANGED_TYPE]
    assert [c.seq for c in canonicals] == [0, 1, 2]
    upserted, *changed = canonicals
    by_entity = {c.data["entity"]: c for c in changed}
    customer = by_entity["customer"]
    assert customer.subject == customer.data["golden_id"] == crm.golden_id
    assert customer.causation_id == upserted.id and customer.correlation_id == upserted.correlation_id
    assert customer.data["record"]["name"] == "成都锦城办公设备有限公司"
    assert customer.data["provenance"]["name"]["system"] == "crm"
    assert customer.data["xrefs"] == {"crm": "CUS-000201"}
    assert by_entity["person"].data["xrefs"] == {"crm": "CUS-000201/何军"}
    for c in changed:  # what is published fits the catalog
        hub.registry.catalog.get(CHANGED_TYPE).validate(c.data)


def test_the_same_company_from_erp_joins_the_golden_record_and_publishes_what_changed(hub):
    hub.translator.translate(ingest(hub, "crm", crm_customer()))
    erp_message = ingest(hub, "erp", erp_customer())
    hub.translator.translate(erp_message)

    crm, erp = sources(hub)
    assert erp.golden_id == crm.golden_id
    changed = [c for c in current_canonicals(hub, erp_message)
               if c.type == CHANGED_TYPE and c.data["entity"] == "customer"]
    assert len(changed) == 1
    assert changed[0].data["xrefs"] == {"crm": "CUS-000201", "erp": "100201"}
    assert "credit_limit" in changed[0].data["changed_fields"]  # ERP wins the credit limit
    assert changed[0].data["provenance"]["credit_limit"]["system"] == "erp"
    with hub.db.read() as s:
        golden = s.get(GoldenRecord, crm.golden_id)
        assert golden is not None and golden.fields["credit_limit"] == 120000


def test_a_replayed_translation_stores_nothing_twice_and_publishes_no_change(hub):
    message_id = ingest(hub, "crm", crm_customer())
    hub.translator.translate(message_id)
    [before] = sources(hub)
    with hub.db.read() as s:
        version = s.get(GoldenRecord, before.golden_id).version

    hub.translator.translate(message_id, force=True)  # what an operator's replay does

    [after] = sources(hub)
    assert (after.id, after.golden_id) == (before.id, before.golden_id)
    assert [c.type for c in current_canonicals(hub, message_id)] == ["party.customer.upserted"]
    with hub.db.read() as s:
        assert s.get(GoldenRecord, before.golden_id).version == version
        assert s.scalar(select(func.count()).select_from(SourceRecord)) == 2  # the customer and its contact


def test_a_message_that_fails_to_translate_leaves_no_source_record(hub):
    body = crm_customer()
    body["data"]["name"] = None  # the canonical schema requires a name
    message_id = ingest(hub, "crm", body)
    assert hub.translator.translate(message_id) == "failed"
    assert sources(hub) == [] and sources(hub, "person") == []


def test_masterdata_changed_is_delivered_in_order_per_golden_record(hub):
    envelope = {"type": CHANGED_TYPE, "subject": "G-1", "data": {"entity": "customer", "golden_id": "G-1"}}
    assert hub.translator._ordering_key("crm", envelope) == "G-1"
    assert hub.translator._ordering_key("erp", envelope) == "G-1"
    order = {"type": "sales_order.placed", "subject": "SO-1", "data": {"order_no": "SO-1"}}
    assert hub.translator._ordering_key("crm", order) == "SO-1"  # the connector's own key still comes first


def test_messages_about_one_customer_reach_erp_and_wms_one_at_a_time(hub):
    """A customer created and renamed at once: the rename must not reach ERP (or WMS) while the creation is
    on its way, or the creation, applied last, brings the first name back."""
    created = {"type": "party.customer.upserted", "source": "/connectors/crm", "data": {"code": "CUS-9", "name": "A"}}
    renamed = {**created, "data": {"code": "CUS-9", "name": "B"}}
    other = {**created, "data": {"code": "CUS-10", "name": "C"}}
    supplier = {**created, "type": "party.supplier.upserted"}
    for target in ("erp", "wms"):
        key = hub.translator._ordering_key(target, created)
        assert key and key == hub.translator._ordering_key(target, renamed)
        assert key != hub.translator._ordering_key(target, other)
        assert key != hub.translator._ordering_key(target, supplier)


@pytest.mark.postgres
def test_two_translations_storing_the_same_new_record_at_once_end_with_one_record_and_no_failure(
        make_settings, pg_url, monkeypatch):
    """The loser of the race on (entity, system, local id) retries in a savepoint and finds the winner's record."""
    h = Hub.build(make_settings(config_dir=REPO_ROOT, database_url=pg_url))
    try:
        subscriber = MasterDataSubscriber(catalog_for(REPO_ROOT))
        envelope = {"specversion": "1.0", "id": "ev-1", "type": "party.customer.upserted", "source": "/connectors/erp",
                    "time": "2026-12-03T08:00:00+08:00", "data": {"code": "100301", "name": "重庆山城家具有限公司"}}
        real_source = store.source
        raced = threading.Event()

        def source_after_a_rival_commits(s, entity, system, local_id):  # the rival commits between look-up and insert
            found = real_source(s, entity, system, local_id)
            if not raced.is_set():
                raced.set()
                rival = threading.Thread(target=lambda: _record_alone(h, envelope))
                rival.start()
                rival.join()
            return found

        monkeypatch.setattr(store, "source", source_after_a_rival_commits)
        monkeypatch.setattr(subscriber_module, "lock_entities", lambda s, names: None)
        with h.db.session() as s:
            published = subscriber(s, envelope)
        assert raced.is_set()
        assert published == []  # the rival published the change; the retry found it unchanged
        with h.db.read() as s:
            assert s.scalar(select(func.count()).select_from(SourceRecord).where(
                SourceRecord.local_id == "100301")) == 1
            assert s.scalar(select(func.count()).select_from(GoldenRecord)) == 1
    finally:
        h.stop()


def _record_alone(h: Hub, envelope: dict[str, Any]) -> None:
    with h.db.session() as s:
        MasterDataSubscriber(catalog_for(REPO_ROOT))(s, envelope)


def test_nothing_but_master_data_is_recorded(hub):
    with hub.db.session() as s:
        assert MasterDataSubscriber(catalog_for(REPO_ROOT))(s, {"type": "sales_order.placed", "data": {}}) == []
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
