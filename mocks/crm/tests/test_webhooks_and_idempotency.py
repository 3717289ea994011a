"""The CRM's webhooks reach the hub signed, in the CRM's own envelope; retried writes apply once."""

import json
from datetime import datetime

from standardwebhooks.webhooks import Webhook

from mocks.crm.tests.conftest import draft, ok, submitted


def test_a_submitted_order_reaches_the_hub_signed_in_the_crm_envelope(client, receiver, settings):
    order = submitted(client)
    [request] = receiver.wait_for(1)
    assert request["path"] == "/webhooks/crm"
    body = Webhook(settings.secret).verify(request["body"], request["headers"])
    assert set(body) == {"eventType", "eventId", "occurredAt", "tenant", "data"}
    assert (body["eventType"], body["tenant"]) == ("salesOrder.submitted", "hengjia")
    assert body["eventId"] == request["headers"]["webhook-id"]
    assert body["occurredAt"].endswith("+08:00")
    submitted_at = datetime.fromisoformat(order["submittedAt"])
    assert abs((datetime.fromisoformat(body["occurredAt"]) - submitted_at).total_seconds()) < 60
    assert body["data"]["orderNo"] == order["orderNo"]
    assert "上海明辉" in request["body"].decode()  # UTF-8, not \\u-escaped


def test_a_tampered_body_does_not_verify(client, receiver, settings):
    submitted(client)
    [request] = receiver.wait_for(1)
    forged = json.loads(request["body"])
    forged["data"]["totalAmount"] = 1
    try:
        Webhook(settings.secret).verify(json.dumps(forged), request["headers"])
    except Exception as exc:  # standardwebhooks raises WebhookVerificationError
        assert "signature" in str(exc).lower()
    else:
        raise AssertionError("a forged body verified")


def test_a_submit_retried_with_the_same_idempotency_key_applies_once(client):
    order_no = draft(client)["orderNo"]
    key = {"Idempotency-Key": "crm-submit-1"}
    first = client.post(f"/api/v1/salesOrders/{order_no}/submit", headers=key)
    again = client.post(f"/api/v1/salesOrders/{order_no}/submit", headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert ok(client.get("/_admin/idempotency")) == {"applied": 1, "replayed": 1}
    submits = [e for e in ok(client.get("/_admin/webhooks")) if e["event_type"] == "salesOrder.submitted"]
    assert len(submits) == 1


def test_a_hub_retry_of_a_credit_result_with_its_key_is_replayed_not_reapplied(client):
    order_no = submitted(client)["orderNo"]
    key = {"Idempotency-Key": "hub-msg-0001"}
    body = {"result": "blocked", "reason": "over credit limit"}
    first = client.post(f"/api/v1/salesOrders/{order_no}/creditResult", json=body, headers=key)
    again = client.post(f"/api/v1/salesOrders/{order_no}/creditResult", json=body, headers=key)
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    counts = ok(client.get("/_admin/idempotency", params={"key": "hub-msg-0001"}))
    assert counts["applied"] == 1 and counts["key"]["replays"] == 1
    timeline = ok(client.get(f"/api/v1/salesOrders/{order_no}"))["timeline"]
    assert [e["kind"] for e in timeline].count("creditBlocked") == 1
