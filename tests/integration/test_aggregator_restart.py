"""An aggregator's state survives a restart of every process: two documents of a batch gathered by one set of
`hub serve` + `hub worker` processes, all stopped, the third sent to new ones — the batch completes whole."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from hub.cli import die_with_parent
from hub.store import Database, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import Aggregate, MessageStatus
from tests.conftest import REDIS_URL
from tests.support.aggregation_config import write_aggregation_config
from tests.support.processes import alive, stop
from tests.support.signing import signed
from tests.support.target import Target, free_port
from tests.support.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
START_S = 60


@pytest.fixture
def company(tmp_path: Path, pg_url: str, redis_namespace: str) -> Iterator[tuple[Callable[[], str], Database, Target]]:
    """``start()`` runs a fresh `hub serve` and `hub worker` (stopping any before them) and returns the API URL."""
    config = write_aggregation_config(tmp_path / "config")
    db = Database(pg_url)
    upgrade(db)
    procs: list[subprocess.Popen] = []
    with Target() as target:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATABASE_URL=pg_url, HUB_BROKER_URL=REDIS_URL, HUB_REDIS_NAMESPACE=redis_namespace,
                   HUB_CONFIG_DIR=str(config), HUB_URL_LEDGER=target.url, HUB_ENV="development",
                   HUB_WORKER_THREADS="2", HUB_SWEEP_INTERVAL_S="1", HUB_SWEEP_GRACE_S="2")
        runs = 0

        def start() -> str:
            nonlocal runs
            stop(procs)
            procs.clear()
            runs += 1
            port = free_port()
            for name, args in (("serve", ["serve", "--port", str(port)]), ("worker", ["worker"])):
                log = (tmp_path / f"{name}-{runs}.log").open("wb")
                procs.append(subprocess.Popen([sys.executable, "-m", "hub.cli", *args], env=env, stdout=log,
                                              stderr=subprocess.STDOUT, preexec_fn=die_with_parent))
            url = f"http://127.0.0.1:{port}"
            eventually(lambda: alive(url), timeout=START_S, what="hub serve to answer")
            worker_log = tmp_path / f"worker-{runs}.log"
            eventually(lambda: "running" in worker_log.read_text(errors="replace"), timeout=START_S,
                       what="hub worker to start")
            return url

        try:
            yield start, db, target
        finally:
            stop(procs)
            db.dispose()


def send(url: str, no: str) -> str:
    content, headers = signed({"type": "doc.created", "no": no, "lines": []}, connector="shop")
    answer = httpx.post(f"{url}/webhooks/shop", content=content, headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def test_a_batch_half_gathered_before_every_process_restarts_completes_after(company):
    start, db, target = company
    url = start()
    sent = [send(url, "R1-1"), send(url, "R1-2")]

    def gathered() -> int:
        with db.read() as s:
            row = s.scalar(select(Aggregate).where(Aggregate.key == "R1"))
            return row.count if row is not None else 0
    eventually(lambda: gathered() == 2, timeout=60, what="two documents gathered")
    target.wait_for(2, timeout=60)

    url = start()  # every process stopped; new ones
    sent.append(send(url, "R1-3"))
    target.wait_for(4, timeout=90)
    [batch] = [c for c in target.calls if c["path"] == "/batches/R1"]
    assert batch["body"]["data"] == {"batch": "R1", "docs": ["R1-1", "R1-2", "R1-3"], "completion": "count"}

    def statuses() -> set[str]:
        with db.read() as s:
            return {s.get(InboundMessage, i).status for i in sent}
    eventually(lambda: statuses() == {MessageStatus.DELIVERED}, timeout=30, what="every document delivered")
    with db.read() as s:
        assert s.scalar(select(Aggregate.state).where(Aggregate.key == "R1")) == "complete"
