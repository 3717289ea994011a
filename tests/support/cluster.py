"""A production-shaped hub in real processes, on PostgreSQL and Redis servers of its own.

The fault tests and the soak (``benchmarks/soak.py``) kill, stop and restart these servers and
processes; the machine's shared PostgreSQL and Redis are never touched. :class:`Ledger` is a target
that keeps Idempotency-Key the way a reference system does, so "applied twice" can be counted.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from hub.settings import REPO_ROOT, dev_secret
from tests.support.processes import alive
from tests.support.target import Target, free_port

HUB = str(Path(sys.executable).with_name("hub"))
START_TIMEOUT_S = 60.0
FAULT_RETRY = """retry:
  in_place_attempts: 2
  in_place_max: 1s
  schedule: [0.5s, 1s, 1s]
  jitter: 0
"""


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} (PostgreSQL server binaries) is not installed")


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free port (fsync off)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hub-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(_as_postgres_user([_pg_bin("initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                                          "-A", "trust", "--no-sync", "-E", "UTF8"]),
                       check=True, capture_output=True)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(_as_postgres_user([_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-o", opts,
                                          "-l", str(self.dir / "log"), "-w", "start"]),
                       check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres_user([_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", mode,
                                          "-w", "stop"]), check=False, capture_output=True)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server of its own on a free port, without persistence: a restart loses every queue."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class Ledger:
    """The target: books one entry per order; a repeated Idempotency-Key is answered, not booked again.

    ``behaviour(call)`` may answer instead (a code, or (code, headers)); ``slow(call)`` seconds
    pass between booking and answering.
    """

    def __init__(self) -> None:
        self.behaviour: Callable[[dict[str, Any]], Any] | None = None
        self.slow: Callable[[dict[str, Any]], float] | None = None
        self.booked: dict[str, str] = {}
        """Idempotency-Key → order number, for every key booked."""
        self.booked_at: list[float] = []
        """When each booking was made (``time.monotonic()``), in order."""
        self.target = Target(respond=self._respond, delay=lambda call: self.slow(call) if self.slow else 0.0)

    @property
    def url(self) -> str:
        return self.target.url

    def _respond(self, n: int) -> Any:
        call = self.target.calls[n]
        if self.behaviour is not None:
            answer = self.behaviour(call)
            if answer is not None:
                return answer
        key = call["headers"].get("idempotency-key", "")
        if key not in self.booked:
            self.booked[key] = call["path"].rsplit("/", 1)[-1]
            self.booked_at.append(time.monotonic())
        return 200

    def calls_per_order(self) -> Counter[str]:
        """How many calls the ledger received for each order, booked or answered again."""
        return Counter(call["path"].rsplit("/", 1)[-1] for call in list(self.target.calls))

    def bookings(self) -> Counter[str]:
        """How many times each order was booked (under distinct keys): 1 each when nothing is applied twice."""
        return Counter(self.booked.values())


class Cluster:
    """``hub serve`` and ``hub worker`` processes on a private PostgreSQL and Redis, delivering to a Ledger."""

    def __init__(self, workdir: Path, *, lease_s: float = 1.5, worker_threads: int = 4, retry: str = FAULT_RETRY):
        self.workdir = workdir
        self.pg = PrivatePostgres()
        self.redis = PrivateRedis()
        self.ledger = Ledger()
        self.config = self._config(workdir / "config", retry)
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.env = {**os.environ, "HUB_DATABASE_URL": self.pg.url, "HUB_BROKER_URL": self.redis.url,
                    "HUB_CONFIG_DIR": str(self.config), "HUB_URL_LEDGER": self.ledger.url,
                    "HUB_ENV": "development", "HUB_LEASE_S": str(lease_s), "HUB_SWEEP_INTERVAL_S": "0.5",
                    "HUB_SWEEP_GRACE_S": "1", "HUB_MAX_WORKER_DEATHS": "3",
                    "HUB_WORKER_THREADS": str(worker_threads), "HUB_REDIS_NAMESPACE": "faults"}
        self.worker_cmd = [HUB, "worker"]
        """How a worker is started (a test may start one that fails in its own way)."""
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.engine: sa.Engine | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _config(dest: Path, retry: str) -> Path:
        shutil.copytree(REPO_ROOT / "examples" / "quickstart", dest)
        ledger = dest / "connectors" / "ledger.yaml"
        text = re.sub(r"retry:[^\n]*\n(  .*\n)+", retry, ledger.read_text(encoding="utf-8"))
        text = re.sub(r"^timeout: .*$", "timeout: 2s", text, flags=re.M)
        ledger.write_text(text, encoding="utf-8")
        return dest

    # ------------------------------------------------------------------ processes
    def start(self) -> Cluster:
        self.ledger.target.__enter__()
        self.pg.start()
        self.redis.start()
        self.api = self._spawn([HUB, "serve", "--port", str(self.api_port)], "api")
        deadline = time.monotonic() + START_TIMEOUT_S
        while not alive(self.api_url):
            if self.api.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hub serve did not start: see {self.workdir / 'api.log'}")
            time.sleep(0.1)
        self.start_worker()
        self.engine = sa.create_engine(self.pg.url.replace("postgresql://", "postgresql+psycopg://"),
                                       pool_pre_ping=True)
        return self

    def _spawn(self, cmd: list[str], name: str) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 — the process keeps it
        return subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start_worker(self) -> subprocess.Popen[bytes]:
        with self._lock:
            proc = self._spawn(self.worker_cmd, f"worker-{len(self.workers)}")
            self.workers.append(proc)
            return proc

    def kill_workers(self) -> int:
        """``kill -9`` every running worker; return how many."""
        killed = 0
        with self._lock:
            for p in self.workers:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    killed += 1
        return killed

    def kill_one_worker(self, rng: random.Random) -> bool:
        """``kill -9`` one running worker, chosen by ``rng``; False when none runs."""
        with self._lock:
            running = [p for p in self.workers if p.poll() is None]
            if not running:
                return False
            victim = rng.choice(running)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            return True

    def running_workers(self) -> int:
        with self._lock:
            return sum(1 for p in self.workers if p.poll() is None)

    def stop(self) -> None:
        procs = [p for p in [self.api, *self.workers] if p is not None and p.poll() is None]
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if self.engine is not None:
            self.engine.dispose()
        self.redis.stop()
        self.pg.destroy()
        self.ledger.target.__exit__(None, None, None)

    # ------------------------------------------------------------------ a sender
    def send(self, number: str, *, msg_id: str | None = None, skew: timedelta = timedelta(0),
             retry_for_s: float = 60.0) -> httpx.Response:
        """Send web shop order ``number`` as a signed webhook; like a real sender, try again on a
        network fault or 5xx (same webhook-id) until ``retry_for_s`` has passed."""
        body = json.dumps(order(number), ensure_ascii=False)
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        deadline = time.monotonic() + retry_for_s
        while True:
            ts = datetime.now(UTC) + skew
            headers = {"content-type": "application/json", "webhook-id": msg_id,
                       "webhook-timestamp": str(int(ts.timestamp())),
                       "webhook-signature": Webhook(dev_secret("webshop")).sign(msg_id, ts, body)}
            try:
                r = httpx.post(f"{self.api_url}/webhooks/webshop", content=body.encode(), headers=headers,
                               timeout=10)
                if r.status_code < 500:
                    return r
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"order {number} was not accepted within {retry_for_s:g}s")
            time.sleep(0.2)

    # ------------------------------------------------------------------ what the hub says
    def query(self, sql: str, **params: Any) -> list[Any]:
        assert self.engine is not None
        for attempt in range(50):  # the server may be restarting
            try:
                with self.engine.connect() as c:
                    return list(c.execute(sa.text(sql), params))
            except sa.exc.OperationalError:
                if attempt == 49:
                    raise
                time.sleep(0.2)
        return []

    def statuses(self, message_ids: list[str]) -> Counter[str]:
        rows = self.query("SELECT status FROM inbound_messages WHERE id = ANY(:ids)", ids=message_ids)
        return Counter(r[0] for r in rows)

    def settled(self, message_ids: list[str]) -> bool:
        s = self.statuses(message_ids)
        return sum(s.values()) == len(message_ids) and set(s) <= {"delivered", "dead", "rejected", "failed"}

    def deliveries(self, message_ids: list[str]) -> list[Any]:
        return self.query("SELECT id, message_id, status, last_error, attempts FROM deliveries "
                          "WHERE message_id = ANY(:ids)", ids=message_ids)

    def attempts_per_message(self, message_ids: list[str]) -> Counter[str]:
        """How many attempts the log holds for each message's deliveries."""
        rows = self.query("SELECT d.message_id FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
                          "WHERE d.message_id = ANY(:ids)", ids=message_ids)
        return Counter(r[0] for r in rows)

    def attempt_outcomes(self, message_ids: list[str]) -> Counter[str]:
        rows = self.query("SELECT a.outcome FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
                          "WHERE d.message_id = ANY(:ids)", ids=message_ids)
        return Counter(r[0] for r in rows)


def order(number: str) -> dict[str, Any]:
    return {"type": "order.created", "order": {
        "number": number, "created": "2026-11-22T10:00:00+08:00", "customer": {"code": "C-1"},
        "currency": "CNY", "items": [{"sku": "PRD-DESK-1200", "quantity": "2", "price": 1280.0, "uom": "件"}]}}
