"""Messages about one document reach a system one at a time, in the order they arrived.

The ledger is given ``ordering_key: data.order_no``; the steps a worker would take
(translate, deliver) are taken by hand here so that the order in which they run is the
test's to choose — the worst orders a busy worker pool can produce.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.runtime import Hub
from hub.store import Delivery
from hub.store.models import DeliveryStatus
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target


@pytest.fixture(params=["sqlite", "postgresql"])
def keyed_hub(request: pytest.FixtureRequest, make_settings, fast_config: Path, target: Target,
              point_ledger_at) -> Iterator[Hub]:
    """A hub with no workers whose ledger connector keeps per-order ordering, on each store."""
    ledger = fast_config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "ordering_key: data.order_no\n", encoding="utf-8")
    webshop = fast_config / "connectors" / "webshop.yaml"  # a second sender of the same orders: a shop till
    (fast_config / "connectors" / "till.yaml").write_text(
        webshop.read_text(encoding="utf-8").replace("name: webshop", "name: till"), encoding="utf-8")
    point_ledger_at(target.url)
    store = {} if request.param == "sqlite" else {"database_url": request.getfixturevalue("pg_url")}
    h = Hub.build(make_settings(config_dir=fast_config, **store))
    yield h
    h.stop()


def receive(hub: Hub, number: str, qty: str, sender: str = "webshop") -> str:
    body, headers = signed(order_created(number, total_qty=qty), connector=sender)
    with api_client(hub) as c:
        r = c.post(f"/webhooks/{sender}", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def delivery_of(hub: Hub, message_id: str) -> str:
    hub.translator.translate(message_id)
    with hub.db.session() as s:
        return str(s.scalar(select(Delivery.id).where(Delivery.message_id == message_id)))


def status(hub: Hub, delivery_id: str) -> str:
    with hub.db.session() as s:
        return str(s.get(Delivery, delivery_id).status)


def quantities(target: Target) -> list[float]:
    return [call["body"]["amount"] / 1280 for call in target.calls]


def test_a_later_update_waits_for_the_earlier_delivery_about_the_same_order(keyed_hub, target):
    first = delivery_of(keyed_hub, receive(keyed_hub, "WS-O1", "2"))
    second = delivery_of(keyed_hub, receive(keyed_hub, "WS-O1", "5"))

    held = keyed_hub.deliverer.deliver(second)
    assert held is not None and held.status == DeliveryStatus.RETRYING and target.calls == []

    keyed_hub.deliverer.deliver(first)
    assert status(keyed_hub, first) == DeliveryStatus.DELIVERED
    with keyed_hub.db.session() as s:  # the held one is due again (the worker's retry would bring it back)
        s.get(Delivery, second).next_attempt_at = s.get(Delivery, first).updated_at
    keyed_hub.deliverer.deliver(second)
    assert status(keyed_hub, second) == DeliveryStatus.DELIVERED
    assert quantities(target) == [2, 5]


def test_a_delivery_waits_while_an_earlier_message_from_its_sender_is_not_yet_translated(keyed_hub, target):
    earlier = receive(keyed_hub, "WS-O2", "2")
    later = delivery_of(keyed_hub, receive(keyed_hub, "WS-O2", "7"))

    held = keyed_hub.deliverer.deliver(later)
    assert held is not None and held.status == DeliveryStatus.RETRYING and target.calls == []

    keyed_hub.deliverer.deliver(delivery_of(keyed_hub, earlier))
    with keyed_hub.db.session() as s:
        s.get(Delivery, later).next_attempt_at = s.get(Delivery, later).created_at
    keyed_hub.deliverer.deliver(later)
    assert quantities(target) == [2, 7]


def test_the_earlier_message_waited_for_is_from_the_delivery_s_own_sender_whatever_else_was_delivered_before(
        keyed_hub, target):
    other_sender = delivery_of(keyed_hub, receive(keyed_hub, "TILL-1", "1", sender="till"))
    keyed_hub.deliverer.deliver(other_sender)
    earlier = receive(keyed_hub, "WS-O5", "2")
    later = delivery_of(keyed_hub, receive(keyed_hub, "WS-O5", "7"))

    held = keyed_hub.deliverer.deliver(later)
    assert held is not None and held.status == DeliveryStatus.RETRYING
    assert quantities(target) == [1]  # only the till's order: the web shop's later one waits for its earlier

    keyed_hub.deliverer.deliver(delivery_of(keyed_hub, earlier))
    with keyed_hub.db.session() as s:
        s.get(Delivery, later).next_attempt_at = s.get(Delivery, later).created_at
    keyed_hub.deliverer.deliver(later)
    assert quantities(target) == [1, 2, 7]


def test_deliveries_about_different_orders_do_not_wait_for_each_other(keyed_hub, target):
    first = delivery_of(keyed_hub, receive(keyed_hub, "WS-O3", "2"))
    other = delivery_of(keyed_hub, receive(keyed_hub, "WS-O4", "3"))

    keyed_hub.deliverer.deliver(other)
    assert status(keyed_hub, other) == DeliveryStatus.DELIVERED and status(keyed_hub, first) == DeliveryStatus.PENDING


def refusing_until_booked(target: Target, order_qty: float) -> list[float]:
    """The ledger answers 409 to any call but the order itself until the order (``order_qty``) is booked;
    returns the quantities it applied, in order."""
    applied: list[float] = []

    def respond(n: int) -> int:
        qty = target.calls[n]["body"]["amount"] / 1280
        if qty != order_qty and order_qty not in applied:
            return 409
        applied.append(qty)
        return 200
    target.respond = respond
    return applied


def made_due(hub: Hub, *delivery_ids: str) -> None:
    """What the worker's retry brings about: the deliveries are due again now."""
    with hub.db.session() as s:
        for delivery_id in delivery_ids:
            s.get(Delivery, delivery_id).next_attempt_at = s.get(Delivery, delivery_id).created_at


def test_a_delivery_the_target_answers_not_yet_lets_through_the_later_one_it_waits_for(keyed_hub, target):
    applied = refusing_until_booked(target, order_qty=7)
    confirmation = delivery_of(keyed_hub, receive(keyed_hub, "WS-O7", "2"))  # the sender sent it first
    order = delivery_of(keyed_hub, receive(keyed_hub, "WS-O7", "7"))

    keyed_hub.deliverer.deliver(confirmation)
    assert status(keyed_hub, confirmation) == DeliveryStatus.RETRYING  # 409: the order is not there yet

    keyed_hub.deliverer.deliver(order)
    assert status(keyed_hub, order) == DeliveryStatus.DELIVERED  # not held behind what waits for it

    made_due(keyed_hub, confirmation)
    keyed_hub.deliverer.deliver(confirmation)
    assert status(keyed_hub, confirmation) == DeliveryStatus.DELIVERED
    assert applied == [7, 2]


def test_two_deliveries_answered_not_yet_keep_their_order_once_what_they_wait_for_is_through(keyed_hub, target):
    applied = refusing_until_booked(target, order_qty=7)
    first = delivery_of(keyed_hub, receive(keyed_hub, "WS-O8", "2"))
    second = delivery_of(keyed_hub, receive(keyed_hub, "WS-O8", "3"))
    order = delivery_of(keyed_hub, receive(keyed_hub, "WS-O8", "7"))
    keyed_hub.deliverer.deliver(first)
    keyed_hub.deliverer.deliver(second)  # not held behind the first, which waits: refused for now too
    assert status(keyed_hub, first) == status(keyed_hub, second) == DeliveryStatus.RETRYING
    keyed_hub.deliverer.deliver(order)
    assert status(keyed_hub, order) == DeliveryStatus.DELIVERED

    made_due(keyed_hub, first, second)
    calls = len(target.calls)
    keyed_hub.deliverer.deliver(second)
    assert len(target.calls) == calls and status(keyed_hub, second) == DeliveryStatus.RETRYING  # behind the first
    keyed_hub.deliverer.deliver(first)
    made_due(keyed_hub, second)
    keyed_hub.deliverer.deliver(second)
    assert status(keyed_hub, first) == status(keyed_hub, second) == DeliveryStatus.DELIVERED
    assert applied == [7, 2, 3]
