"""Nothing lost: retries, dead letters, replay, and the sweeper — on the embedded default."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually


def status_of(c: TestClient, mid: str) -> dict:
    return c.get(f"/api/messages/{mid}").json()


def send(c: TestClient, number: str) -> str:
    body, headers = signed(order_created(number))
    r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()["id"]


@pytest.fixture
def running_hub(make_settings, fast_config, point_ledger_at):
    hubs: list[Hub] = []

    def start(target: Target, *, workers: bool = True) -> Hub:
        point_ledger_at(target.url)
        h = Hub.build(make_settings(config_dir=fast_config))
        if workers:
            h.start_workers()
        hubs.append(h)
        return h
    yield start
    for h in hubs:
        h.stop()


def test_a_target_that_fails_twice_then_succeeds_is_delivered_with_every_attempt_recorded(running_hub):
    with Target(respond=lambda n: 503 if n < 2 else 200) as target:
        with api_client(running_hub(target)) as c:
            mid = send(c, "WS-R1")
            d = eventually(lambda: (m := status_of(c, mid))["status"] == "delivered" and m, timeout=60)
    [delivery] = d["deliveries"]
    outcomes = [a["outcome"] for a in delivery["attempt_log"]]
    assert outcomes == ["transient", "transient", "success"]
    assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 503, 200]
    assert "HTTP 503" in delivery["attempt_log"][0]["error"]
    assert len(target.calls) == 3 and len(set(c["headers"]["idempotency-key"] for c in target.calls)) == 1


def test_a_business_rejection_is_recorded_and_not_retried(running_hub):
    with Target(respond=lambda n: 422) as target:
        with api_client(running_hub(target)) as c:
            mid = send(c, "WS-R2")
            d = eventually(lambda: (m := status_of(c, mid))["status"] == "rejected" and m)
    assert len(target.calls) == 1
    assert d["deliveries"][0]["status"] == "rejected" and "HTTP 422" in d["deliveries"][0]["last_error"]


def test_retry_after_is_honoured(running_hub):
    with Target(respond=lambda n: (429, {"Retry-After": "1"}) if n < 2 else 200) as target:
        with api_client(running_hub(target)) as c:
            mid = send(c, "WS-R3")
            d = eventually(lambda: (m := status_of(c, mid))["status"] == "delivered" and m, timeout=60)
    log = d["deliveries"][0]["attempt_log"]
    gap = (target_time(log[2]) - target_time(log[1]))
    assert gap >= 0.9, f"second round came {gap:.2f}s after the first, before Retry-After"


def target_time(attempt: dict) -> float:
    from datetime import datetime
    return datetime.fromisoformat(attempt["started_at"]).timestamp()


def test_a_target_down_past_the_retry_limit_goes_dead_then_a_retry_after_recovery_applies_it_once(running_hub):
    healthy = {"up": False}
    with Target(respond=lambda n: 200 if healthy["up"] else 503) as target:
        with api_client(running_hub(target)) as c:
            mid = send(c, "WS-R4")
            dead = eventually(lambda: (m := status_of(c, mid))["status"] == "dead" and m, timeout=30)
            delivery = dead["deliveries"][0]
            assert delivery["status"] == "dead" and "gave up after 3 rounds" in delivery["last_error"]
            assert c.get("/api/deliveries", params={"status": "dead"}).json()["items"][0]["id"] == delivery["id"]
            calls_while_down = len(target.calls)
            assert calls_while_down == 6  # 3 rounds × 2 in-place attempts
            healthy["up"] = True
            r = c.post(f"/api/deliveries/{delivery['id']}/retry")
            assert r.json()["status"] == "pending"
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
            # a second retry of a delivered delivery does nothing
            assert c.post(f"/api/deliveries/{delivery['id']}/retry").json()["status"] == "delivered"
    assert target.applied == {delivery["id"]: 1}


def test_bulk_retry_revives_every_dead_delivery_of_a_connector(running_hub):
    healthy = {"up": False}
    with Target(respond=lambda n: 200 if healthy["up"] else 500) as target:
        with api_client(running_hub(target)) as c:
            mids = [send(c, f"WS-B{i}") for i in range(3)]
            for mid in mids:
                eventually(lambda: status_of(c, mid)["status"] == "dead", timeout=30)
            healthy["up"] = True
            result = c.post("/api/deliveries/retry", params={"connector": "ledger"}).json()
            assert result["matched"] == 3 and result["retried"] == 3
            for mid in mids:
                eventually(lambda: status_of(c, mid)["status"] == "delivered")
    assert sorted(target.applied.values()) == [1, 1, 1]


def test_replay_sends_the_message_again_as_a_new_delivery(running_hub):
    with Target() as target:
        with api_client(running_hub(target)) as c:
            mid = send(c, "WS-R5")
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
            r = c.post(f"/api/messages/{mid}/replay").json()
            assert len(r["deliveries"]) == 1
            target.wait_for(2)
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
    assert len(status_of_deliveries := [call["headers"]["idempotency-key"] for call in target.calls]) == 2
    assert len(set(status_of_deliveries)) == 2


def test_a_failed_message_is_replayed_with_the_current_mapping_once_it_is_fixed(running_hub, fast_config):
    with Target() as target:
        h = running_hub(target)
        with api_client(h) as c:
            bad = order_created("WS-R6")
            bad["order"]["items"][0]["uom"] = "箱"
            body, headers = signed(bad)
            mid = c.post("/webhooks/webshop", content=body, headers=headers).json()["id"]
            eventually(lambda: status_of(c, mid)["status"] == "failed")
            codes = fast_config / "mappings" / "codemaps" / "uom.yaml"
            codes.write_text(codes.read_text(encoding="utf-8") + "箱: BOX\n", encoding="utf-8")
            h.registry.mappings.reload()
            r = c.post(f"/api/messages/{mid}/replay", params={"remap": "true"}).json()
            assert r["status"] == "delivering"
            [call] = target.wait_for(1)
    assert call["path"] == "/ledger/orders/WS-R6"


def test_the_sweeper_delivers_work_whose_enqueue_was_lost(running_hub):
    with Target() as target:
        h = running_hub(target, workers=False)
        with api_client(h) as c:
            mid = send(c, "WS-S1")
            h.broker.flush_all()  # the broker lost the message (a crash between commit and enqueue)
            assert status_of(c, mid)["status"] == "received"
            h.start_workers()
            [call] = target.wait_for(1, timeout=60)
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
    assert call["path"] == "/ledger/orders/WS-S1"


def test_a_delivery_whose_worker_died_mid_call_is_given_back_by_its_lease(running_hub):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from hub.store import Delivery

    with Target() as target:
        h = running_hub(target, workers=False)
        with api_client(h) as c:
            mid = send(c, "WS-S2")
            h.translator.translate(mid)
            [d] = status_of(c, mid)["deliveries"]
            with h.db.session() as s:  # a worker claimed it, then vanished
                s.execute(update(Delivery).where(Delivery.id == d["id"]).values(
                    status="in_flight", lease_until=datetime.now(UTC) - timedelta(seconds=1)))
            h.broker.flush_all()
            h.start_workers()
            target.wait_for(1, timeout=60)
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
    assert target.applied == {d["id"]: 1}


def test_pausing_a_connector_holds_its_deliveries_until_it_is_resumed(running_hub):
    with Target() as target:
        with api_client(running_hub(target)) as c:
            c.post("/api/connectors/ledger/pause")
            mid = send(c, "WS-P1")
            eventually(lambda: status_of(c, mid)["deliveries"] and
                       status_of(c, mid)["deliveries"][0]["status"] == "paused")
            assert target.calls == []
            assert c.post("/api/connectors/ledger/resume").json()["released"] == 1
            target.wait_for(1)
            eventually(lambda: status_of(c, mid)["status"] == "delivered")
