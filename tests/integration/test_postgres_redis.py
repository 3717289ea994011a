"""Production mode: PostgreSQL + Redis, an API and two separate workers sharing them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.runtime import Hub
from tests.conftest import REDIS_URL
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def production(make_settings, pg_url, redis_namespace, fast_config, point_ledger_at):
    started: list[Hub] = []

    def start(target: Target) -> tuple[Hub, list[Hub]]:
        point_ledger_at(target.url)
        settings = make_settings(database_url=pg_url, broker_url=REDIS_URL, redis_namespace=redis_namespace,
                                 config_dir=fast_config)
        api = Hub.build(settings)
        workers = [Hub.build(settings, migrate=False) for _ in range(2)]
        for w in workers:
            w.start_workers()
        started.extend([api, *workers])
        return api, workers
    yield start
    for h in started:
        h.stop()


def send(c: TestClient, number: str, msg_id: str | None = None) -> str:
    body, headers = signed(order_created(number), msg_id=msg_id)
    r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code in (200, 202), r.text
    return r.json()["id"]


def test_messages_flow_through_postgres_and_redis_to_the_target_exactly_once(production):
    with Target() as target:
        api, _ = production(target)
        with api_client(api) as c:
            ids = [send(c, f"PG-{i}") for i in range(10)]
            assert send(c, "PG-0-again", msg_id=None) not in ids
            dup = send(c, "PG-dup", msg_id="msg_pg_dup")
            assert send(c, "PG-dup", msg_id="msg_pg_dup") == dup
            for mid in [*ids, dup]:
                eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=30)
            assert c.get("/readyz").json()["checks"] == {"database": "ok", "broker": "ok"}
    paths = sorted(call["path"] for call in target.calls)
    assert len(paths) == 12 and paths.count("/ledger/orders/PG-dup") == 1
    assert all(n == 1 for n in target.applied.values())


def test_a_dead_delivery_is_retried_through_redis_after_the_target_recovers(production):
    healthy = {"up": False}
    with Target(respond=lambda n: 200 if healthy["up"] else 503) as target:
        api, _ = production(target)
        with api_client(api) as c:
            mid = send(c, "PG-DEAD")
            dead = eventually(lambda: (m := c.get(f"/api/messages/{mid}").json())["status"] == "dead" and m,
                              timeout=30)
            healthy["up"] = True
            c.post(f"/api/deliveries/{dead['deliveries'][0]['id']}/retry")
            eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=30)
    assert list(target.applied.values()) == [1]
