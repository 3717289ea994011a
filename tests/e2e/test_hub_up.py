"""End to end: `hub up` as a real HTTP server, a real target, systems sending over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from cloudevents.core.bindings.http import to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from tests.support.auth import bearer, new_token
from tests.support.processes import alive, stop
from tests.support.signing import order_created, signed
from tests.support.target import Target, free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def hub_up(tmp_path, fast_config, target: Target) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite:///{tmp_path}/e2e.db", "HUB_CONFIG_DIR": str(fast_config),
           "HUB_URL_LEDGER": target.url}
    env.pop("HUB_BROKER_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "up", "--port", str(port), "--no-mocks"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: alive(url), timeout=90, what="hub up to answer /healthz")
        yield url
    finally:
        stop([proc])


@pytest.fixture
def api_headers(hub_up: str, tmp_path) -> dict[str, str]:
    """An API token for the running hub, made in its database."""
    return bearer(new_token(f"sqlite:///{tmp_path}/e2e.db", "query"))


def test_hub_up_accepts_a_standard_webhook_and_a_cloudevent_and_delivers_both(hub_up: str, target: Target,
                                                                                 api_headers: dict[str, str]):
    body, headers = signed(order_created("E2E-1"))
    r1 = httpx.post(f"{hub_up}/webhooks/webshop", content=body, headers=headers)
    event = CloudEvent(attributes={"type": "order.created", "source": "/shop", "id": "ce-e2e",
                                   "datacontenttype": "application/json"}, data=order_created("E2E-2"))
    http = to_binary(event, JSONFormat())
    body2, headers2 = signed(None, raw=http.body, extra_headers=http.headers)
    r2 = httpx.post(f"{hub_up}/webhooks/webshop", content=body2, headers=headers2)
    assert r1.status_code == r2.status_code == 202
    target.wait_for(2)
    assert sorted(c["path"] for c in target.calls) == ["/ledger/orders/E2E-1", "/ledger/orders/E2E-2"]
    for r in (r1, r2):
        msg = eventually(lambda: (m := httpx.get(f"{hub_up}/api/messages/{r.json()['id']}",
                                                         headers=api_headers).json())["status"]
                         == "delivered" and m)
        assert msg["deliveries"][0]["attempt_log"][0]["status_code"] == 200
    metrics = httpx.get(f"{hub_up}/metrics").text
    assert 'hub_messages_received_total{connector="webshop",duplicate="false"} 2.0' in metrics
    assert 'hub_delivery_attempts_total{connector="ledger",outcome="success"} 2.0' in metrics


def test_the_openapi_document_describes_webhooks_and_operations(hub_up: str):
    doc = httpx.get(f"{hub_up}/openapi.json").json()
    for path in ("/webhooks/{connector}", "/api/messages", "/api/messages/{message_id}/replay",
                 "/api/deliveries/{delivery_id}/retry", "/api/deliveries/retry", "/readyz", "/metrics"):
        assert path in doc["paths"], path
    assert "401" in doc["paths"]["/webhooks/{connector}"]["post"]["responses"]
