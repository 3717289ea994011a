"""The outbound HTTP client, with the network replaced by respx."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from hub.delivery.client import OutboundClient, encode_body
from hub.errors import RejectedDelivery, TransientDeliveryError


@pytest.fixture
def client():
    c = OutboundClient()
    yield c
    c.close()


@respx.mock
def test_a_call_sends_its_bytes_as_json_with_its_headers(client):
    route = respx.put("http://t/orders/1").mock(return_value=httpx.Response(204))
    content = encode_body({"名称": "桌"})
    resp = client.send("PUT", "http://t/orders/1", content, headers={"idempotency-key": "d-1"}, timeout_s=1)
    assert resp.status_code == 204
    req = route.calls.last.request
    assert req.headers["idempotency-key"] == "d-1" and req.headers["content-type"] == "application/json"
    assert req.content == content and json.loads(req.content) == {"名称": "桌"}


@respx.mock
def test_a_connection_failure_is_transient(client):
    respx.post("http://t/x").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransientDeliveryError, match="ConnectError"):
        client.send("POST", "http://t/x", b"{}", headers={}, timeout_s=1)


@respx.mock
def test_a_timeout_is_transient_and_says_how_long(client):
    respx.post("http://t/x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransientDeliveryError, match="timed out after 1s"):
        client.send("POST", "http://t/x", b"{}", headers={}, timeout_s=1)


@respx.mock
def test_an_answer_comes_back_whatever_its_status_with_its_retry_after(client):
    respx.post("http://t/x").mock(return_value=httpx.Response(429, headers={"retry-after": "7"}))
    resp = client.send("POST", "http://t/x", b"{}", headers={}, timeout_s=1)
    assert resp.status_code == 429 and resp.retry_after_s == 7


@respx.mock
def test_an_answer_keeps_its_json_body_and_an_excerpt(client):
    respx.post("http://t/x").mock(return_value=httpx.Response(422, json={"error": {"code": "insufficient_stock"}}))
    resp = client.send("POST", "http://t/x", b"{}", headers={}, timeout_s=1)
    assert resp.json == {"error": {"code": "insufficient_stock"}} and "insufficient_stock" in resp.excerpt


@respx.mock
def test_a_query_answer_that_is_not_a_success_raises_by_the_http_defaults(client):
    respx.get("http://t/q").mock(return_value=httpx.Response(422, text='{"error":"unknown customer"}'))
    with pytest.raises(RejectedDelivery) as err:
        client.query("GET", "http://t/q", params={}, headers={}, timeout_s=1)
    assert "unknown customer" in err.value.response_excerpt
    respx.get("http://t/q2").mock(return_value=httpx.Response(503))
    with pytest.raises(TransientDeliveryError):
        client.query("GET", "http://t/q2", params={}, headers={}, timeout_s=1)


@respx.mock
def test_a_cookie_an_answer_sets_does_not_go_out_with_later_calls(client):
    route = respx.post("http://t/orders").mock(return_value=httpx.Response(
        200, headers={"set-cookie": "session=abc; Path=/"}, json={"ok": True}))
    for _ in range(2):
        client.send("POST", "http://t/orders", b"{}", headers={}, timeout_s=1)
    assert "cookie" not in route.calls.last.request.headers
