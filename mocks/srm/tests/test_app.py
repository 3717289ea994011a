"""SRM as a whole: started by the runner, documented, reset to its seed, never a 500 for a bad request."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from mocks.runner import build_app
from mocks.srm.events import envelope
from mocks.srm.tests.conftest import SEEDED_PO, issue


def test_the_runner_builds_srm_on_its_port(tmp_path):
    app = build_app("srm", database_url=f"sqlite:///{tmp_path}/r.db", webhooks_enabled=False)
    assert app.state.settings.port == 9106
    with TestClient(app) as c:
        assert c.get("/healthz").json() == {"status": "ok", "system": "srm"}


def test_the_webhook_envelope_is_srms_own_shape():
    at = datetime(2026, 3, 15, 8, 30, 5, 123000, tzinfo=UTC)
    assert envelope("po.issued", {"poNo": "PO20260315001"}, "msg_1", at) == {
        "type": "po.issued", "eventId": "msg_1", "sentAt": "2026-03-15T08:30:05.123Z",
        "data": {"poNo": "PO20260315001"}}
    naive = envelope("po.issued", {}, "msg_2", at.replace(tzinfo=None))  # SQLite gives naive UTC back
    assert naive["sentAt"] == "2026-03-15T08:30:05.123Z"


def test_the_api_is_documented_under_srms_own_paths(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/suppliers", "/api/suppliers/{supplierId}/prices", "/api/suppliers/{supplierId}/capacity",
                 "/api/requisitions", "/api/requisitions/{requisitionNo}/approval", "/api/purchaseOrders",
                 "/api/purchaseOrders/{poNo}/confirm", "/api/purchaseOrders/{poNo}/delay",
                 "/api/purchaseOrders/{poNo}/receipts", "/api/purchaseOrders/{poNo}/close"):
        assert path in spec["paths"], path
    assert spec["paths"]["/api/purchaseOrders"]["post"]["summary"]


def test_reset_restores_the_seed_state(client):
    issue(client)
    assert client.post("/_admin/reset").status_code == 200
    assert [po["poNo"] for po in client.get("/api/purchaseOrders").json()] == [SEEDED_PO]


def test_a_malformed_body_is_a_422_not_a_500(client):
    r = client.post("/api/purchaseOrders", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/purchaseOrders", json={"supplierId": "SUP-0003", "lines": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines"


def test_an_unknown_po_in_the_path_is_404_naming_po_no(client):
    r = client.post("/api/purchaseOrders/PO20990101001/confirm", json={"lines": [{"lineNo": 1, "status": "accepted"}]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "poNo"
