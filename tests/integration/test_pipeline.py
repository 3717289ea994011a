"""The message path on the embedded default: SQLite, in-process broker, worker threads."""

from __future__ import annotations

from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually


def client_for(hub):
    return api_client(hub)


def test_a_signed_webhook_is_mapped_and_delivered_with_its_attempt_recorded(hub, target: Target):
    body, headers = signed(order_created("WS-1001"))
    with client_for(hub) as c:
        r = c.post("/webhooks/webshop", content=body, headers=headers)
        assert r.status_code == 202, r.text
        mid = r.json()["id"]
        [call] = target.wait_for(1)
        assert call["method"] == "PUT" and call["path"] == "/ledger/orders/WS-1001"
        assert call["body"]["amount"] == 2560 and call["body"]["account"] == "1122-C-1"
        detail = eventually(lambda: (d := c.get(f"/api/messages/{mid}").json())["status"] == "delivered" and d,
                            what="message delivered")
    [delivery] = detail["deliveries"]
    assert delivery["status"] == "delivered"
    assert call["headers"]["idempotency-key"] == delivery["id"]
    [attempt] = delivery["attempt_log"]
    assert attempt["outcome"] == "success" and attempt["status_code"] == 200
    assert detail["type"] == "sales_order.placed" and detail["subject"] == "WS-1001"
