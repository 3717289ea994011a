"""A rate limit of N calls/s to one target holds across two worker processes, measured at the target,
and a call over the limit is never burnt as a failed attempt."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.cli import die_with_parent
from hub.runtime import Hub
from hub.store import Delivery
from tests.conftest import REDIS_URL
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.processes import stop
from tests.support.signing import signed
from tests.support.target import Target
from tests.support.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PER_SECOND, BURST, CALLS = 4, 2, 24
LIMITED = f"rate_limit: {{per_second: {PER_SECOND}, burst: {BURST}}}\n"
WORKER_START_S = 60


@pytest.fixture
def limited_config(tmp_path: Path) -> Path:
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + LIMITED, encoding="utf-8")
    return config


@pytest.fixture
def two_worker_processes(tmp_path: Path, pg_url: str, redis_namespace: str, limited_config: Path, make_settings,
                         monkeypatch) -> Iterator[tuple[Hub, Target]]:
    """An API hub in this process; two `hub worker` processes sharing PostgreSQL and Redis with it."""
    with Target() as target:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        api = Hub.build(make_settings(database_url=pg_url, broker_url=REDIS_URL, redis_namespace=redis_namespace,
                                      config_dir=limited_config))
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATABASE_URL=pg_url, HUB_BROKER_URL=REDIS_URL, HUB_REDIS_NAMESPACE=redis_namespace,
                   HUB_CONFIG_DIR=str(limited_config), HUB_URL_LEDGER=target.url, HUB_ENV="development",
                   HUB_WORKER_THREADS="4", HUB_SWEEP_INTERVAL_S="1", HUB_SWEEP_GRACE_S="2")
        logs = [tmp_path / f"worker-{i}.log" for i in range(2)]
        procs = [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env, stdout=log.open("wb"),
                                  stderr=subprocess.STDOUT, preexec_fn=die_with_parent) for log in logs]
        try:
            for log, proc in zip(logs, procs, strict=True):
                eventually(lambda: proc.poll() is not None or "running" in log.read_text(errors="replace"),
                           timeout=WORKER_START_S, what=f"{log.name} to start")
                assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            yield api, target
        finally:
            stop(procs)
            api.stop()


def busiest_window(times: list[float], seconds: float) -> int:
    """The most calls that fell within any span of ``seconds``."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start <= seconds) for i, start in enumerate(times))


def test_n_calls_per_second_to_one_target_hold_across_two_worker_processes(two_worker_processes):
    api, target = two_worker_processes
    with api_client(api) as c:
        for i in range(CALLS):
            content, headers = signed({"type": "doc.created", "no": f"R-{i}", "lines": []}, connector="shop")
            assert c.post("/webhooks/shop", content=content, headers=headers).status_code == 202
    target.wait_for(CALLS, timeout=60)
    times = [call["at"] for call in target.calls]

    busiest = busiest_window(times, 1.0)  # tokens go out PER_SECOND a second after a BURST; one more for the
    assert busiest <= PER_SECOND + BURST + 1, f"calls in the busiest second: {busiest}"  # network's jitter
    span = max(times) - min(times)
    assert span >= (CALLS - BURST) / PER_SECOND * 0.9, f"{CALLS} calls in {span:.2f}s is faster than {PER_SECOND}/s"

    def settled() -> list:
        with api.db.read() as s:
            rows = list(s.execute(select(Delivery.status, Delivery.attempts, Delivery.rounds)))
        return rows if len(rows) == CALLS and all(r.status == "delivered" for r in rows) else []
    rows = eventually(settled, timeout=30, what="every delivery delivered")
    assert {(r.attempts, r.rounds) for r in rows} == {(1, 0)}, "a call over the limit is never a failed attempt"
    assert len(target.applied) == CALLS and set(target.applied.values()) == {1}
