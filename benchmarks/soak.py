"""Soak: many orders through the hub while faults are injected at random, then a reconciliation report.

    python -m benchmarks.soak --messages 3000
    python -m benchmarks.soak --messages 100000 --fault-every 20     # the long run

The hub runs as in production — ``hub serve`` and ``--workers`` ``hub worker`` processes on a
PostgreSQL cluster and a Redis server of its own (:class:`tests.support.cluster.Cluster`) — and
delivers to a ledger that keeps Idempotency-Key like a reference system. Senders sign and send
orders from a thread pool; some webhooks are sent twice, some with the sender's clock a few
minutes off, and a few orders are poison (their call kills the workers). Every ``--fault-every``
seconds (± half) one fault is injected: a worker killed with ``kill -9``, Redis or PostgreSQL
restarted, the ledger down, slow (past the hub's timeout) or answering 429 with Retry-After. A
supervisor starts killed workers again, as systemd or Kubernetes would.

When every order is settled the report reconciles sender, hub and ledger: sent, accepted, lost
(sent but not settled), booked, booked twice, dead with reason, faults by kind and the time to
recover from each (from the fault's end to the ledger's next booking). It is printed and
appended to benchmarks/results.jsonl. Interrupted (Ctrl-C or SIGTERM), it sends no more orders,
lets the ones sent settle and reports on those, marked ``"stopped_early"``.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import signal
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.cluster import Cluster

RESULTS = Path(__file__).resolve().parent / "results.jsonl"
SOAK_RETRY = """retry:
  in_place_attempts: 2
  in_place_max: 1s
  schedule: [1s, 2s, 4s, 8s, 15s, 30s]
  jitter: 0.2
"""
"""Rounds spanning about a minute: longer than any fault this soak injects, so none should go dead."""
DUPLICATE_SHARE = 0.03
SKEWS_MIN = (-4, -1, 0, 0, 0, 1, 4)
FAULT_KINDS = ("worker_killed", "redis_restart", "postgres_restart", "target_down", "target_slow",
               "target_429")


class Faults:
    """Injects one fault at a time at random moments; records (kind, start, end)."""

    def __init__(self, cluster: Cluster, rng: random.Random, every_s: float):
        self.throttling = False
        """While true the ledger answers 429 with Retry-After."""
        self.cluster = cluster
        self.rng = rng
        self.every_s = every_s
        self.log: list[tuple[str, float, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="faults", daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.rng.uniform(self.every_s / 2, self.every_s * 1.5)):
            kind = self.rng.choice(FAULT_KINDS)
            start = time.monotonic()
            try:
                getattr(self, kind)()
            except Exception as exc:  # a fault that could not be injected is reported, not fatal
                print(f"fault {kind} failed: {exc!r}", flush=True)
                continue
            self.log.append((kind, start, time.monotonic()))
            print(f"fault {kind} ({time.monotonic() - start:.1f}s)", flush=True)

    def worker_killed(self) -> None:
        self.cluster.kill_one_worker(self.rng)

    def redis_restart(self) -> None:
        self.cluster.redis.stop()
        time.sleep(self.rng.uniform(0.5, 3))
        self.cluster.redis.start()

    def postgres_restart(self) -> None:
        self.cluster.pg.stop(self.rng.choice(["fast", "immediate"]))
        time.sleep(self.rng.uniform(0.5, 3))
        self.cluster.pg.start()

    def target_down(self) -> None:
        self.cluster.ledger.target.down = True
        time.sleep(self.rng.uniform(3, 10))
        self.cluster.ledger.target.down = False

    def target_slow(self) -> None:
        self.cluster.ledger.slow = lambda call: 2.5  # past the 2 s timeout: booked, but the hub gave up
        time.sleep(self.rng.uniform(3, 6))
        self.cluster.ledger.slow = None

    def target_429(self) -> None:
        self.throttling = True
        time.sleep(self.rng.uniform(3, 6))
        self.throttling = False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8, help="threads per worker")
    ap.add_argument("--senders", type=int, default=8)
    ap.add_argument("--fault-every", type=float, default=10.0, help="mean seconds between faults")
    ap.add_argument("--poison", type=int, default=3, help="orders whose call kills the workers")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--settle-timeout", type=float, default=900.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="hub-soak-"))
    cluster = Cluster(workdir, lease_s=3.0, worker_threads=args.threads, retry=SOAK_RETRY)
    ledger = cluster.ledger
    poison = {f"SOAK-{i}" for i in rng.sample(range(args.messages), args.poison)}
    throttled_keys: set[str] = set()

    def behaviour(call: dict[str, Any]) -> Any:
        number = call["path"].rsplit("/", 1)[-1]
        if number in poison:
            threading.Thread(target=cluster.kill_workers, daemon=True).start()
            time.sleep(0.5)
            return 500
        if faults.throttling:
            throttled_keys.add(call["headers"].get("idempotency-key", ""))
            return 429, {"Retry-After": "1"}
        return None

    faults = Faults(cluster, rng, args.fault_every)
    ledger.behaviour = behaviour
    print(f"starting the hub ({args.workers} worker(s) × {args.threads} threads) in {workdir}", flush=True)
    cluster.start()
    for _ in range(args.workers - 1):
        cluster.start_worker()
    supervising = threading.Event()

    def supervise() -> None:
        while not supervising.wait(0.5):
            for _ in range(args.workers - cluster.running_workers()):
                cluster.start_worker()

    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    ids: dict[str, str] = {}
    attempted: list[int] = []
    stopping = threading.Event()

    def stop_sending(signum: int, frame: object) -> None:
        print("stopping: no more orders are sent; the sent ones settle, then the report", flush=True)
        stopping.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C ends at once

    signal.signal(signal.SIGINT, stop_sending)
    signal.signal(signal.SIGTERM, stop_sending)
    refused: Counter[str] = Counter()
    duplicates = Counter[str]()
    lock = threading.Lock()

    def send(i: int) -> None:
        if stopping.is_set():
            return
        with lock:
            attempted.append(i)
        number = f"SOAK-{i}"
        local = random.Random(args.seed * 1_000_003 + i)
        msg_id = f"msg_{uuid.uuid4().hex}"
        skew = timedelta(minutes=local.choice(SKEWS_MIN))
        copies = 2 if local.random() < DUPLICATE_SHARE else 1
        for copy in range(copies):
            r = cluster.send(number, msg_id=msg_id, skew=skew, retry_for_s=300)
            with lock:
                if r.status_code not in (200, 202):
                    refused[f"HTTP {r.status_code}"] += 1
                    return
                if copy:
                    duplicates["sent"] += 1
                    duplicates["same message" if ids.get(number) == r.json()["id"] else "new message"] += 1
                ids.setdefault(number, r.json()["id"])

    started = time.monotonic()
    faults.thread.start()
    with ThreadPoolExecutor(args.senders) as pool:
        for n, _ in enumerate(pool.map(send, range(args.messages)), 1):
            if n % 500 == 0:
                print(f"sent {n}/{args.messages} ({time.monotonic() - started:.0f}s)", flush=True)
    sent_s = time.monotonic() - started
    message_ids = list(ids.values())
    deadline = time.monotonic() + args.settle_timeout
    while time.monotonic() < deadline and not cluster.settled(message_ids):
        time.sleep(1)
    faults.stop.set()
    faults.thread.join()
    settled_s = time.monotonic() - started
    report = reconcile(cluster, args, sorted(attempted), ids, refused, duplicates, faults.log, poison,
                       throttled_keys, sent_s=sent_s, settled_s=settled_s)
    supervising.set()
    supervisor.join()
    cluster.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(report, ensure_ascii=False) + "\n")


def reconcile(cluster: Cluster, args: argparse.Namespace, attempted: list[int], ids: dict[str, str],
              refused: Counter[str],
              duplicates: Counter[str], fault_log: list[tuple[str, float, float]], poison: set[str],
              throttled_keys: set[str], *, sent_s: float, settled_s: float) -> dict[str, Any]:
    message_ids = list(ids.values())
    statuses = cluster.statuses(message_ids)
    deliveries = cluster.deliveries(message_ids)
    outcomes = cluster.attempt_outcomes(message_ids)
    bookings = cluster.ledger.bookings()
    numbers = [f"SOAK-{i}" for i in attempted]
    delivered_numbers = {n for n in numbers if bookings[n] >= 1}
    dead = [d for d in deliveries if d.status == "dead"]
    number_of = {mid: n for n, mid in ids.items()}
    settled_unbooked = {number_of[d.message_id] for d in deliveries if d.status in ("dead", "rejected")}
    lost = [n for n in numbers if n not in delivered_numbers and n not in settled_unbooked]
    dead_reasons = Counter(_reason(d.last_error or "") for d in dead)
    return {
        "benchmark": "soak", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": args.workers, "threads": args.threads, "seed": args.seed,
        "planned": args.messages, "stopped_early": len(attempted) < args.messages,
        "sent": len(attempted), "accepted": len(set(message_ids)), "refused": dict(refused),
        "duplicates_sent": duplicates["sent"], "duplicates_deduplicated": duplicates["same message"],
        "messages_by_status": dict(statuses),
        "lost": len(lost), "lost_orders": lost[:20],
        "booked": len(delivered_numbers),
        "booked_twice": sum(1 for n in numbers if bookings[n] > 1),
        "dead": len(dead), "dead_by_reason": dict(dead_reasons),
        "poison_orders": sorted(p for p in poison if p in set(numbers)),
        "poison_parked": sum(1 for d in dead if "poison" in (d.last_error or "")),
        "calls_abandoned": outcomes["abandoned"], "attempt_outcomes": dict(outcomes),
        "throttled_calls": len(throttled_keys),
        "faults": dict(Counter(kind for kind, _, _ in fault_log)),
        "recovery_s": recovery(fault_log, cluster.ledger.booked_at),
        "send_s": round(sent_s, 1), "settle_s": round(settled_s, 1),
        "delivered_per_s": round(len(delivered_numbers) / settled_s, 1) if settled_s else None,
    }


def _reason(error: str) -> str:
    """A dead delivery's reason without its per-call details."""
    if "poison" in error:
        return "parked as a poison message (its worker died 3 times)"
    return error.split(":")[0][:80]


def recovery(fault_log: list[tuple[str, float, float]], booked_at: list[float]) -> dict[str, dict[str, float]]:
    """Per fault kind: seconds from the fault's end to the ledger's next booking (median and max)."""
    by_kind: dict[str, list[float]] = {}
    for kind, _, end in fault_log:
        i = bisect.bisect_left(booked_at, end)
        if i < len(booked_at):
            by_kind.setdefault(kind, []).append(booked_at[i] - end)
    return {k: {"median": round(statistics.median(v), 2), "max": round(max(v), 2), "n": len(v)}
            for k, v in sorted(by_kind.items())}


if __name__ == "__main__":
    main()
