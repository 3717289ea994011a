"""A masked field's value never comes back in clear: not in errors, attempt excerpts, log lines or search."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

PHONE = "13801234567"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def phone_config(fast_config: Path) -> Path:
    """The quickstart pair carrying the customer's phone as a masked field through to the ledger."""
    schema = fast_config / "mappings" / "canonical" / "sales_order.placed.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    doc["properties"]["contact_phone"] = {"type": ["string", "null"]}
    schema.write_text(json.dumps(doc), encoding="utf-8")
    edit(fast_config / "mappings" / "webshop" / "order_created.jsonata",
         '"salesperson": order.salesperson', '"salesperson": order.salesperson,\n    "contact_phone": order.customer.phone')
    edit(fast_config / "mappings" / "ledger" / "book_order.jsonata",
         '"amount": data.total,', '"amount": data.total,\n  "phone": data.contact_phone,')
    return fast_config


def build(make_settings, config: Path, target: Target, point_ledger_at) -> Hub:
    point_ledger_at(target.url)
    hub = Hub.build(make_settings(config_dir=config))
    hub.start_workers()
    return hub


def test_a_translation_error_quoting_a_masked_value_shows_it_masked(make_settings, fast_config, target,
                                                                    point_ledger_at, caplog):
    # a mapping bug: the phone lands in the currency, and the schema error quotes the value
    edit(fast_config / "mappings" / "webshop" / "order_created.jsonata",
         '"currency": order.currency ? order.currency : "CNY"', '"currency": order.customer.phone')
    hub = build(make_settings, fast_config, target, point_ledger_at)
    try:
        with api_client(hub) as client, caplog.at_level(logging.WARNING, logger="hub.translate"):
            body, headers = signed(order_created("WS-P1"))
            mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
            detail = eventually(lambda: (d := client.get(f"/api/messages/{mid}").json())["status"] == "failed" and d)
            assert "***" in detail["error"] and "currency" in detail["error"]
            assert PHONE not in json.dumps(detail)
            found = client.get("/api/messages", params={"q": "WS-P1"}).json()["items"]
            assert [m["id"] for m in found] == [mid]
            assert PHONE not in json.dumps(found)
            logged = [r.getMessage() for r in caplog.records if mid in r.getMessage()]
            assert logged and all(PHONE not in line for line in logged)
    finally:
        hub.stop()


def test_a_target_echoing_a_masked_value_does_not_put_it_in_the_attempt_log(make_settings, phone_config,
                                                                             point_ledger_at):
    refusal = {"error": f"customer phone {PHONE} is not registered", "echo": {"phone": PHONE}}
    with Target(lambda n: (422, {}, refusal)) as target:
        hub = build(make_settings, phone_config, target, point_ledger_at)
        try:
            with api_client(hub) as client:
                body, headers = signed(order_created("WS-P2"))
                mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
                [call] = target.wait_for(1)
                assert call["body"]["phone"] == PHONE  # the masked value is what the target needs
                detail = eventually(
                    lambda: (d := client.get(f"/api/messages/{mid}").json())["status"] == "rejected" and d)
                [delivery] = detail["deliveries"]
                [attempt] = delivery["attempt_log"]
                assert attempt["status_code"] == 422 and "is not registered" in attempt["response_excerpt"]
                assert PHONE not in json.dumps(detail)
                listed = client.get("/api/deliveries", params={"status": "rejected"}).json()
                assert listed["items"] and PHONE not in json.dumps(listed)
            with hub.db.read() as s:  # stored masked, not only shown masked
                from hub.store import Attempt, Delivery
                assert all(PHONE not in (a.response_excerpt or "") for a in s.query(Attempt))
                assert all(PHONE not in (d.last_error or "") for d in s.query(Delivery))
        finally:
            hub.stop()


@pytest.mark.parametrize("term", [PHONE, "0123456", "1380123"])
def test_searching_for_part_of_a_masked_value_finds_nothing(hub, target, term):
    with api_client(hub) as client:
        body, headers = signed(order_created("WS-P3"))
        mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
        eventually(lambda: client.get(f"/api/messages/{mid}").json()["status"] == "delivered")
        assert [m["id"] for m in client.get("/api/messages", params={"q": "上海明辉"}).json()["items"]] == [mid]
        assert [m["id"] for m in client.get("/api/messages", params={"q": "PRD-DESK"}).json()["items"]] == [mid]
        assert client.get("/api/messages", params={"q": term}).json()["items"] == []


def test_searching_for_a_masked_value_carried_into_the_canonical_payload_finds_nothing(make_settings, phone_config,
                                                                                       target, point_ledger_at):
    hub = build(make_settings, phone_config, target, point_ledger_at)
    try:
        with api_client(hub) as client:
            body, headers = signed(order_created("WS-P4"))
            mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
            eventually(lambda: client.get(f"/api/messages/{mid}").json()["status"] == "delivered")
            assert client.get("/api/messages", params={"q": "0123456"}).json()["items"] == []
            assert [m["id"] for m in client.get("/api/messages", params={"q": "C-1"}).json()["items"]] == [mid]
    finally:
        hub.stop()
