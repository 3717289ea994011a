"""Reloading mappings reaches every process: an API and two real worker processes on PostgreSQL and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.runtime import Hub
from tests.conftest import REDIS_URL
from tests.support.auth import api_client
from tests.support.processes import stop
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BOOK_ORDER = Path("mappings/ledger/book_order.jsonata")


@pytest.fixture
def cluster(make_settings, pg_url, redis_namespace, fast_config: Path, target: Target,
            point_ledger_at) -> Iterator[Hub]:
    """An API hub in this process and two `hub worker` processes, all on one database and one Redis."""
    point_ledger_at(target.url)
    api = Hub.build(make_settings(database_url=pg_url, broker_url=REDIS_URL, redis_namespace=redis_namespace,
                                  config_dir=fast_config))
    env = {**os.environ, "HUB_DATABASE_URL": pg_url, "HUB_BROKER_URL": REDIS_URL,
           "HUB_REDIS_NAMESPACE": redis_namespace, "HUB_CONFIG_DIR": str(fast_config),
           "HUB_URL_LEDGER": target.url, "HUB_ENV": "development", "HUB_WORKER_THREADS": "2"}
    workers = [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        yield api
    finally:
        stop(workers)
        api.stop()


def send(c, number: str) -> str:  # type: ignore[no-untyped-def]
    body, headers = signed(order_created(number))
    r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def test_a_reload_reaches_the_api_and_both_worker_processes_and_they_translate_with_the_new_files(
        cluster: Hub, target: Target, fast_config: Path):
    with api_client(cluster) as c:
        board = eventually(lambda: ps if len(ps := c.get("/api/processes").json()) == 3 else None,
                           timeout=60, what="the API and two workers on the board")
        assert sorted(tuple(p["roles"]) for p in board) == [("api",), ("worker",), ("worker",)]
        assert len({p["pid"] for p in board}) == 3
        old = {p["mappings_version"] for p in board}
        assert len(old) == 1

        first = send(c, "RL-1")
        eventually(lambda: c.get(f"/api/messages/{first}").json()["status"] == "delivered", timeout=60)
        assert "mapped_by" not in target.calls[-1]["body"]  # the workers have compiled and cached it

        mapping = fast_config / BOOK_ORDER
        mapping.write_text(mapping.read_text(encoding="utf-8").replace(
            '"reference": data.order_no,', '"reference": data.order_no,\n  "mapped_by": "v2",'), encoding="utf-8")
        r = c.post("/api/mappings/reload")
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["reached"] == len(result["processes"]) == 3
        assert result["version"] not in old
        board = c.get("/api/processes").json()
        assert {p["mappings_version"] for p in board} == {result["version"]}
        assert {p["last_reload"] for p in board} == {result["reload"]}

        ids = [send(c, f"RL-{i}") for i in range(2, 8)]
        for mid in ids:
            eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=60)
    after = [call["body"] for call in target.calls if call["path"] != "/ledger/orders/RL-1"]
    assert len(after) == 6 and all(b["mapped_by"] == "v2" for b in after)


def test_reloading_needs_the_admin_scope_and_reading_the_board_the_query_scope(hub: Hub):
    with api_client(hub, "query") as c:
        board = c.get("/api/processes").json()
        assert [p["roles"] for p in board] == [["api", "worker"]]
        assert c.post("/api/mappings/reload").status_code == 403
    with api_client(hub) as c:
        result = c.post("/api/mappings/reload").json()
        assert result["reached"] == 1 and result["mappings"] == 2
        entry = c.get("/api/audit", params={"action": "mappings.reload"}).json()["items"][0]
        assert entry["target"] == result["reload"] and entry["detail"]["reached"] == 1
