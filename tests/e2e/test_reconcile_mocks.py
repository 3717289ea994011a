"""The company's reconciliation checks (mappings/reconcile.yaml) against the real reference systems."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.cli import die_with_parent
from hub.errors import NotFound
from hub.runtime import Hub
from mocks.demo import SYSTEMS, Company
from tests.support.processes import alive, stop
from tests.support.target import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT_S = 180


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Company]:
    ports = {s: free_port() for s in SYSTEMS}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "MOCK_"))}
    env.update({f"MOCK_{s.upper()}_PORT": str(p) for s, p in ports.items()})
    env.update(MOCK_DATA_DIR=str(tmp_path / "mocks"), MOCK_SIMULATION="0",
               MOCK_HUB_URL=f"http://127.0.0.1:{free_port()}")  # no hub: CRM's webhooks go nowhere
    urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    for s, u in urls.items():
        monkeypatch.setenv(f"HUB_URL_{s.upper()}", u)
    with (tmp_path / "mocks.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "mocks"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            for u in urls.values():
                while not alive(u):
                    assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "mocks.log").read_text()
                    time.sleep(0.3)
            yield Company(urls)
        finally:
            stop([proc])


def test_the_company_checks_read_every_system_and_find_an_order_erp_never_got(company, make_settings):
    from hub.settings import REPO_ROOT

    hub = Hub.build(make_settings(config_dir=REPO_ROOT))
    try:
        assert hub.reconciler.plan is not None
        run_id = hub.reconciler.run(trigger="test")
        run, mismatches = hub.reconciler.run_with_mismatches(run_id)
        assert [c["error"] for c in run.summary] == [None] * len(run.summary), run.summary
        assert {c["check"] for c in run.summary} == {"orders", "shipments_invoiced", "receipts_booked",
                                                    "receipts_payable"}
        assert run.status == "ok" and mismatches == []

        order_no = company.place_order("CUS-000102", [("PRD-CHAIR-ERG", 2)])  # the hub is not there to carry it
        run, mismatches = hub.reconciler.run_with_mismatches(hub.reconciler.run(trigger="test"))
        assert run.status == "mismatch"
        assert [(m.check, m.kind, m.key) for m in mismatches] == [("orders", "missing_right", order_no)]
        orders = next(c for c in run.summary if c["check"] == "orders")
        assert orders["left"]["count"] == 1 and orders["right"]["count"] == 0
        with pytest.raises(NotFound, match="never received it"):
            hub.reconciler.replay_candidate(mismatches[0].id)
    finally:
        hub.stop()
