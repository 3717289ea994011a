"""Faults proved with real processes: N messages in → 0 lost, 0 applied twice, counts reconciled.

One production-shaped hub (``hub serve`` + ``hub worker`` on a PostgreSQL cluster and a Redis of
its own, :mod:`tests.support.cluster`) for the module; each test sends its own orders, injects one
fault, and reconciles what the sender sent, what the hub stored and what the ledger booked.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.cluster import HUB, Cluster
from tests.support.waiting import eventually

SETTLE_TIMEOUT_S = 90.0
POISON_TIMEOUT_S = 300.0
"""Three deaths, each a worker started again on a busy machine."""
DYING_WORKER = [sys.executable, str(Path(__file__).parents[1] / "support" / "dying_worker.py"), "worker"]


@pytest.fixture(scope="module")
def running_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("faults"))
    try:
        yield c.start()
    finally:
        c.stop()


@pytest.fixture
def cluster(running_cluster: Cluster) -> Cluster:
    """The module's hub, with a well-behaved ledger and a running worker at the start of each test."""
    running_cluster.ledger.behaviour = None
    running_cluster.ledger.slow = None
    running_cluster.ledger.target.down = False
    if running_cluster.running_workers() == 0:
        running_cluster.start_worker()
    return running_cluster


@contextmanager
def supervised(cluster: Cluster) -> Iterator[None]:
    """What systemd or Kubernetes does: a dead worker is started again."""
    stop = threading.Event()

    def supervise() -> None:
        while not stop.wait(0.2):
            if cluster.running_workers() == 0:
                cluster.start_worker()

    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    try:
        yield
    finally:
        stop.set()
        supervisor.join()


def send_all(cluster: Cluster, numbers: list[str]) -> list[str]:
    ids = []
    for n in numbers:
        r = cluster.send(n)
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    return ids


def reconcile(cluster: Cluster, numbers: list[str], ids: list[str], *, dead: set[str] = frozenset()) -> None:
    """Every order is one message, settled; each delivered one booked exactly once; the rest dead."""
    eventually(lambda: cluster.settled(ids), timeout=SETTLE_TIMEOUT_S, what="every message settled",
               interval=0.2)
    assert len(set(ids)) == len(numbers), "one message per order"
    deliveries = cluster.deliveries(ids)
    assert len(deliveries) == len(numbers), "one delivery per message"
    by_status = {d.status for d in deliveries}
    assert by_status <= {"delivered", "dead"}, by_status
    bookings = cluster.ledger.bookings()
    for n in numbers:
        if n in dead:
            assert bookings[n] == 0, f"{n} was booked though its delivery is dead"
        else:
            assert bookings[n] == 1, f"{n} booked {bookings[n]} times"
    assert sum(1 for d in deliveries if d.status == "dead") == len(dead)


def test_a_worker_killed_mid_call_loses_nothing_applies_nothing_twice_and_logs_every_call_it_made(cluster: Cluster):
    answering = threading.Event()  # the ledger books each call, then answers none until the worker is dead
    cluster.ledger.slow = lambda call: 0.0 if answering.wait(SETTLE_TIMEOUT_S) else 0.0
    numbers = [f"KILL-{i}" for i in range(16)]
    ids = send_all(cluster, numbers)
    try:
        eventually(lambda: len(cluster.ledger.target.calls) >= 3, timeout=60, what="calls in flight")
        assert cluster.kill_workers() == 1
    finally:
        answering.set()
    killed_at = time.monotonic()
    cluster.start_worker()
    reconcile(cluster, numbers, ids)
    recovered_s = time.monotonic() - killed_at
    outcomes = cluster.attempt_outcomes(ids)
    assert outcomes["abandoned"] >= 1, outcomes  # the calls the target saw from the dead worker
    assert outcomes["in_flight"] == 0
    calls, attempts = cluster.ledger.calls_per_order(), cluster.attempts_per_message(ids)
    untold = {n: (calls[n], attempts[mid]) for n, mid in zip(numbers, ids, strict=True) if calls[n] > attempts[mid]}
    assert not untold, f"calls the ledger received that the attempt log does not show (calls, attempts): {untold}"
    print(f"killed mid-call: {outcomes['abandoned']} call(s) abandoned, all settled {recovered_s:.1f}s later")


def test_a_restart_of_redis_loses_no_message(cluster: Cluster):
    numbers = [f"REDIS-{i}" for i in range(24)]
    ids = send_all(cluster, numbers[:8])
    cluster.redis.stop()  # every queued message is gone with it
    ids += send_all(cluster, numbers[8:16])  # accepted: stored first, enqueued when possible
    cluster.redis.start()
    ids += send_all(cluster, numbers[16:])
    reconcile(cluster, numbers, ids)


def test_a_restart_of_postgresql_loses_no_accepted_message(cluster: Cluster):
    numbers = [f"PG-{i}" for i in range(24)]
    ids = send_all(cluster, numbers[:8])
    sender = threading.Thread(target=lambda: ids.extend(send_all(cluster, numbers[8:16])))
    sender.start()  # a sender keeps sending (retrying on 5xx) while the database restarts
    cluster.pg.stop("fast")
    time.sleep(1.0)
    cluster.pg.start()
    sender.join(timeout=120)
    ids += send_all(cluster, numbers[16:])
    reconcile(cluster, numbers, ids)


def test_a_target_down_for_longer_than_its_retries_is_retried_by_the_operator_and_books_once(cluster: Cluster):
    cluster.ledger.target.down = True
    numbers = [f"DOWN-{i}" for i in range(8)]
    ids = send_all(cluster, numbers)
    eventually(lambda: cluster.statuses(ids)["dead"] == len(ids), timeout=SETTLE_TIMEOUT_S,
               what="every delivery dead while the ledger is down")
    [(errors,)] = cluster.query("SELECT count(*) FROM deliveries WHERE message_id = ANY(:ids) "
                                "AND last_error LIKE 'gave up after%'", ids=ids)
    assert errors == len(ids)
    cluster.ledger.target.down = False
    out = subprocess.run([HUB, "replay", "--dead", "--connector", "ledger"], env=cluster.env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    reconcile(cluster, numbers, ids)


def test_a_slow_target_and_a_throttling_one_each_book_every_order_once(cluster: Cluster):
    seen: set[str] = set()

    def slow_first_time(call: dict) -> float:
        key = call["headers"].get("idempotency-key", "")
        if "SLOW" in call["path"] and key not in seen:
            seen.add(key)
            return 3.0  # past the 2 s timeout: the hub gives up on the call the ledger booked
        return 0.0

    throttled: dict[str, float] = {}

    def throttle_first_time(call: dict) -> object:
        key = call["headers"].get("idempotency-key", "")
        if "BUSY" in call["path"] and key not in throttled:
            throttled[key] = call["at"]
            return 429, {"Retry-After": "2"}
        return None

    cluster.ledger.slow = slow_first_time
    cluster.ledger.behaviour = throttle_first_time
    numbers = [f"SLOW-{i}" for i in range(4)] + [f"BUSY-{i}" for i in range(6)]
    ids = send_all(cluster, numbers)
    reconcile(cluster, numbers, ids)
    outcomes = cluster.attempt_outcomes(ids)
    assert outcomes["transient"] >= 10, outcomes  # one timeout per slow order, one 429 per busy one
    assert outcomes["abandoned"] == 0, outcomes  # calls longer than the 1.5 s lease kept it: the heartbeat
    for key, first in throttled.items():
        later = [c["at"] for c in cluster.ledger.target.calls if c["headers"].get("idempotency-key") == key]
        assert max(later) - first >= 1.9, "a call came back before Retry-After"


def test_duplicate_out_of_order_and_clock_skewed_webhooks_are_each_applied_once(cluster: Cluster):
    numbers = [f"DUP-{i}" for i in range(12)]
    sends = [(n, f"msg_dup_{n}", timedelta(minutes=random.choice([-4, -1, 0, 1, 4]))) for n in numbers]
    sends = sends + sends[::2]  # every other webhook arrives twice
    random.Random(8).shuffle(sends)  # and out of order
    ids: dict[str, str] = {}
    for n, msg_id, skew in sends:
        r = cluster.send(n, msg_id=msg_id, skew=skew)
        assert r.status_code in (200, 202), r.text
        ids.setdefault(n, r.json()["id"])
        assert ids[n] == r.json()["id"], "a duplicate webhook got a message of its own"
    too_far = cluster.send("DUP-LATE", skew=timedelta(minutes=-30))
    assert too_far.status_code in (400, 401), too_far.text  # refused, so the sender knows: never lost silently
    reconcile(cluster, numbers, [ids[n] for n in numbers])
    assert cluster.ledger.bookings()["DUP-LATE"] == 0


def test_a_poison_message_and_a_call_over_its_budget_are_parked_without_blocking_others(cluster: Cluster):
    def kill_on_poison(call: dict) -> object:
        if call["path"].endswith("/POISON-1"):
            threading.Thread(target=cluster.kill_workers, daemon=True).start()
            time.sleep(0.5)  # the worker dies before it hears an answer
            return 500
        if call["path"].endswith("/HANG-1"):
            return 503  # never booked, and answered only after the hub stopped waiting
        return None

    def hang(call: dict) -> float:
        return 2.5 if call["path"].endswith("/HANG-1") else 0.0  # past the 2 s timeout, every time

    cluster.ledger.behaviour = kill_on_poison
    cluster.ledger.slow = hang
    numbers = ["POISON-1", "HANG-1"] + [f"OK-{i}" for i in range(10)]
    with supervised(cluster):
        ids = send_all(cluster, numbers)
        reconcile(cluster, numbers, ids, dead={"POISON-1", "HANG-1"})
    errors = {d.id: d.last_error for d in cluster.deliveries(ids) if d.status == "dead"}
    assert any("poison message" in e and "3 times" in e for e in errors.values()), errors
    assert any("timed out" in e for e in errors.values()), errors



def test_deliveries_in_flight_when_a_poison_kills_their_worker_die_with_it_once_and_are_booked_not_parked(
        cluster: Cluster):
    def kill_on_poison(call: dict) -> object:
        if call["path"].endswith("/POISON-2"):
            threading.Timer(1.8, cluster.kill_workers).start()  # while the others' calls are in flight
            return 500
        return None

    cluster.ledger.behaviour = kill_on_poison
    cluster.ledger.slow = lambda call: 3.0 if call["path"].endswith("/POISON-2") else 1.9  # under the 2 s timeout
    numbers = ["POISON-2"] + [f"BESIDE-{i}" for i in range(11)]  # one worker's twelve threads take all twelve
    cluster.env["HUB_WORKER_THREADS"] = "12"
    cluster.kill_workers()
    try:
        with supervised(cluster):
            ids = send_all(cluster, numbers)
            reconcile(cluster, numbers, ids, dead={"POISON-2"})
    finally:
        cluster.env["HUB_WORKER_THREADS"] = "4"
        cluster.kill_workers()
    died = dict(cluster.query("SELECT d.message_id, count(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
                              "WHERE d.message_id = ANY(:ids) AND a.outcome = 'abandoned' GROUP BY d.message_id",
                              ids=ids[1:]))
    assert died, "the others were in flight when the poison first took their worker down"
    assert max(died.values()) == 1, f"after its first death the poison runs alone, so none dies with it again: {died}"
    [error] = [d.last_error for d in cluster.deliveries(ids) if d.status == "dead"]
    assert "poison message" in error and "3 times" in error, error


def test_a_translation_that_kills_its_worker_each_time_is_parked_as_failed_and_replayable_once_fixed(
        cluster: Cluster, tmp_path: Path):
    switch = tmp_path / "die"
    switch.touch()  # while it exists, translating DIE-1 kills the worker's process
    cluster.env["HUB_TEST_DIE_SWITCH"] = str(switch)
    cluster.worker_cmd = DYING_WORKER
    cluster.kill_workers()
    cluster.ledger.slow = lambda call: 0.3  # the others are in flight when the poison strikes
    numbers = ["DIE-1"] + [f"TOK-{i}" for i in range(12)]
    try:
        with supervised(cluster):
            ids = send_all(cluster, numbers)
            poison = ids[0]
            eventually(lambda: cluster.statuses([poison])["failed"] == 1, timeout=POISON_TIMEOUT_S,
                       what="the poison message parked", interval=0.5)
            reconcile(cluster, numbers[1:], ids[1:])  # the others flowed, each booked once
            [(error, detail, starts)] = cluster.query(
                "SELECT error, error_detail, translation_starts FROM inbound_messages WHERE id = :id", id=poison)
            assert error.startswith("translation killed its worker 3 times"), error
            assert detail["kind"] == "poison" and starts == 3
            [(others_failed,)] = cluster.query("SELECT count(*) FROM inbound_messages WHERE id = ANY(:ids) "
                                               "AND status = 'failed'", ids=ids[1:])
            assert others_failed == 0
            switch.unlink()  # the mapping is fixed
            out = subprocess.run([HUB, "replay", poison], env=cluster.env, capture_output=True, text=True,
                                 timeout=120)
            assert out.returncode == 0 and "queued for a worker" in out.stdout, out.stdout + out.stderr
            reconcile(cluster, numbers, ids)  # and the parked one is booked once too
    finally:
        cluster.worker_cmd = [HUB, "worker"]
        cluster.env.pop("HUB_TEST_DIE_SWITCH", None)
        cluster.kill_workers()


def test_a_mapping_that_throws_for_one_record_of_a_split_batch_parks_that_record_only(make_settings, tmp_path,
                                                                                      monkeypatch):
    from sqlalchemy import select

    from hub.runtime import Hub
    from hub.store import Delivery, InboundMessage
    from tests.support.auth import api_client
    from tests.support.pipeline_config import write_config
    from tests.support.signing import signed
    from tests.support.target import Target

    config = write_config(tmp_path / "config")
    line = config / "mappings" / "ledger" / "line.jsonata"
    line.write_text('$item.qty = 13 ? $error("line " & $item.no & ": 13 cannot be booked") : '
                    + line.read_text(encoding="utf-8"), encoding="utf-8")
    batch = {"type": "docs.batch", "docs": [
        {"no": "B-1", "lines": [{"no": 1, "qty": 1}, {"no": 2, "qty": 13}, {"no": 3, "qty": 3}]},
        {"no": "B-2", "lines": [{"no": 1, "qty": 2}]}]}
    with Target() as target:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        hub = Hub.build(make_settings(config_dir=config))
        hub.start_workers()
        try:
            content, headers = signed(batch, connector="shop")
            with api_client(hub) as c:
                mid = c.post("/webhooks/shop", content=content, headers=headers).json()["id"]

            def settled() -> list | None:
                with hub.db.read() as s:
                    rows = list(s.execute(select(Delivery.element, Delivery.status, Delivery.last_error)
                                          .where(Delivery.message_id == mid)).all())
                return rows if rows and all(r.status in ("delivered", "dead") for r in rows) else None

            rows = eventually(settled, timeout=30, what="every line settled")
            with hub.db.read() as s:
                status = s.get(InboundMessage, mid).status
        finally:
            hub.stop()
    dead = [r for r in rows if r.status == "dead"]
    assert len(rows) == 4 and len(dead) == 1
    assert "outbound mapping failed" in dead[0].last_error and "13 cannot be booked" in dead[0].last_error
    assert sorted(c["path"] for c in target.calls) == ["/docs/B-1/lines/1", "/docs/B-1/lines/3", "/docs/B-2/lines/1"]
    assert status == "dead"  # the message shows the one record that needs an operator
