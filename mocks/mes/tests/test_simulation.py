"""The shop floor working on its own, driven tick by tick with a fixed seed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.mes.app import build
from mocks.mes.tests.conftest import create_order


def run_until_done(client: TestClient, max_ticks: int = 20) -> list[dict]:
    results = []
    for _ in range(max_ticks):
        results.append(client.post("/_admin/simulation/tick").json()["result"])
        if all(w["Status"] == "Completed" for w in client.get("/api/WorkOrders").json()):
            break
    return results


def test_a_tick_starts_released_orders_and_reports_a_chunk_on_the_current_operation(client, monkeypatch):
    monkeypatch.setenv("MOCK_MES_UNITS_PER_TICK", "25")
    no = create_order(client, PlannedQty=60)["WorkOrderNo"]
    first = client.post("/_admin/simulation/tick").json()["result"]
    assert first["Started"] == [no]
    [rep] = first["Reported"]
    assert rep["OperationNo"] == 10 and rep["GoodQty"] + rep["ScrapQty"] == 25
    wo = client.get(f"/api/WorkOrders/{no}").json()
    assert wo["Status"] == "InProgress" and wo["Operations"][0]["GoodQty"] == rep["GoodQty"]


def test_the_simulation_completes_orders_with_realistic_scrap(client, monkeypatch):
    monkeypatch.setenv("MOCK_MES_UNITS_PER_TICK", "40")
    no = create_order(client, PlannedQty=100)["WorkOrderNo"]
    held = create_order(client, ExternalOrderNo="MO-HELD")["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{held}/Hold")
    for _ in range(12):
        client.post("/_admin/simulation/tick")
    wo = client.get(f"/api/WorkOrders/{no}").json()
    assert wo["Status"] == "Completed"
    assert wo["GoodQty"] + wo["ScrapQty"] == 100 and 0 <= wo["DefectRate"] <= 0.1
    assert client.get(f"/api/WorkOrders/{held}").json()["Status"] == "OnHold"


def test_the_same_seed_gives_the_same_shop_floor(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("MOCK_MES_UNITS_PER_TICK", "25")
    runs = []
    for name in ("a", "b"):
        settings = MockSettings.from_env("mes", database_url=f"sqlite:///{tmp_path}/{name}.db",
                                         hub_url=receiver.url, seed=7)
        with TestClient(build(settings)) as c:
            create_order(c, PlannedQty=80)
            create_order(c, ExternalOrderNo="MO-2", PartNo="P-TP1200", PlannedQty=50)
            results = run_until_done(c)
            final = [(w["GoodQty"], w["ScrapQty"], w["Status"]) for w in c.get("/api/WorkOrders").json()]
            runs.append((results, final))
    assert runs[0] == runs[1]
    assert all(status == "Completed" for _, _, status in runs[0][1])
