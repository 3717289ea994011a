"""Aggregator: documents gathered by batch until a count, a predicate or a timeout completes them; then one
message of their own, translated, routed and delivered like any other."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.runtime import Hub
from hub.store import CanonicalMessage, Delivery, InboundMessage
from hub.store.models import Aggregate, MessageStatus
from tests.support.aggregation_config import write_aggregation_config
from tests.support.auth import api_client
from tests.support.signing import signed
from tests.support.waiting import eventually


@pytest.fixture
def batch_hub(make_settings, tmp_path: Path, target, monkeypatch):
    def build(**kw: str) -> Hub:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        return Hub.build(make_settings(config_dir=write_aggregation_config(tmp_path / "config", **kw)))
    hubs: list[Hub] = []
    yield lambda **kw: hubs.append(build(**kw)) or hubs[-1]
    for hub in hubs:
        hub.stop()


def send(hub: Hub, no: str, *, translate: bool = True) -> str:
    content, headers = signed({"type": "doc.created", "no": no, "lines": []}, connector="shop")
    with api_client(hub) as c:
        mid = c.post("/webhooks/shop", content=content, headers=headers).json()["id"]
    if translate:
        hub.translator.translate(mid)
        translate_made(hub)
    return str(mid)


def translate_made(hub: Hub) -> None:
    """Translate the messages complete aggregations made (enqueued; this hub runs no workers)."""
    with hub.db.read() as s:
        made = list(s.scalars(select(InboundMessage.id).where(InboundMessage.mode == "aggregation",
                                                              InboundMessage.status == MessageStatus.RECEIVED)))
    for mid in made:
        hub.translator.translate(mid)


def batched(hub: Hub) -> list[dict]:
    with hub.db.read() as s:
        return [c.envelope() for c in s.scalars(select(CanonicalMessage).where(CanonicalMessage.type == "doc.batched")
                                              .order_by(CanonicalMessage.created_at))]


def test_the_third_document_of_a_batch_completes_it_into_one_message_delivered_to_the_ledger(batch_hub, target):
    hub = batch_hub()
    first = send(hub, "B1-1")
    send(hub, "B2-1")
    send(hub, "B1-2")
    assert batched(hub) == []
    send(hub, "B1-3")
    [made] = batched(hub)
    assert made["data"] == {"batch": "B1", "docs": ["B1-1", "B1-2", "B1-3"], "completion": "count"}
    assert made["source"] == "/connectors/shop"
    with hub.db.read() as s:
        origin = s.get(CanonicalMessage, s.scalar(select(CanonicalMessage.id).where(
            CanonicalMessage.message_id == first)))
        assert made["correlationid"] == origin.correlation_id, "the aggregate joins its first message's transaction"
        assert s.get(Aggregate, s.scalar(select(Aggregate.id).where(Aggregate.key == "B1"))).state == "complete"
        deliveries = list(s.scalars(select(Delivery.id).order_by(Delivery.created_at)))
    for d in deliveries:  # in order: the batch goes after the documents of its transaction
        hub.deliverer.deliver(d)
    assert [c["path"] for c in target.calls] == ["/docs/B1-1", "/docs/B2-1", "/docs/B1-2", "/docs/B1-3",
                                                 "/batches/B1"]


def test_a_batch_lists_its_documents_in_the_order_they_arrived_whatever_order_they_are_translated_in(batch_hub):
    hub = batch_hub()
    received = [send(hub, no, translate=False) for no in ("B8-1", "B8-2", "B8-3")]
    for mid in reversed(received):
        hub.translator.translate(mid)
    translate_made(hub)
    [made] = batched(hub)
    assert made["data"]["docs"] == ["B8-1", "B8-2", "B8-3"]


def test_a_batch_is_not_completed_without_a_document_its_sender_sent_before_and_that_is_not_translated_yet(
        batch_hub):
    hub = batch_hub()
    first, last = send(hub, "B9-1", translate=False), send(hub, "B9-LAST", translate=False)
    hub.translator.translate(last)  # the last one translated first: the predicate holds, but B9-1 may belong
    translate_made(hub)
    assert batched(hub) == []
    hub.translator.translate(first)
    translate_made(hub)
    [made] = batched(hub)
    assert made["data"] == {"batch": "B9", "docs": ["B9-1", "B9-LAST"], "completion": "when"}


def test_a_batch_put_off_for_another_batch_s_document_is_completed_by_the_sweeper_once_that_is_translated(
        batch_hub):
    hub = batch_hub()
    other, last = send(hub, "B10-1", translate=False), send(hub, "B11-LAST", translate=False)
    hub.translator.translate(last)
    hub.sweeper.sweep_once()
    translate_made(hub)
    assert batched(hub) == [], "not while B10-1, sent before it, is untranslated"
    hub.translator.translate(other)  # another batch's: it does not touch B11

    def swept() -> list[dict]:
        hub.sweeper.sweep_once()
        translate_made(hub)
        return batched(hub)
    [made] = eventually(swept, timeout=30, what="the sweeper to complete the put-off batch")
    assert made["data"] == {"batch": "B11", "docs": ["B11-LAST"], "completion": "when"}


def test_a_predicate_completes_a_batch_before_its_count(batch_hub):
    hub = batch_hub()
    send(hub, "B3-1")
    send(hub, "B3-LAST")
    [made] = batched(hub)
    assert made["data"] == {"batch": "B3", "docs": ["B3-1", "B3-LAST"], "completion": "when"}


def test_a_batch_that_never_completes_is_completed_by_the_sweeper_after_its_timeout(batch_hub):
    hub = batch_hub(completion="      count: 3\n      timeout: 1s")
    send(hub, "B4-1")
    hub.sweeper.sweep_once()
    assert batched(hub) == [], "not before its timeout"

    def swept() -> list[dict]:
        hub.sweeper.sweep_once()
        translate_made(hub)
        return batched(hub)
    [made] = eventually(swept, timeout=30, what="the sweeper to complete the batch")
    assert made["data"] == {"batch": "B4", "docs": ["B4-1"], "completion": "timeout"}


def test_a_document_translated_again_is_not_gathered_twice(batch_hub):
    hub = batch_hub()
    first = send(hub, "B5-1")
    hub.translator.translate(first, force=True)
    send(hub, "B5-2")
    assert batched(hub) == []
    with hub.db.read() as s:
        row = s.scalar(select(Aggregate).where(Aggregate.key == "B5"))
        assert row.count == 2 and [m["data"]["doc_no"] for m in row.members] == ["B5-1", "B5-2"]


def test_a_key_whose_batch_is_complete_starts_a_new_one(batch_hub):
    hub = batch_hub()
    for no in ("B6-1", "B6-2", "B6-3", "B6-4"):
        send(hub, no)
    with hub.db.read() as s:
        rows = list(s.execute(select(Aggregate.generation, Aggregate.state, Aggregate.count)
                              .where(Aggregate.key == "B6").order_by(Aggregate.generation)))
    assert [tuple(r) for r in rows] == [(1, "complete", 3), (2, "open", 1)]


def test_a_sender_cannot_forge_an_aggregation_event(batch_hub):
    hub = batch_hub()
    content, headers = signed({"type": "aggregation/batch", "key": "B7", "messages": []}, connector="shop")
    with api_client(hub) as c:
        answer = c.post("/webhooks/shop", content=content, headers=headers)
    assert answer.status_code == 202
    hub.translator.translate(answer.json()["id"])
    with hub.db.read() as s:
        msg = s.get(InboundMessage, answer.json()["id"])
        assert msg.status == MessageStatus.FAILED and "aggregator only" in msg.error
    assert batched(hub) == []
