"""An event reporting back what the hub wrote to its sender does not go back to where the change came from.

The quickstart ledger is made a two-way system here: it also sends ``entry.booked`` (a
``sales_order.placed``) for every entry it books, whoever booked it, and the web shop also receives
orders. The steps a worker takes are taken by hand, so the echo can arrive while the call it
reports is still waiting for its answer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.api import create_app
from hub.runtime import Hub
from hub.store import CanonicalMessage, Delivery
from hub.store.models import DeliveryStatus, MessageStatus
from tests.integration.test_dashboard_pages import log_in
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target

LEDGER_EVENTS = """
inbound:
  event_type: type
  events:
    entry.booked:
      canonical: sales_order.placed
      mapping: ledger/in_entry.jsonata
"""
IN_ENTRY = """{
  "order_no": entry.reference,
  "customer": $substringAfter(entry.account, "1122-"),
  "lines": [{"line_no": 1, "item": "ENTRY", "qty": 1, "uom": "EA"}],
  "currency": entry.currency,
  "total": entry.amount
}"""
SHOP_TAKES_ORDERS = """
operations:
  take_order:
    method: POST
    path: /shop/orders
subscriptions:
  - type: sales_order.placed
    operation: take_order
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def two_way(request: pytest.FixtureRequest, make_settings, fast_config: Path, target: Target,
            point_ledger_at, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    """A hub with no workers where the ledger and the web shop each send and receive orders, on each store."""
    for name, extra in (("ledger", LEDGER_EVENTS), ("webshop", SHOP_TAKES_ORDERS)):
        path = fast_config / "connectors" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    (fast_config / "mappings" / "ledger" / "in_entry.jsonata").write_text(IN_ENTRY, encoding="utf-8")
    point_ledger_at(target.url)
    monkeypatch.setenv("HUB_URL_WEBSHOP", target.url)
    store = {} if request.param == "sqlite" else {"database_url": request.getfixturevalue("pg_url")}
    h = Hub.build(make_settings(config_dir=fast_config, **store))
    yield h
    h.stop()


def receive(hub: Hub, connector: str, body: dict[str, Any]) -> str:
    content, headers = signed(body, connector=connector)
    with api_client(hub) as c:
        r = c.post(f"/webhooks/{connector}", content=content, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def booked(entry: dict[str, Any], **changed: Any) -> dict[str, Any]:
    """The ledger's event for an entry as it now holds it (with fields of its own beside the booked ones)."""
    return {"type": "entry.booked", "entry": {**entry, "entry_id": 7, "booked_at": "2026-12-04T10:00:00Z", **changed}}


def translated(hub: Hub, message_id: str) -> tuple[CanonicalMessage, list[Delivery]]:
    hub.translator.translate(message_id)
    with hub.db.session() as s:
        canonical = s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == message_id)).one()
        s.expunge(canonical)
        deliveries = list(s.scalars(select(Delivery).where(Delivery.message_id == message_id)))
        for d in deliveries:
            s.expunge(d)
    return canonical, deliveries


def test_the_ledgers_report_of_the_entry_the_hub_booked_does_not_go_back_to_the_shop(two_way, target):
    order = receive(two_way, "webshop", order_created("WS-E1", total_qty="2"))
    _, [to_ledger] = translated(two_way, order)
    assert two_way.deliverer.deliver(to_ledger.id).status == DeliveryStatus.DELIVERED
    entry = target.calls[0]["body"]

    echo, deliveries = translated(two_way, receive(two_way, "ledger", booked(entry)))
    assert echo.echo_of == {"delivery_id": to_ledger.id, "message_id": order, "origin": "webshop"}
    assert deliveries == [] and echo.status == MessageStatus.NO_ROUTE
    assert {r["connector"]: r["code"] for r in echo.no_route} == {"ledger": "sender_only", "webshop": "echo"}
    with api_client(two_way) as c:
        view = c.get(f"/api/messages/{echo.message_id}").json()["canonical"][0]["echo_of"]
    assert view == {"connector": "ledger", "delivery_id": to_ledger.id, "message_id": order, "origin": "webshop"}
    with TestClient(create_app(two_way)) as c:  # the message page says so, and links the message it echoes
        log_in(c)
        page = c.get(f"/ui/messages/{echo.message_id}").text
    said = re.search(r'<p class="muted" data-testid="echo-of">(.*?)</p>', page, re.S)
    assert said and "An echo" in said.group(1) and f'/ui/messages/{order}"' in said.group(1)


def test_a_change_made_in_the_ledger_itself_goes_to_the_shop(two_way, target):
    order = receive(two_way, "webshop", order_created("WS-E2", total_qty="2"))
    _, [to_ledger] = translated(two_way, order)
    two_way.deliverer.deliver(to_ledger.id)
    entry = target.calls[0]["body"]

    news, deliveries = translated(two_way, receive(two_way, "ledger", booked(entry, amount=entry["amount"] + 100)))
    assert news.echo_of is None
    assert [d.connector for d in deliveries] == ["webshop"]


def test_an_echo_that_arrives_before_the_calls_answer_is_known_for_one(two_way, target):
    answer = threading.Event()
    target.delay = lambda call: 0.0 if answer.wait(30) else 0.0  # the ledger books, then answers when let
    order = receive(two_way, "webshop", order_created("WS-E3", total_qty="3"))
    _, [to_ledger] = translated(two_way, order)
    delivering = threading.Thread(target=two_way.deliverer.deliver, args=(to_ledger.id,))
    delivering.start()
    try:
        entry = target.wait_for(1)[0]["body"]
        echo, deliveries = translated(two_way, receive(two_way, "ledger", booked(entry)))
    finally:
        answer.set()
        delivering.join(30)
    assert echo.echo_of is not None and echo.echo_of["delivery_id"] == to_ledger.id
    assert deliveries == []
