"""What the hub relies on: seed, signed webhooks in the WMS envelope, idempotency, errors, simulation."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from standardwebhooks.webhooks import Webhook

from mocks.common import MockSettings, company
from mocks.wms.app import build
from mocks.wms.events import CANONICAL
from mocks.wms.tests.conftest import CHAIR, DESK, LEG, avail, order


def test_seed_uses_the_companys_wms_ids(client):
    skus = {s["sku"]: s for s in client.get("/api/skus").json()}
    assert set(skus) == {i["ids"]["wms"] for i in company.ITEMS}
    assert (skus[LEG]["wh"], skus[LEG]["safety"], skus[LEG]["lot_min"], skus[LEG]["lot_mult"]) == ("WH01", 20, 100, 50)
    assert (skus[DESK]["wh"], skus[DESK]["cls"], skus[DESK]["erp_ref"]) == ("WH02", "FG", "100-0001")
    assert [c["cust"] for c in client.get("/api/customers").json()] == ["C101", "C102", "C103", "C104", "C105"]
    assert client.get("/api/suppliers/SUP-0004").json()["status"] == "BLOCKED"
    whs = {w["wh"]: w for w in client.get("/api/warehouses").json()}
    assert {loc["loc"]: loc["kind"] for loc in whs["WH01"]["locs"]}["RM-RCV"] == "RCV"
    assert {loc["loc"]: loc["kind"] for loc in whs["WH02"]["locs"]}["FG-SHIP"] == "DOCK"


def test_webhooks_are_signed_and_wrapped_in_the_wms_envelope(client, receiver):
    r = client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 100}]})
    assert r.status_code == 201, r.text
    [req] = receiver.wait_for(1)
    assert req["path"] == "/webhooks/wms"
    body = Webhook(client.app.state.settings.secret).verify(req["body"], req["headers"])
    assert set(body) == {"topic", "msgId", "ts", "whse", "data"}
    assert body["topic"] == "receipt/completed" and body["whse"] == "WH01"
    assert body["msgId"] == req["headers"]["webhook-id"]
    assert isinstance(body["ts"], int) and body["ts"] > 1_700_000_000_000  # epoch milliseconds
    assert body["data"]["ref"] == "PO-2026-0001" and body["data"]["lines"][0]["qty"] == 100


def test_every_topic_maps_to_a_canonical_type():
    """Stock changes are not a topic: the hub reads them from the ledger (GET /api/ledger)."""
    assert CANONICAL == {"stock/below-safety": "inventory.below_safety_stock",
                         "receipt/completed": "goods.received",
                         "shipment/dispatched": "shipment.dispatched"}


def test_a_repeated_idempotency_key_creates_one_outbound_order(client):
    body = {"ref": "SO-IDEM", "cust": "C102", "lines": [{"ln": 1, "sku": CHAIR, "qty": 3}]}
    first = client.post("/api/outbound", json=body, headers={"Idempotency-Key": "so-idem-1"})
    again = client.post("/api/outbound", json=body, headers={"Idempotency-Key": "so-idem-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 1}
    assert avail(client, CHAIR, "WH02")["reserved"] == 3


def test_a_bad_request_is_refused_naming_the_field(client):
    r = client.post("/api/outbound", json={"ref": "SO-X", "cust": "C101", "lines": [{"ln": 1, "sku": DESK, "qty": 0}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lines.0.qty"
    r = client.post("/api/outbound", json={"ref": "SO-X", "cust": "C101", "colour": "red",
                                           "lines": [{"ln": 1, "sku": DESK, "qty": 1}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "colour"
    assert client.get("/api/outbound/OB999999").status_code == 404


def test_a_simulation_tick_puts_away_and_ships_fully_reserved_orders(client):
    client.post("/api/receipts", json={"ref": "PO-2026-0001", "lines": [{"sku": LEG, "qty": 100}]})
    order(client, "SO-FULL", [(CHAIR, 4)])
    order(client, "SO-SHORT", [(DESK, 30)])
    r = client.post("/_admin/simulation/tick").json()
    assert r["ticked"] is True and len(r["result"]["shipped"]) == 1 and r["result"]["putaway"]
    assert client.get("/api/putaway").json() == []
    assert client.get("/api/outbound/SO-FULL").json()["status"] == "SHIPPED"
    assert client.get("/api/outbound/SO-SHORT").json()["status"] == "BACKORDER"
    assert client.get("/api/shipments").json()[0]["carrier"] in {"SF", "JD", "ZTO", "YTO"}


def test_the_simulation_is_deterministic_for_a_seed(tmp_path):
    carriers = []
    for run in range(2):
        settings = MockSettings.from_env("wms", database_url=f"sqlite:///{tmp_path}/sim{run}.db",
                                         webhooks_enabled=False, seed=7)
        with TestClient(build(settings)) as c:
            for i in range(4):
                order(c, f"SO-{i}", [(CHAIR, 1)])
                c.post("/_admin/simulation/tick")
            carriers.append([s["carrier"] for s in c.get("/api/shipments").json()])
    assert carriers[0] == carriers[1] and len(carriers[0]) == 4


def test_reset_restores_the_seed_stock(client):
    order(client, "SO-1", [(DESK, 5)])
    client.post("/_admin/reset")
    assert avail(client, DESK, "WH02")["reserved"] == 0
    assert client.get("/api/outbound").json() == []


def test_the_openapi_document_describes_every_resource(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/stock", "/api/availability", "/api/asn", "/api/receipts", "/api/putaway", "/api/outbound",
              "/api/outbound/{no}/pick", "/api/outbound/{no}/ship", "/api/production-receipts",
              "/api/movements", "/api/skus"):
        assert p in paths, p
    assert json.dumps(paths["/api/outbound"]["post"]).count("summary") >= 1
