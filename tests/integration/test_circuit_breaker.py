"""A target taken down trips its circuit breaker: no attempts are burnt while it is open, its deliveries
park and resume by themselves when it comes back, and the state shows in the API, /metrics and the dashboard."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.runtime import Hub
from hub.store import Attempt, Delivery
from hub.store.models import DeliveryStatus
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target
from tests.support.waiting import eventually

COOL_DOWN_S = 2.0
GUARDED = f"""
timeout: 2s
retry:
  in_place_attempts: 1
  schedule: [0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s]
  jitter: 0
circuit_breaker: {{failures: 2, cool_down: {COOL_DOWN_S}s}}
"""
"""Without the breaker, a delivery to a dead target would be tried every 0.2 s and dead within 3 s."""


@pytest.fixture
def guarded_config(tmp_path: Path) -> Path:
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + GUARDED, encoding="utf-8")
    return config


@pytest.fixture
def running(make_settings, guarded_config: Path, target: Target, monkeypatch) -> Iterator[Hub]:
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    hub = Hub.build(make_settings(config_dir=guarded_config))
    hub.start_workers()
    yield hub
    hub.stop()


def send(c, no: str) -> str:
    content, headers = signed({"type": "doc.created", "no": no, "lines": []}, connector="shop")
    r = c.post("/webhooks/shop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def attempts(hub: Hub) -> int:
    with hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Attempt)) or 0)


def closed_attempts(hub: Hub) -> int:
    with hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Attempt).where(Attempt.outcome != "in_flight")) or 0)


def circuit_gauge(c) -> float | None:
    m = re.search(r'^hub_circuit_state\{connector="ledger"\} (\S+)$', c.get("/metrics").text, re.MULTILINE)
    return float(m.group(1)) if m else None


def test_a_target_taken_down_trips_its_breaker_parks_its_deliveries_and_they_resume_when_it_is_back(running, target):
    target.down = True
    with api_client(running) as c:
        assert c.get("/api/connectors/ledger").json()["circuit"]["state"] == "closed"
        assert circuit_gauge(c) == 0
        ids = [send(c, f"D-{i}") for i in range(6)]

        eventually(lambda: c.get("/api/connectors/ledger").json()["circuit"]["state"] == "open", what="open circuit")


        def parked_uncalled() -> list:
            """Deliveries parked on the open circuit without a call; each probe (one per cool-down) calls one."""
            with running.db.read() as s:
                rows = list(s.execute(select(Delivery.attempts, Delivery.rounds, Delivery.last_error)))
            uncalled = [r for r in rows if r.attempts == 0]
            return uncalled if all(r.rounds == 0 and "circuit of ledger" in (r.last_error or "") for r in uncalled) \
                else []
        eventually(parked_uncalled, what="deliveries parked on the open circuit with no call and no round")
        # tripped: open, or half-open once a cool-down has passed (a busy machine may take that long to look)
        assert circuit_gauge(c) in (1, 2)
        page = c.get("/ui/connectors/ledger")
        assert page.status_code == 200 and re.search(r'data-circuit="(open|half_open)"', page.text)

        # While it is down, only the calls that opened the circuit and one probe per cool-down reach it:
        # counted where they arrive (an attempt row also stands, until its finish, for a claim the open
        # circuit then holds back without a call).
        since, before = time.monotonic(), target.refused
        time.sleep(3 * COOL_DOWN_S)
        probes = target.refused - before
        assert probes <= (time.monotonic() - since) / COOL_DOWN_S + 1, f"{probes} calls while the circuit was open"
        assert closed_attempts(running) <= target.refused <= attempts(running), \
            "every call the target saw is in the attempt log (stored before the call, closed after it)"
        with running.db.read() as s:
            parked = list(s.execute(select(Delivery.status, Delivery.attempts, Delivery.rounds, Delivery.last_error)))
        assert all(p.status in DeliveryStatus.OPEN for p in parked), "none dead, none given up: " + repr(parked)
        assert sum(p.rounds for p in parked) <= target.refused, "waiting on an open circuit counts no rounds: only calls do"

        target.down = False
        for mid in ids:
            eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=60,
                       what=f"{mid} delivered after the target came back")
        assert c.get("/api/connectors/ledger").json()["circuit"]["state"] == "closed"
        assert circuit_gauge(c) == 0
    assert len(target.applied) == 6 and set(target.applied.values()) == {1}, target.applied


def test_a_connector_without_a_breaker_shows_none_and_has_no_gauge(make_settings, tmp_path, target, monkeypatch):
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    hub = Hub.build(make_settings(config_dir=write_config(tmp_path / "plain")))
    try:
        with api_client(hub) as c:
            assert c.get("/api/connectors/ledger").json()["circuit"] is None
            assert circuit_gauge(c) is None
    finally:
        hub.stop()


def test_an_unknown_breaker_option_is_refused_with_its_file_and_line(make_settings, tmp_path):
    from hub.errors import ConfigError

    config = write_config(tmp_path / "bad")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "circuit_breaker: {failures: 2, cooldown: 5s}\n",
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ledger\.yaml:\d+: .*cooldown"):
        Hub.build(make_settings(config_dir=config))


LONG_COOL_DOWN = GUARDED.replace(f"cool_down: {COOL_DOWN_S}s", "cool_down: 10m")
"""A cool-down far longer than the test waits: only the operator's reset can send the parked deliveries."""


def test_an_operator_resets_an_open_circuit_its_parked_deliveries_go_at_once_and_the_reset_is_audited(
        make_settings, tmp_path: Path, target: Target, monkeypatch):
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + LONG_COOL_DOWN, encoding="utf-8")
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    hub = Hub.build(make_settings(config_dir=config))
    hub.start_workers()
    try:
        target.down = True
        with api_client(hub) as c:
            ids = [send(c, f"Z-{i}") for i in range(4)]
            eventually(lambda: c.get("/api/connectors/ledger").json()["circuit"]["state"] == "open",
                       what="open circuit")
            target.down = False
            with api_client(hub, "query") as reader:
                assert reader.post("/api/connectors/ledger/circuit/reset").status_code == 403
            answer = c.post("/api/connectors/ledger/circuit/reset")
            assert answer.status_code == 200, answer.text
            assert answer.json()["was"] == "open" and answer.json()["state"] == "closed"
            for mid in ids:
                eventually(lambda: c.get(f"/api/messages/{mid}").json()["status"] == "delivered", timeout=60,
                           what=f"{mid} delivered after the reset, long before the cool-down ends")
            [entry] = c.get("/api/audit", params={"action": "circuit.reset"}).json()["items"]
            assert entry["target"] == "ledger" and entry["via"] == "api" and entry["detail"]["was"] == "open"
            assert c.post("/api/connectors/shop/circuit/reset").status_code == 404, "shop declares no breaker"
    finally:
        hub.stop()


def test_a_delivery_being_parked_on_the_circuit_as_the_operator_resets_it_goes_at_once(
        make_settings, tmp_path: Path, target: Target, monkeypatch):
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + LONG_COOL_DOWN, encoding="utf-8")
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    hub = Hub.build(make_settings(config_dir=config))  # no workers: each step is taken here
    try:
        options = hub.registry.connector("ledger").circuit_breaker
        while hub.circuits.get("ledger").state != "open":  # the ledger failed often enough: its circuit opens
            hub.circuits.record("ledger", options, failed=True)
        with api_client(hub) as c:
            mid = send(c, "RACE-1")
        hub.translator.translate(mid)
        with hub.db.read() as s:
            delivery_id = s.scalar(select(Delivery.id).where(Delivery.message_id == mid))

        admit, resets = hub.circuits.admit, []

        def admitted_just_before_the_reset(*args, **kwargs):
            admission = admit(*args, **kwargs)  # the worker sees the circuit open and parks the delivery…
            if not resets:  # …as the operator resets it, before the park is stored
                resets.append(hub.operations.reset_circuit("ledger"))
            return admission
        monkeypatch.setattr(hub.circuits, "admit", admitted_just_before_the_reset)
        outcome = hub.deliverer.deliver(delivery_id)
        assert resets[0].was == "open" and resets[0].released == 0, "the reset came before the park was stored"

        assert outcome is not None and outcome.status == DeliveryStatus.RETRYING and outcome.retry_in_s == 0
        hub.deliverer.deliver(delivery_id)  # what the worker does with a delivery due at once
        with hub.db.read() as s:
            assert s.get(Delivery, delivery_id).status == DeliveryStatus.DELIVERED
        assert len(target.calls) == 1
    finally:
        hub.stop()
