"""A message nobody receives says why, in the API, on its page and in its transaction's trace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub.runtime import Hub
from tests.integration.test_dashboard_pages import log_in
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually


def test_an_order_the_ledgers_filter_refuses_is_no_route_with_the_filter_as_the_reason(hub: Hub):
    with api_client(hub) as c:
        body, headers = signed(order_created("NR-1", items=[{"sku": "GIFT", "quantity": "1", "price": 0, "uom": "件"}]))
        mid = c.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
        msg = eventually(lambda: (m := c.get(f"/api/messages/{mid}").json())["status"] == "no_route" and m)
        reason = {"code": "filter_false", "connector": "ledger", "expression": "data.total > 0",
                  "text": "ledger's filter is false: data.total > 0"}
        assert msg["no_route"] == [reason] and msg["canonical"][0]["no_route"] == [reason]
        assert c.get("/api/messages", params={"subject": "NR-1"}).json()["items"][0]["no_route"] == [reason]
        cid = msg["correlation_id"]
        assert c.get(f"/api/traces/{cid}").json()[0]["no_route"] == [reason]

        body, headers = signed(order_created("NR-2"))
        ok = c.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
        eventually(lambda: c.get(f"/api/messages/{ok}").json()["status"] == "delivered")
        assert c.get(f"/api/messages/{ok}").json()["no_route"] is None

    with TestClient(c.app, follow_redirects=True) as ui:
        log_in(ui)
        for page in (ui.get(f"/ui/messages/{mid}").text, ui.get(f"/ui/traces/{cid}").text):
            assert 'data-code="filter_false"' in page
            assert "filter is false: data.total &gt; 0" in page
        ui.cookies.set("lang", "zh")
        assert "的过滤条件不成立：data.total &gt; 0" in ui.get(f"/ui/messages/{mid}").text
