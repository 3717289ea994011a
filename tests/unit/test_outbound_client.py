"""The outbound HTTP client, with the network replaced by respx."""

from __future__ import annotations

import httpx
import pytest
import respx
from standardwebhooks.webhooks import Webhook

from hub.delivery.client import OutboundClient
from hub.errors import RejectedDelivery, TransientDeliveryError
from hub.settings import dev_secret


@pytest.fixture
def client():
    c = OutboundClient()
    yield c
    c.close()


@respx.mock
def test_a_call_is_signed_per_standard_webhooks_and_carries_its_headers(client):
    route = respx.put("http://t/orders/1").mock(return_value=httpx.Response(204))
    secret = dev_secret("ledger")
    resp = client.send("PUT", "http://t/orders/1", {"名称": "桌"}, headers={"idempotency-key": "d-1"},
                       secret=secret, message_id="d-1", timeout_s=1)
    assert resp.status_code == 204
    req = route.calls.last.request
    assert req.headers["idempotency-key"] == "d-1" and req.headers["webhook-id"] == "d-1"
    assert Webhook(secret).verify(req.content, dict(req.headers)) == {"名称": "桌"}


@respx.mock
def test_a_connection_failure_is_transient(client):
    respx.post("http://t/x").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransientDeliveryError, match="ConnectError"):
        client.send("POST", "http://t/x", {}, headers={}, secret=None, message_id="d", timeout_s=1)


@respx.mock
def test_a_timeout_is_transient_and_says_how_long(client):
    respx.post("http://t/x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransientDeliveryError, match="timed out after 1s"):
        client.send("POST", "http://t/x", {}, headers={}, secret=None, message_id="d", timeout_s=1)


@respx.mock
def test_a_429_carries_its_retry_after(client):
    respx.post("http://t/x").mock(return_value=httpx.Response(429, headers={"retry-after": "7"}))
    with pytest.raises(TransientDeliveryError) as err:
        client.send("POST", "http://t/x", {}, headers={}, secret=None, message_id="d", timeout_s=1)
    assert err.value.retry_after_s == 7 and err.value.status_code == 429


@respx.mock
def test_a_422_is_a_rejection_with_the_response_excerpt(client):
    respx.post("http://t/x").mock(return_value=httpx.Response(422, text='{"error":"unknown customer"}'))
    with pytest.raises(RejectedDelivery) as err:
        client.send("POST", "http://t/x", {}, headers={}, secret=None, message_id="d", timeout_s=1)
    assert "unknown customer" in err.value.response_excerpt
