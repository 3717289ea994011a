"""The CRM on its own (simulation ticks) and as a served app."""

from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.crm.app import build
from mocks.crm.tests.conftest import MINGHUI, ok
from mocks.runner import build_app


def _resolved_complaint(client):
    cid = ok(client.post("/api/v1/complaints", json={"customerId": MINGHUI, "severity": "low",
                                                     "description": "loose screw"}), 201)["complaintId"]
    ok(client.post(f"/api/v1/complaints/{cid}/assignment",
                   json={"taskId": "T-1", "department": "QA", "assignee": "yangjing"}))
    ok(client.post(f"/api/v1/complaints/{cid}/resolution",
                   json={"rootCause": "r", "disposition": "repair", "resolvedAt": "2026-12-01T10:00:00+08:00"}))
    return cid


def _story(client, ticks=4):
    _resolved_complaint(client)
    for title in ("A", "B", "C"):
        ok(client.post("/api/v1/opportunities", json={"customerId": MINGHUI, "title": title, "amount": 100}), 201)
    return [ok(client.post("/_admin/simulation/tick"))["result"] for _ in range(ticks)]


def test_a_tick_closes_resolved_complaints_and_a_fixed_seed_replays_the_same_story(tmp_path, receiver):
    def run(name):
        settings = MockSettings.from_env("crm", database_url=f"sqlite:///{tmp_path}/{name}.db",
                                         hub_url=receiver.url, seed=7)
        with TestClient(build(settings)) as client:
            story = _story(client)
            orders = ok(client.get("/api/v1/salesOrders"))
            complaint = ok(client.get("/api/v1/complaints/CMP-000001"))
        return story, orders, complaint

    story, orders, complaint = run("a")
    assert story[0]["closedComplaints"] == ["CMP-000001"] and complaint["status"] == "closed"
    assert all(t["closedComplaints"] == [] for t in story[1:])
    placed = [t["placedOrder"] for t in story if t["placedOrder"]]
    assert placed and [o["orderNo"] for o in orders] == placed
    assert all(o["status"] == "submitted" and o["remarks"] == "simulated" for o in orders)
    qualified = sum((t["qualifiedOpportunities"] for t in story), [])
    assert qualified and set(qualified) <= {"OPP-000001", "OPP-000002", "OPP-000003"}
    story_b, orders_b, _ = run("b")
    assert story_b == story
    assert [(o["customerId"], o["lines"][0]["productCode"], o["lines"][0]["quantity"]) for o in orders_b] == [
        (o["customerId"], o["lines"][0]["productCode"], o["lines"][0]["quantity"]) for o in orders]


def test_the_runner_builds_the_crm_and_its_openapi_documents_the_hub_endpoints(tmp_path):
    app = build_app("crm", database_url=f"sqlite:///{tmp_path}/r.db", webhooks_enabled=False)
    assert app.state.settings.port == 9101
    with TestClient(app) as client:
        assert ok(client.get("/healthz")) == {"status": "ok", "system": "crm"}
        paths = ok(client.get("/openapi.json"))["paths"]
    for path in ("/api/v1/customers/{customerId}", "/api/v1/salesOrders/{orderNo}/creditResult",
                 "/api/v1/salesOrders/{orderNo}/productionCompletion", "/api/v1/salesOrders/{orderNo}/payment",
                 "/api/v1/complaints/{complaintId}/resolution", "/api/v1/alerts"):
        assert path in paths
    assert paths["/api/v1/salesOrders/{orderNo}/shipment"]["post"]["summary"] == "Show WMS's shipment"
