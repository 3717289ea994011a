"""Ingest: every bad input gets its status and a body saying what is wrong; nothing accepted is lost."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cloudevents.core.bindings.http import to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from hub.settings import dev_secret
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually


@pytest.fixture
def client(hub):
    with api_client(hub) as c:
        yield c


def error_of(r) -> dict:
    return r.json()["error"]


def test_an_unknown_connector_is_404_and_lists_the_known_ones(client):
    body, headers = signed(order_created(), connector="nope")
    r = client.post("/webhooks/nope", content=body, headers=headers)
    assert r.status_code == 404
    assert error_of(r)["code"] == "unknown_connector" and "webshop" in error_of(r)["known"]


def test_a_missing_signature_is_401_naming_the_missing_headers(client):
    r = client.post("/webhooks/webshop", json=order_created())
    assert r.status_code == 401
    assert "webhook-id" in error_of(r)["message"] and "webhook-signature" in error_of(r)["message"]


def test_a_signature_made_with_another_secret_is_401(client):
    body, headers = signed(order_created(), secret=dev_secret("someone-else"))
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 401
    assert "no signature matches" in error_of(r)["message"]


def test_a_body_changed_after_signing_is_401(client):
    body, headers = signed(order_created("WS-1"))
    r = client.post("/webhooks/webshop", content=body.replace(b"WS-1", b"WS-2"), headers=headers)
    assert r.status_code == 401


def test_a_stale_timestamp_is_401_saying_it_is_too_old(client):
    body, headers = signed(order_created(), age=timedelta(minutes=6))
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 401
    assert "older than the 5-minute tolerance" in error_of(r)["message"]


def test_a_body_that_is_not_json_is_400_with_the_position(client):
    body, headers = signed(None, raw=b'{"type": "order.created", ')
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 400
    assert error_of(r)["code"] == "bad_payload" and "line 1" in error_of(r)["message"]


def test_a_body_over_the_size_limit_is_413(client, hub):
    big = {"type": "order.created", "pad": "x" * (hub.settings.max_payload_bytes + 10)}
    body, headers = signed(big)
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 413
    assert str(hub.settings.max_payload_bytes) in error_of(r)["message"]


def test_an_invalid_cloudevent_is_422_naming_the_attribute(client):
    envelope = {"specversion": "1.0", "type": "order.created", "id": "e-1", "data": order_created()}  # no source
    body, headers = signed(envelope, extra_headers={"content-type": "application/cloudevents+json"})
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 422
    assert "source" in error_of(r)["message"]


def test_a_duplicate_webhook_answers_the_original_id_and_is_delivered_once(client, target: Target):
    body, headers = signed(order_created("WS-7"), msg_id="msg_same")
    first = client.post("/webhooks/webshop", content=body, headers=headers)
    again = client.post("/webhooks/webshop", content=body, headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "status": "accepted", "duplicate": True}
    target.wait_for(1)
    eventually(lambda: client.get(f"/api/messages/{first.json()['id']}").json()["status"] == "delivered")
    assert len(target.calls) == 1
    assert client.get("/api/messages").json()["items"][0]["id"] == first.json()["id"]
    assert len(client.get("/api/messages").json()["items"]) == 1


@pytest.mark.parametrize("mode", ["binary", "structured"])
def test_a_cloudevent_sent_with_the_sdk_is_accepted_and_delivered(client, target: Target, mode):
    event = CloudEvent(attributes={"type": "order.created", "source": "/shop/eu", "id": f"ce-{mode}",
                                   "datacontenttype": "application/json", "correlationid": f"corr-{mode}"},
                       data=order_created(f"CE-{mode}"))
    http = (to_binary if mode == "binary" else to_structured)(event, JSONFormat())
    body, headers = signed(None, raw=http.body, extra_headers=http.headers)
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    [call] = target.wait_for(1)
    assert call["path"] == f"/ledger/orders/CE-{mode}"
    assert call["body"]["correlation"] == f"corr-{mode}"
    detail = client.get(f"/api/messages/{r.json()['id']}").json()
    assert detail["mode"] == f"cloudevent-{mode}" and detail["correlation_id"] == f"corr-{mode}"


def test_a_mapping_error_marks_the_message_failed_with_the_file_and_position_and_no_delivery(client, target):
    bad = order_created("WS-9")
    bad["order"]["items"][0]["uom"] = "furlong"
    body, headers = signed(bad)
    mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
    detail = eventually(lambda: (d := client.get(f"/api/messages/{mid}").json())["status"] == "failed" and d)
    assert "order_created.jsonata" in detail["error"] and "furlong" in detail["error"]
    assert detail["error_detail"]["kind"] == "mapping"
    assert detail["deliveries"] == [] and target.calls == []


def test_an_unknown_native_event_fails_the_message_naming_the_known_events(client):
    body, headers = signed({"type": "order.exploded", "order": {}})
    mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
    detail = eventually(lambda: (d := client.get(f"/api/messages/{mid}").json())["status"] == "failed" and d)
    assert "no inbound event 'order.exploded'" in detail["error"] and "order.created" in detail["error"]


def test_masked_fields_stay_masked_in_the_message_view(client):
    body, headers = signed(order_created("WS-M"))
    mid = client.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
    detail = client.get(f"/api/messages/{mid}").json()
    assert detail["body"]["order"]["customer"]["phone"] == "***"
    assert "13801234567" not in json.dumps(detail)
