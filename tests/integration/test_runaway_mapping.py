"""A configured mapping that runs away fails its own message; the worker and the other messages go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

HOURS_OF_WORK = "$sum([1..2000].($sum([1..2000].($sum([1..2000])))))"


def runaway_for(config: Path, number: str) -> None:
    """The web shop's mapping computes for hours for one order number (a mapping bug meeting odd data)."""
    mapping = config / "mappings" / "webshop" / "order_created.jsonata"
    text = mapping.read_text(encoding="utf-8")
    old = "$lines := [order.items];"
    assert old in text
    mapping.write_text(text.replace(old, f'$lines := order.number = "{number}" ? [{{"n": {HOURS_OF_WORK}}}] '
                                         ": [order.items];"), encoding="utf-8")


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_a_mapping_that_runs_away_fails_its_message_and_the_next_order_is_delivered(
        engine, make_settings, fast_config, target: Target, point_ledger_at):
    runaway_for(fast_config, "WS-LOOP")
    point_ledger_at(target.url)
    hub = Hub.build(make_settings(config_dir=fast_config, mapping_engine=engine, worker_threads=1))
    hub.start_workers()
    try:
        with api_client(hub) as client:
            ids = []
            for number in ("WS-LOOP", "WS-NEXT"):
                body, headers = signed(order_created(number))
                ids.append(client.post("/webhooks/webshop", content=body, headers=headers).json()["id"])
            looping, following = ids
            failed = eventually(lambda: (d := client.get(f"/api/messages/{looping}").json())["status"] == "failed"
                                and d, timeout=120, what="the runaway message failed")
            assert "timeout" in failed["error"] or "budget" in failed["error"], failed["error"]
            eventually(lambda: client.get(f"/api/messages/{following}").json()["status"] == "delivered",
                       timeout=120, what="the next order delivered by the same worker")
            assert client.get("/healthz").status_code == 200
        assert [c["path"].rsplit("/", 1)[-1] for c in target.calls] == ["WS-NEXT"]
    finally:
        hub.stop()
