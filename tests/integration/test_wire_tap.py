"""A wire tap: a copy of each message for an audit endpoint that never delays or fails the main path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.runtime import Hub
from hub.store import Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target

AUDIT = """
name: audit
title: Audit log
base_url: http://127.0.0.1:9
retry: {in_place_attempts: 1, schedule: [0.1s], jitter: 0}
operations:
  record:
    path: /audit/{data.doc_no}
subscriptions:
  - {type: doc.created, operation: record, wire_tap: true}
"""


@pytest.fixture
def hub(make_settings, tmp_path: Path, monkeypatch) -> Iterator[tuple[Hub, Target, Target]]:
    """No workers: the test takes each step. The ledger is the main path, the audit log the tap."""
    config = write_config(tmp_path / "config")
    (config / "connectors" / "audit.yaml").write_text(AUDIT, encoding="utf-8")
    with Target() as ledger, Target(respond=lambda n: 503) as audit:
        monkeypatch.setenv("HUB_URL_LEDGER", ledger.url)
        monkeypatch.setenv("HUB_URL_AUDIT", audit.url)
        h = Hub.build(make_settings(config_dir=config))
        yield h, ledger, audit
        h.stop()


def receive(hub: Hub, no: str) -> str:
    content, headers = signed({"type": "doc.created", "no": no, "lines": []}, connector="shop")
    with api_client(hub) as c:
        r = c.post("/webhooks/shop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    mid = str(r.json()["id"])
    hub.translator.translate(mid)
    return mid


def deliveries(hub: Hub, mid: str) -> dict[str, str]:
    """connector → delivery id."""
    with hub.db.read() as s:
        return dict((c, i) for i, c in s.execute(select(Delivery.id, Delivery.connector)
                                                 .where(Delivery.message_id == mid)))


def status(hub: Hub, mid: str) -> str:
    with hub.db.read() as s:
        return str(s.get(InboundMessage, mid).status)


def test_a_failing_tap_never_changes_the_message_status(hub):
    h, ledger, audit = hub
    mid = receive(h, "T-1")
    d = deliveries(h, mid)
    assert h.deliverer.deliver(d["audit"]).status == DeliveryStatus.RETRYING  # the audit endpoint fails
    assert status(h, mid) == MessageStatus.DELIVERING, "the ledger delivery is still open"
    assert h.deliverer.deliver(d["ledger"]).status == DeliveryStatus.DELIVERED
    assert status(h, mid) == MessageStatus.DELIVERED, "an open tap does not keep the message delivering"
    with h.db.session() as s:
        s.get(Delivery, d["audit"]).next_attempt_at = s.get(Delivery, d["audit"]).updated_at
    assert h.deliverer.deliver(d["audit"]).status == DeliveryStatus.DEAD
    assert status(h, mid) == MessageStatus.DELIVERED, "a dead tap does not make the message dead"
    with api_client(h) as c:
        shown = {d["connector"]: d["tap"] for d in c.get(f"/api/messages/{mid}").json()["deliveries"]}
    assert shown == {"ledger": False, "audit": True}


def test_a_tap_neither_waits_for_nor_holds_back_deliveries_of_the_same_transaction(hub):
    h, ledger, audit = hub
    first, second = receive(h, "T-2"), receive(h, "T-2")  # one document: one transaction
    d1, d2 = deliveries(h, first), deliveries(h, second)
    assert h.deliverer.deliver(d1["audit"]).status == DeliveryStatus.RETRYING
    assert h.deliverer.deliver(d2["audit"]).status == DeliveryStatus.RETRYING, "not held behind the first tap"
    h.deliverer.deliver(d1["ledger"])
    assert h.deliverer.deliver(d2["ledger"]).status == DeliveryStatus.DELIVERED, "not held behind an open tap"
    assert [c["path"] for c in audit.calls] == ["/audit/T-2", "/audit/T-2"]


def test_the_tap_receives_a_copy_of_the_canonical_message(hub):
    h, ledger, audit = hub
    audit.respond = lambda n: 200
    mid = receive(h, "T-3")
    d = deliveries(h, mid)
    assert h.deliverer.deliver(d["audit"]).status == DeliveryStatus.DELIVERED
    [call] = audit.calls
    assert call["body"]["type"] == "doc.created" and call["body"]["data"]["doc_no"] == "T-3"
    assert status(h, mid) == MessageStatus.DELIVERING, "the message waits for its real delivery only"

