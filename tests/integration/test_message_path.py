"""The message path as stages, end to end on a real store and a real HTTP target.

One event may become several canonical messages (a splitter), one subscription may make one call per
element (``each``), deliveries to one system within one transaction keep their causal order across
senders, answers are classified by the operation's rules, and every call is in the attempt log before
it is made. The worker's steps (translate, deliver) are taken by hand where the order matters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.runtime import Hub
from hub.search import MessageFilter
from hub.store import Attempt, CanonicalMessage, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target


@pytest.fixture
def shop_config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config")


def build(make_settings, config: Path, target: Target, monkeypatch) -> Hub:
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    return Hub.build(make_settings(config_dir=config))


@pytest.fixture
def manual_hub(make_settings, shop_config: Path, target: Target, monkeypatch) -> Iterator[Hub]:
    """No workers: the test takes each step."""
    h = build(make_settings, shop_config, target, monkeypatch)
    yield h
    h.stop()


def receive(hub: Hub, body: dict) -> str:
    content, headers = signed(body, connector="shop")
    with api_client(hub) as c:
        r = c.post("/webhooks/shop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def deliveries(hub: Hub, message_id: str) -> list:
    """(id, operation, element, correlation_id) of each delivery, in creation order."""
    with hub.db.read() as s:
        return list(s.execute(select(Delivery.id, Delivery.operation, Delivery.element, Delivery.correlation_id)
                              .where(Delivery.message_id == message_id)
                              .order_by(Delivery.created_at, Delivery.canonical_id, Delivery.element)).all())


def deliver_all(hub: Hub, message_id: str) -> None:
    for d in deliveries(hub, message_id):
        hub.deliverer.deliver(d.id)


def message_status(hub: Hub, message_id: str) -> str:
    with hub.db.read() as s:
        return str(s.get(InboundMessage, message_id).status)


BATCH = {"type": "docs.batch", "docs": [{"no": "D-1", "lines": [{"no": 1, "qty": 1}]},
                                        {"no": "D-2", "lines": [{"no": 1, "qty": 2}, {"no": 2, "qty": 3}]},
                                        {"no": "D-3", "lines": []}]}


def test_a_split_event_is_one_inbound_message_with_several_canonical_messages_each_delivered(manual_hub, target):
    mid = receive(manual_hub, BATCH)
    assert manual_hub.translator.translate(mid) == MessageStatus.DELIVERING
    with manual_hub.db.read() as s:
        canon = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == mid)
                               .order_by(CanonicalMessage.seq)))
        assert [(c.seq, c.subject, bool(c.current)) for c in canon] == [(0, "D-1", True), (1, "D-2", True),
                                                                 (2, "D-3", True)]
    made = deliveries(manual_hub, mid)
    assert [(d.operation, d.element) for d in made] == [("book_line", 0), ("book_line", 0), ("book_line", 1),
                                                        ("book", None)]
    deliver_all(manual_hub, mid)
    assert sorted(c["path"] for c in target.calls) == ["/docs/D-1/lines/1", "/docs/D-2/lines/1",
                                                       "/docs/D-2/lines/2", "/docs/D-3"]
    assert message_status(manual_hub, mid) == MessageStatus.DELIVERED

    with api_client(manual_hub) as c:
        detail = c.get(f"/api/messages/{mid}").json()
        assert detail["canonical_count"] == 3 and detail["subject"] == "D-1"
        assert [(x["seq"], x["status"]) for x in detail["canonical"]] == [(0, "delivered"), (1, "delivered"),
                                                                         (2, "delivered")]
        found = c.get("/api/messages", params={"q": "D-2"}).json()["items"]
        assert [m["id"] for m in found] == [mid], "a later part's business key finds its message"
        assert c.get("/api/messages", params={"subject": "D-3"}).json()["items"][0]["id"] == mid


@pytest.mark.parametrize("target", [lambda n: 200], indirect=True)
def test_each_part_of_a_split_has_its_own_state(manual_hub, target):
    mid = receive(manual_hub, BATCH)
    manual_hub.translator.translate(mid)
    d1, d2a, d2b, d3 = deliveries(manual_hub, mid)
    for d in (d1, d3):
        manual_hub.deliverer.deliver(d.id)
    target.respond = lambda n: 422  # the ledger refuses D-2's lines: a business rejection
    for d in (d2a, d2b):
        assert manual_hub.deliverer.deliver(d.id).status == DeliveryStatus.REJECTED
    with manual_hub.db.read() as s:
        states = list(s.scalars(select(CanonicalMessage.status).where(CanonicalMessage.message_id == mid)
                                .order_by(CanonicalMessage.seq)))
    assert states == ["delivered", "rejected", "delivered"]
    assert message_status(manual_hub, mid) == MessageStatus.REJECTED


def test_a_replay_with_the_current_mapping_supersedes_the_earlier_canonical_messages(manual_hub):
    mid = receive(manual_hub, BATCH)
    manual_hub.translator.translate(mid)
    manual_hub.operations.replay_message(mid, remap=True)
    with manual_hub.db.read() as s:
        rows = list(s.execute(select(CanonicalMessage.current, CanonicalMessage.status)
                              .where(CanonicalMessage.message_id == mid)).all())
    assert [(bool(c), st) for c, st in rows].count((False, MessageStatus.SUPERSEDED)) == 3
    assert len([c for c, _ in rows if c]) == 3
    search = manual_hub.operations.list_messages(MessageFilter(q="D-2")).items
    assert [m.id for m in search] == [mid] and search[0].canonical_count == 3


def test_a_split_that_gives_nothing_leaves_the_message_ignored(manual_hub, target):
    mid = receive(manual_hub, {"type": "docs.batch", "docs": []})
    assert manual_hub.translator.translate(mid) == MessageStatus.IGNORED
    assert deliveries(manual_hub, mid) == [] and target.calls == []


def test_a_delivery_waits_for_an_earlier_one_of_the_same_transaction_from_another_sender(manual_hub, target):
    """A shipment (later, from one sender) waits for the production receipt (earlier, another sender)."""
    earlier = receive(manual_hub, {"type": "doc.created", "no": "D-7", "lines": []})
    manual_hub.translator.translate(earlier)
    later = receive(manual_hub, {"type": "docs.batch", "docs": [{"no": "D-7", "lines": []}]})
    manual_hub.translator.translate(later)
    [first], [second] = deliveries(manual_hub, earlier), deliveries(manual_hub, later)
    assert first.correlation_id == second.correlation_id

    held = manual_hub.deliverer.deliver(second.id)
    assert held is not None and held.status == DeliveryStatus.RETRYING and target.calls == []
    manual_hub.deliverer.deliver(first.id)  # settling it makes the held one due at once
    assert manual_hub.deliverer.deliver(second.id).status == DeliveryStatus.DELIVERED
    assert [c["headers"]["idempotency-key"] for c in target.calls] == [first.id, second.id]


def test_other_transactions_are_not_held_behind_an_open_delivery(manual_hub, target):
    stuck = receive(manual_hub, {"type": "doc.created", "no": "D-8", "lines": []})
    manual_hub.translator.translate(stuck)
    other = receive(manual_hub, {"type": "doc.created", "no": "D-9", "lines": []})
    manual_hub.translator.translate(other)
    [d9] = deliveries(manual_hub, other)
    assert manual_hub.deliverer.deliver(d9.id).status == DeliveryStatus.DELIVERED


def insufficient_then_ok(n: int):
    if n == 0:
        return 422, {}, {"error": {"code": "insufficient_stock", "message": "only 0 in stock"}}
    return 200


@pytest.mark.parametrize("target", [insufficient_then_ok], indirect=True)
def test_a_refusal_declared_transient_is_retried_on_its_own_schedule_and_then_applied(manual_hub, target):
    mid = receive(manual_hub, {"type": "doc.created", "no": "D-10", "lines": [{"no": 1, "qty": 4}]})
    manual_hub.translator.translate(mid)
    [d] = deliveries(manual_hub, mid)
    outcome = manual_hub.deliverer.deliver(d.id)
    assert outcome is not None and outcome.status in (DeliveryStatus.RETRYING, DeliveryStatus.DELIVERED)
    if outcome.status == DeliveryStatus.RETRYING:  # the in-place attempts ran out before the cure
        assert outcome.retry_in_s is not None and outcome.retry_in_s <= 1.2  # the rule's schedule: 1s ± jitter
        with manual_hub.db.session() as s:
            s.get(Delivery, d.id).next_attempt_at = s.get(Delivery, d.id).updated_at
        manual_hub.deliverer.deliver(d.id)
    with manual_hub.db.read() as s:
        attempts = list(s.execute(select(Attempt.outcome, Attempt.error).where(Attempt.delivery_id == d.id)
                                  .order_by(Attempt.number)).all())
    assert attempts[0].outcome == "transient" and "insufficient_stock" in attempts[0].error
    assert attempts[-1].outcome == "success"
    assert message_status(manual_hub, mid) == MessageStatus.DELIVERED
    assert target.applied == {d.id: 1}


@pytest.fixture
def target(request) -> Iterator[Target]:
    respond = getattr(request, "param", None)
    with Target(respond) as t:
        yield t


def test_the_attempt_is_in_the_log_while_the_call_is_in_flight(manual_hub, target):
    """If a worker dies mid-call, the log still shows the call the target may have seen."""
    gate = threading.Event()
    original = target.respond

    def slow(n: int):
        gate.wait(10)
        return original(n)

    target.respond = slow
    mid = receive(manual_hub, {"type": "doc.created", "no": "D-11", "lines": []})
    manual_hub.translator.translate(mid)
    [d] = deliveries(manual_hub, mid)
    worker = threading.Thread(target=manual_hub.deliverer.deliver, args=(d.id,))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            with manual_hub.db.read() as s:
                open_ = list(s.execute(select(Attempt.number, Attempt.outcome)
                                       .where(Attempt.delivery_id == d.id)).all())
            if open_ or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert [tuple(a) for a in open_] == [(1, "in_flight")]
    finally:
        gate.set()
        worker.join()
    with manual_hub.db.read() as s:
        assert list(s.scalars(select(Attempt.outcome).where(Attempt.delivery_id == d.id))) == ["success"]


def test_with_workers_a_seven_line_document_is_delivered_one_call_per_line(make_settings, shop_config, target,
                                                                          monkeypatch):
    hub = build(make_settings, shop_config, target, monkeypatch)
    hub.start_workers()
    try:
        mid = receive(hub, {"type": "doc.created", "no": "D-12", "lines": [{"no": n, "qty": n} for n in range(1, 8)]})
        target.wait_for(7)
        deadline = time.monotonic() + 15
        while message_status(hub, mid) != MessageStatus.DELIVERED and time.monotonic() < deadline:
            time.sleep(0.05)
        assert message_status(hub, mid) == MessageStatus.DELIVERED
        assert sorted(c["body"]["line"] for c in target.calls) == list(range(1, 8))
        assert len({c["headers"]["idempotency-key"] for c in target.calls}) == 7
    finally:
        hub.stop()


def test_a_rejected_delivery_retried_by_an_operator_goes_under_a_new_key_and_settles_the_message(manual_hub,
                                                                                                 target):
    """Its body may have changed with the fix; a target refuses a reused key with another body."""
    target.respond = lambda n: 422 if n == 0 else 200
    mid = receive(manual_hub, {"type": "doc.created", "no": "D-13", "lines": []})
    manual_hub.translator.translate(mid)
    [d] = deliveries(manual_hub, mid)
    assert manual_hub.deliverer.deliver(d.id).status == DeliveryStatus.REJECTED
    assert message_status(manual_hub, mid) == MessageStatus.REJECTED

    result = manual_hub.operations.retry_delivery(d.id)
    assert result.status == DeliveryStatus.PENDING and result.id != d.id
    assert manual_hub.deliverer.deliver(result.id).status == DeliveryStatus.DELIVERED
    assert [c["headers"]["idempotency-key"] for c in target.calls] == [d.id, result.id]
    assert message_status(manual_hub, mid) == MessageStatus.DELIVERED
