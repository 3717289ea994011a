"""Business keys tie messages into one transaction; events and answers fill the cross-reference;
queries are answered by the systems that declare them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

WEBSHOP_EXTRA = """
      correlate: ['"sales_order:" & data.order_no']
      xref: ['native.order.customer.ledger_id ? {"entity": "customer", "ids": {"webshop": data.customer, "ledger": native.order.customer.ledger_id}}']
    order.shipped:
      canonical: shipment.dispatched
      mapping: webshop/order_shipped.jsonata
      correlate: ['["shipment:" & data.shipment_no, "sales_order:" & data.order_no]']
  ignore: [ping]
"""

ORDER_SHIPPED = """{
  "shipment_no": shipment.number, "order_no": shipment.order, "carrier": shipment.carrier,
  "tracking_no": shipment.tracking, "shipped_at": shipment.at,
  "lines": [shipment.items.{"item": sku, "qty": quantity}]
}"""

LEDGER_EXTRA = """
    response_xref: '{"entity": "ledger_entry", "ids": {"webshop": data.order_no, "ledger": response.entry_id}}'
queries:
  ledger.balance:
    path: /ledger/accounts/{$xref("customer", request.customer)}
    params: ledger/balance_params.jsonata
    response: ledger/balance_response.jsonata
"""


@pytest.fixture
def config(fast_config: Path) -> Path:
    webshop = fast_config / "connectors" / "webshop.yaml"
    text = webshop.read_text(encoding="utf-8").replace("      time: order.created\n",
                                                        "      time: order.created" + WEBSHOP_EXTRA)
    webshop.write_text(text, encoding="utf-8")
    (fast_config / "mappings" / "webshop" / "order_shipped.jsonata").write_text(ORDER_SHIPPED, encoding="utf-8")
    ledger = fast_config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8").replace(
        "    description: Create or update the ledger entry of one order.\n",
        "    description: Create or update the ledger entry of one order." + LEDGER_EXTRA)
    ledger.write_text(text, encoding="utf-8")
    book = fast_config / "mappings" / "ledger" / "book_order.jsonata"
    book.write_text(book.read_text(encoding="utf-8").replace(
        '"account": "1122-" & data.customer,',
        '"account": "1122-" & ($hasxref("customer", data.customer) ? $xref("customer", data.customer) : data.customer),'),
        encoding="utf-8")
    (fast_config / "mappings" / "ledger" / "balance_params.jsonata").write_text(
        '{"currency": request.currency ? request.currency : "CNY"}', encoding="utf-8")
    (fast_config / "mappings" / "ledger" / "balance_response.jsonata").write_text(
        '{"customer": request.customer, "balance": response.balance, "asked": response.path & "?" & response.query.currency}',
        encoding="utf-8")
    return fast_config


@pytest.fixture
def client(make_settings, config, point_ledger_at):
    with Target() as target:
        point_ledger_at(target.url)
        hub = Hub.build(make_settings(config_dir=config))
        hub.start_workers()
        with api_client(hub) as c:
            c.target = target  # type: ignore[attr-defined]
            c.hub = hub  # type: ignore[attr-defined]
            yield c
        hub.stop()


def send(c: TestClient, body: dict) -> str:
    raw, headers = signed(body)
    r = c.post("/webhooks/webshop", content=raw, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()["id"]


def settled(c: TestClient, mid: str) -> dict:
    return eventually(lambda: (m := c.get(f"/api/messages/{mid}").json())["status"]
                      in ("delivered", "no_route", "failed", "ignored") and m)


def shipped(order_no: str) -> dict:
    return {"type": "order.shipped", "shipment": {"number": "SH-1", "order": order_no, "carrier": "顺丰",
                                                   "tracking": "SF123", "at": "2026-11-23T09:00:00+08:00",
                                                   "items": [{"sku": "DESK", "quantity": 2}]}}


def test_messages_that_share_a_business_key_share_a_correlation_id_and_chain_their_causes(client):
    order = settled(client, send(client, order_created("WS-C1")))
    ship = settled(client, send(client, shipped("WS-C1")))
    assert ship["correlation_id"] == order["correlation_id"]
    order_canonical = next(c for c in order["canonical"] if c["current"])
    ship_envelope = next(c for c in ship["canonical"] if c["current"])["envelope"]
    assert ship_envelope["causationid"] == order_canonical["id"]
    trace = client.get(f"/api/traces/{order['correlation_id']}").json()
    assert [m["type"] for m in trace] == ["sales_order.placed", "shipment.dispatched"]


def test_an_unrelated_order_starts_a_transaction_of_its_own(client):
    a = settled(client, send(client, order_created("WS-C2")))
    b = settled(client, send(client, order_created("WS-C3")))
    assert a["correlation_id"] != b["correlation_id"]


def test_an_event_that_names_another_systems_id_fills_the_cross_reference(client):
    body = order_created("WS-X1")
    body["order"]["customer"]["ledger_id"] = "L-77"
    settled(client, send(client, body))
    [call] = [c for c in client.target.calls if c["path"] == "/ledger/orders/WS-X1"]
    assert call["body"]["account"] == "1122-L-77"
    assert client.hub.xrefs.resolve("customer", "C-1", "webshop", "ledger") == "L-77"


def test_the_id_a_target_answers_with_is_recorded(client):
    settled(client, send(client, order_created("WS-X2")))
    entry = eventually(lambda: client.hub.xrefs.resolve("ledger_entry", "WS-X2", "webshop", "ledger"))
    assert entry.startswith("L-")


def test_a_declared_ignored_event_is_kept_but_not_translated(client):
    m = settled(client, send(client, {"type": "ping"}))
    assert m["status"] == "ignored" and m["deliveries"] == []


def test_a_query_is_answered_through_the_declaring_connector_with_ids_translated(client):
    body = order_created("WS-Q1")
    body["order"]["customer"]["ledger_id"] = "L-88"
    settled(client, send(client, body))
    r = client.get("/query/ledger.balance", params={"customer": "C-1", "system": "webshop"})
    assert r.status_code == 200, r.text
    assert r.json()["answer"] == {"customer": "C-1", "balance": 1234.5, "asked": "/ledger/accounts/L-88?CNY"}
    assert r.json()["sources"]["ledger"]["status"] == "ok"


def test_an_unknown_query_is_404_and_lists_the_known_ones(client):
    r = client.get("/query/weather.today")
    assert r.status_code == 404 and "ledger.balance" in r.json()["error"]["message"]


def test_a_query_no_system_can_answer_is_502_with_each_reason(client):
    r = client.get("/query/ledger.balance", params={"customer": "nobody", "system": "webshop"})
    assert r.status_code == 502
    assert "no ledger id yet for customer 'nobody'" in r.json()["error"]["sources"]["ledger"]["error"]
