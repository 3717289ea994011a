"""The deliveries list and a message's detail agree: the list points to the attempts instead of an empty log."""

from __future__ import annotations

from hub.api import create_app
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually


def test_a_listed_delivery_names_where_its_attempts_are_instead_of_showing_an_empty_log(hub, target: Target):
    target.respond = lambda n: 503 if n < 1 else 200
    with api_client(hub) as c:
        body, headers = signed(order_created("WS-DL1"))
        mid = c.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
        eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=60)
        [listed] = [d for d in c.get("/api/deliveries").json()["items"] if d["message_id"] == mid]
        detail = c.get(listed["attempts_url"]).json()
    assert "attempt_log" not in listed
    assert listed["attempts_url"] == f"/api/messages/{mid}"
    [delivery] = [d for d in detail["deliveries"] if d["id"] == listed["id"]]
    assert listed["attempts"] == len(delivery["attempt_log"]) == 2
    assert {k: v for k, v in delivery.items() if k != "attempt_log"} == listed


def test_the_api_description_says_the_list_leaves_the_attempts_to_the_message_detail(hub):
    spec = create_app(hub).openapi()
    listing = spec["paths"]["/api/deliveries"]["get"]
    assert "attempts_url" in listing["description"]
    item = spec["components"]["schemas"]["DeliverySummary"]
    assert "attempts_url" in item["properties"] and "attempt_log" not in item["properties"]
