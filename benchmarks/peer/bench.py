"""The hub and Node-RED on the same flow, driven by the same wrk script, delivering to the same sink.

Node-RED (installed from npm into a scratch folder) runs the peer flow of
/work/shared/peer/nodered: ``http in POST /order → change (JSONata) → http request POST → 200``.
The hub runs the same flow as a connector pair (``benchmarks/peer/hub_config``): a ``shop``
connector receives the order as a signed webhook and maps it with the same JSONata into
``order.received``; a ``sink`` connector delivers the mapped order with one POST. Both post to one
sink process (``sink.js``), which notes when each order arrived.

Blocks run interleaved (Node-RED, hub embedded, Node-RED, hub on PostgreSQL + Redis, per round)
and the summary gives each hub figure next to Node-RED's from the same run, as a ratio.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.peer import requests as signed_requests
from benchmarks.peer.procs import Backends, Meter, Proc, free_port, start, wait_http

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HUB_CONFIG = HERE / "hub_config"
LUA = HERE / "signed.lua"
SINK_JS = HERE / "sink.js"
RESULTS = REPO / "benchmarks" / "results"
PEER = Path(os.environ.get("BENCH_PEER_DIR", "/work/shared/peer/nodered"))
CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "hub-bench"))
NODE_RED = "4.1"
PG = "postgresql://postgres@127.0.0.1:5432"
SHOP = "shop"
WRK_THREADS = 2
PG_STATS_WAIT_S = 11.0
"""PostgreSQL 15 backends report their counters when idle, at most every 10 s: wait that long before reading."""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- tools


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        log("installing wrk (Debian package)")
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"]).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    return subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()


def ensure_node_red() -> tuple[Path, str]:
    """red.js of Node-RED 4.1.x, installed with npm into CACHE/node-red (outside the repository)."""
    folder = CACHE / "node-red"
    pkg = folder / "node_modules" / "node-red" / "package.json"
    if not (pkg.exists() and json.loads(pkg.read_text())["version"].startswith(NODE_RED + ".")):
        log(f"installing node-red@{NODE_RED} into {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"name": "hub-bench-peer", "private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--omit=dev", f"node-red@{NODE_RED}"],
                       cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return pkg.parent / "red.js", json.loads(pkg.read_text())["version"]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------- services


class Sink:
    def __init__(self, logdir: Path):
        self.port = free_port()
        self.proc = start("sink", ["node", str(SINK_JS), str(self.port)], logdir)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_http(self.url + "/_stats", self.proc)
        self.http = httpx.Client(timeout=30)

    def count(self) -> int:
        return self.http.get(self.url + "/_stats").json()["count"]

    def dump(self) -> dict[str, Any]:
        """What arrived since the last dump (and start afresh)."""
        return self.http.get(self.url + "/_dump?reset=1").json()

    def wait_for(self, n: int, timeout: float, stall: float = 30.0) -> int:
        """Wait until ``n`` requests arrived, ``timeout`` passed, or nothing arrived for ``stall`` s."""
        deadline = time.monotonic() + timeout
        last, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            c = self.count()
            if c >= n:
                return c
            if c != last:
                last, last_change = c, time.monotonic()
            elif time.monotonic() - last_change > stall:
                break
            time.sleep(0.05)
        return self.count()


class Redis:
    """A private redis-server on a free loopback port, so INFO commandstats counts only the hub's commands."""

    def __init__(self, work: Path, logdir: Path):
        import redis

        self.port = free_port()
        self.proc = start("redis", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                    "--save", "", "--appendonly", "no", "--dir", str(work)], logdir)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or not self.proc.alive():
                    raise SystemExit(f"redis-server did not start:\n{self.proc.tail()}") from None
                time.sleep(0.1)

    def calls(self) -> dict[str, int]:
        stats = self.client.info("commandstats")
        return {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items() if k != "cmdstat_info"}


def calls_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0) > 0}


class Postgres:
    def __init__(self) -> None:
        import psycopg

        self.admin = psycopg.connect(PG + "/postgres", autocommit=True)
        self.created: list[str] = []

    def create(self, log_statements: bool = False) -> tuple[str, str]:
        name = f"hub_peer_{uuid.uuid4().hex[:8]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        if log_statements:
            self.admin.execute(f"ALTER DATABASE \"{name}\" SET log_statement = 'all'")
        return name, f"{PG}/{name}"

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def stats(self, name: str) -> dict[str, int]:
        row = self.admin.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched "
            "FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()
        keys = ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted", "tup_fetched")
        return dict(zip(keys, row, strict=True)) if row else {}

    def log_file(self) -> Path | None:
        files = sorted(Path("/var/log/postgresql").glob("postgresql-*-main.log"), key=lambda p: p.stat().st_mtime)
        return files[-1] if files and os.access(files[-1], os.R_OK) else None

    def close(self) -> None:
        for name in list(self.created):
            try:
                self.drop(name)
            except Exception as exc:  # noqa: BLE001 - clean up what we can
                log(f"could not drop {name}: {exc}")
        self.admin.close()


STATEMENT = re.compile(r"^\S+ \S+ \S+ \[\d+\] \S*@(\S+) LOG:  (?:statement|execute [^:]*): (.*)$")


def count_statements(path: Path, offset: int, end: int, db: str) -> dict[str, int]:
    """Statements the PostgreSQL log shows for ``db`` between two byte offsets, by kind."""
    kinds: dict[str, int] = {}
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(end - offset)
    for line in data.decode("utf-8", "replace").splitlines():
        m = STATEMENT.match(line)
        if not m or m.group(1) != db:
            continue
        sql = m.group(2).strip()
        word = sql.split(None, 1)[0].upper().rstrip(";") if sql else ""
        if not word or re.fullmatch(r"select 1;?", sql, re.I):
            word = "PING"  # the pool's pre-ping: ";" on PostgreSQL
        kinds[word] = kinds.get(word, 0) + 1
    return kinds


def log_size(path: Path | None) -> int:
    return path.stat().st_size if path else 0


# ---------------------------------------------------------------- load


class Load:
    """Signed request folders and wrk runs."""

    def __init__(self, work: Path, order: bytes, secret: str):
        self.work = work
        self.order = order
        self.secret = secret
        self.n = 0

    def requests(self, count: int) -> tuple[Path, str]:
        self.n += 1
        tag = f"{uuid.uuid4().hex[:6]}{self.n}"
        folder = self.work / f"req-{self.n}"
        signed_requests.write(folder, self.order, self.secret, count, tag)
        return folder, tag

    def wrk(self, base: str, path: str, conns: int, seconds: float, count: int, limit: int = 0
            ) -> tuple[dict[str, Any], dict[str, int]]:
        """Run wrk with signed.lua; with ``limit`` it sends exactly that many and is stopped when all are answered.

        Returns wrk's counts (and its CPU ms) and, with ``limit``, the send time (µs, monotonic) of each order id.
        """
        folder, _ = self.requests(count)
        out = folder / "wrk.json"
        env = {**os.environ, "BENCH_DIR": str(folder), "BENCH_PATH": path, "BENCH_THREADS": str(WRK_THREADS),
               "BENCH_LIMIT": str(limit), "BENCH_OUT": str(out)}
        cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{conns}", f"-d{int(seconds)}s", "--timeout", "30s",
               "-s", str(LUA), base]
        with open(folder / "wrk.log", "wb") as f:
            p = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, cwd=folder)
        markers = [Path(f"{out}.thread{i}") for i in range(WRK_THREADS)]
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if limit and all(m.exists() for m in markers):
                p.send_signal(signal.SIGINT)  # every request answered: end the run now
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        if not out.exists():
            raise SystemExit(f"wrk wrote no results ({p.returncode}):\n{(folder / 'wrk.log').read_text()}")
        res = json.loads(out.read_text())
        res["wrk_cpu_ms"] = round((usage.ru_utime + usage.ru_stime) * 1000, 1)
        sends: dict[str, int] = {}
        if Path(f"{out}.sends").exists():
            for line in Path(f"{out}.sends").read_text().splitlines():
                oid, t = line.split()
                sends[oid] = int(t)
        shutil.rmtree(folder, ignore_errors=True)
        return res, sends


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def per_msg(procs: dict[str, dict[str, float]], n: int) -> dict[str, dict[str, float]]:
    for v in procs.values():
        v["cpu_ms_per_msg"] = round(v["cpu_ms"] / n, 2) if n else None
    return procs


# ---------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="hub-peer-bench-"))
        self.logdir = self.work / "logs"
        self.logdir.mkdir()
        self.records: list[dict[str, Any]] = []
        self.procs: list[Proc] = []
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.samples: dict[str, str] = {}
        self.hub_src: Path | None = None
        self.pg: Postgres | None = None
        self.redis: Redis | None = None
        # real secrets, so that a production start (PostgreSQL + Redis) accepts the configuration
        self.secrets = {name: "whsec_" + base64.b64encode(os.urandom(32)).decode() for name in (SHOP, "sink")}

    # -- bookkeeping

    def record(self, rec: dict[str, Any]) -> dict[str, Any]:
        rec = {"run": self.run_id, **rec}
        self.records.append(rec)
        brief = {k: rec[k] for k in ("system", "setup", "workers", "figure", "concurrency", "rate_per_s",
                                     "p50_ms", "p99_ms") if k in rec}
        log(json.dumps(brief))
        return rec

    def hub_env(self, db_url: str, broker: str | None, namespace: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_CONFIG_DIR=str(HUB_CONFIG), HUB_URL_SINK=self.sink.url, HUB_DATABASE_URL=db_url,
                   HUB_WORKER_THREADS=str(self.args.worker_threads), HUB_ADMIN_PASSWORD=uuid.uuid4().hex,
                   HUB_SESSION_SECRET=uuid.uuid4().hex, HUB_OUTBOUND_ALLOW="127.0.0.1",
                   **{f"HUB_SECRET_{name.upper()}": secret for name, secret in self.secrets.items()})
        if broker:
            env.update(HUB_BROKER_URL=broker, HUB_REDIS_NAMESPACE=namespace)
        if self.hub_src:
            env["PYTHONPATH"] = str(self.hub_src)
        return env

    def hub_source(self) -> dict[str, Any]:
        """With --hub-rev, export that commit's hub/ package (git archive) and run it instead of the work tree."""
        rev = self.args.hub_rev
        if not rev:
            return {"hub_source": "work tree", "hub_commit": git("rev-parse", "--short", "HEAD"),
                    "hub_uncommitted_files": len(git("status", "--porcelain", "--", "hub").splitlines())}
        commit = git("rev-parse", "--short", rev)
        if not commit:
            raise SystemExit(f"--hub-rev {rev!r} is not a commit")
        self.hub_src = self.work / "hub-src"
        self.hub_src.mkdir()
        archive = subprocess.run(["git", "archive", commit, "hub"], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(self.hub_src)], input=archive, check=True)
        return {"hub_source": f"git archive {commit} hub", "hub_commit": commit, "hub_uncommitted_files": 0}

    def hub(self, name: str, sub: list[str], env: dict[str, str]) -> Proc:
        p = start(name, [sys.executable, "-m", "hub.cli", *sub], self.logdir, env=env, cwd=self.work)
        self.procs.append(p)
        return p

    def stop(self, *procs: Proc) -> None:
        for p in procs:  # all at once: each may take a few seconds to finish its threads
            if p.alive():
                p.popen.terminate()
        for p in procs:
            p.stop()
            if p in self.procs:
                self.procs.remove(p)

    # -- figures

    def ingest(self, base: str, path: str, conns: int, pids: dict[str, list[int]], meta: dict[str, Any],
               db: str | None = None) -> dict[str, Any]:
        """Duration mode: accepted/s and the answer's latency percentiles."""
        self.sink.dump()
        meter = Meter(pids)
        backends = Backends(db) if db else None
        r0 = self.redis.calls() if self.redis and meta.get("setup") == "pg-redis" else None
        res, _ = self.load.wrk(base, path, conns, self.args.seconds, self.args.ingest_requests)
        procs = meter.read()
        if backends:
            procs["postgres"] = backends.read()
        procs = per_msg(procs, res["ok"])
        procs["wrk"] = {"cpu_ms": res["wrk_cpu_ms"], "cpu_ms_per_msg": round(res["wrk_cpu_ms"] / max(res["ok"], 1), 3)}
        delivered = self.sink.dump()["count"]
        lat = res["latency_us"]
        rec = {**meta, "figure": "ingest", "concurrency": conns, "seconds": round(res["duration_us"] / 1e6, 2),
               "accepted": res["ok"], "refused": res["bad"], "statuses": res["statuses"], "errors": res["errors"],
               "rate_per_s": round(res["ok"] / (res["duration_us"] / 1e6), 1),
               "p50_ms": round(lat["50"] / 1000, 1), "p90_ms": round(lat["90"] / 1000, 1),
               "p99_ms": round(lat["99"] / 1000, 1), "max_ms": round(lat["max"] / 1000, 1),
               "delivered_meanwhile": delivered, "wrapped": res["wrapped"], "procs": procs}
        if r0 is not None and self.redis:
            calls = calls_delta(r0, self.redis.calls())
            rec["redis_calls_per_msg"] = round(sum(calls.values()) / max(res["ok"], 1), 2)
        return self.record(rec)

    def e2e(self, base: str, path: str, conns: int, n: int, pids: dict[str, list[int]], meta: dict[str, Any],
            db: str | None = None) -> dict[str, Any]:
        """Count mode: send ``n`` orders, wait until the sink has them; delivered/s and end-to-end latency."""
        self.sink.dump()
        meter = Meter(pids)
        backends = Backends(db) if db else None
        r0 = self.redis.calls() if self.redis and meta.get("setup") == "pg-redis" else None
        res, sends = self.load.wrk(base, path, conns, self.args.timeout, n, limit=n)
        accepted_until = res["last_response"]
        self.sink.wait_for(n, timeout=self.args.timeout)
        procs = meter.read()
        if backends:
            procs["postgres"] = backends.read()
        procs = per_msg(procs, n)
        procs["wrk"] = {"cpu_ms": res["wrk_cpu_ms"], "cpu_ms_per_msg": round(res["wrk_cpu_ms"] / n, 3)}
        d = self.sink.dump()
        arrived = dict(zip(d["ids"], d["t_us"], strict=True))
        latencies = [(arrived[oid[3:]] - t) / 1000 for oid, t in sends.items() if oid[3:] in arrived]
        first = min(sends.values()) if sends else 0
        last = max(arrived.values()) if arrived else first
        delivered = len(latencies)
        rec = {**meta, "figure": "e2e", "concurrency": conns, "messages": n, "accepted": res["ok"],
               "refused": res["bad"], "statuses": res["statuses"], "delivered": delivered,
               "duplicates": len(d["ids"]) - len(set(d["ids"])),
               "accepted_per_s": round(res["ok"] / max((accepted_until - first) / 1e6, 1e-9), 1),
               "rate_per_s": round(delivered / max((last - first) / 1e6, 1e-9), 1),
               "seconds": round((last - first) / 1e6, 2),
               "p50_ms": round(pct(latencies, 50) or 0, 1), "p90_ms": round(pct(latencies, 90) or 0, 1),
               "p99_ms": round(pct(latencies, 99) or 0, 1), "max_ms": round(max(latencies, default=0), 1),
               "procs": procs}
        if r0 is not None and self.redis:
            calls = calls_delta(r0, self.redis.calls())
            rec["redis_calls_per_msg"] = round(sum(calls.values()) / max(delivered, 1), 2)
        if d.get("sample"):
            self.samples.setdefault(meta["system"], d["sample"])
        return self.record(rec)

    # -- blocks

    def node_red_block(self, rnd: int) -> None:
        meta = {"round": rnd, "system": "node-red", "setup": "in-memory", "workers": 1}
        pids = {"node-red": [self.node_red.pid], "sink": [self.sink.proc.pid]}
        for c in self.args.concurrency:
            self.ingest(self.node_red_url, "/order", c, pids, meta)
        self.e2e(self.node_red_url, "/order", 16, self.args.messages, pids, meta)

    def embedded_block(self, rnd: int) -> None:
        log("hub embedded (hub up --no-mocks, SQLite)")
        db_dir = self.work / f"embedded-{rnd}"
        db_dir.mkdir()
        env = self.hub_env(f"sqlite:///{db_dir}/hub.db", None, "hub")
        port = free_port()
        hub = self.hub(f"hub-up-{rnd}", ["up", "--no-mocks", "--port", str(port)], env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + "/healthz", hub)
            meta = {"round": rnd, "system": "hub", "setup": "embedded", "workers": 1}
            pids = {"hub up": [hub.pid], "sink": [self.sink.proc.pid]}
            self.e2e(base, f"/webhooks/{SHOP}", 16, self.args.messages, pids, meta)
            for c in self.args.concurrency:  # ingest while the worker threads deliver what it accepted
                self.ingest(base, f"/webhooks/{SHOP}", c, pids, meta)
        finally:
            self.stop(hub)
            shutil.rmtree(db_dir, ignore_errors=True)

    def pg_start(self, tag: str, log_statements: bool = False) -> tuple[str, dict[str, str], Proc, str]:
        assert self.pg is not None and self.redis is not None
        db, url = self.pg.create(log_statements)
        env = self.hub_env(url, self.redis.url, db)
        subprocess.run([sys.executable, "-m", "hub.cli", "db", "upgrade"], env=env, cwd=self.work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        api = self.hub(f"hub-serve-{tag}", ["serve", "--port", str(port)], env)
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz", api)
        return db, env, api, base

    def workers(self, env: dict[str, str], n: int, tag: str) -> list[Proc]:
        return [self.hub(f"hub-worker-{tag}-{i}", ["worker"], env) for i in range(n)]

    def pg_block(self, rnd: int) -> None:
        assert self.pg is not None and self.redis is not None
        log("hub on PostgreSQL + Redis (hub serve + hub worker)")
        # ingest alone (no worker), then the backlog drained by 1, then 2 workers
        db, env, api, base = self.pg_start(f"{rnd}-ingest")
        started: list[Proc] = [api]
        try:
            meta = {"round": rnd, "system": "hub", "setup": "pg-redis", "workers": 0}
            pids = {"hub serve": [api.pid], "redis": [self.redis.proc.pid]}
            accepted = sum(self.ingest(base, f"/webhooks/{SHOP}", c, pids, meta, db)["accepted"]
                           for c in self.args.concurrency)
            for n_workers in (1, 2):
                new = self.workers(env, 1, f"{rnd}-drain-{n_workers}")
                started += new
                # wait until the new worker delivers (the first) or a few seconds pass (the second)
                if n_workers == 1:
                    self.sink.wait_for(1, timeout=60)
                else:
                    time.sleep(3)
                w = [p for p in started if "worker" in p.name]
                meter = Meter({"hub serve": [api.pid], "hub worker": [p.pid for p in w],
                               "redis": [self.redis.proc.pid]})
                backends = Backends(db)
                r0 = self.redis.calls()
                c0, t0 = self.sink.count(), time.monotonic()
                time.sleep(self.args.drain_seconds)
                c1, t1 = self.sink.count(), time.monotonic()
                n = c1 - c0
                procs = meter.read()
                procs["postgres"] = backends.read()
                procs = per_msg(procs, n)
                calls = calls_delta(r0, self.redis.calls())
                self.record({"round": rnd, "system": "hub", "setup": "pg-redis", "workers": n_workers,
                             "figure": "drain", "backlog": accepted - c0, "delivered": n,
                             "rate_per_s": round(n / (t1 - t0), 1), "seconds": round(t1 - t0, 2),
                             "backlog_ran_out": c1 >= accepted, "procs": procs,
                             "redis_calls_per_msg": round(sum(calls.values()) / max(n, 1), 2)})
        finally:
            self.stop(*started)
            self.sink.dump()
            self.pg.drop(db)
        # end to end on a fresh database: with 1 worker, then with a second one beside it
        db, env, api, base = self.pg_start(f"{rnd}-e2e")
        w: list[Proc] = []
        try:
            for n_workers in (1, 2):
                w += self.workers(env, 1, f"{rnd}-e2e-{n_workers}")
                time.sleep(3)  # the new worker loads the registry and connects
                meta = {"round": rnd, "system": "hub", "setup": "pg-redis", "workers": n_workers}
                pids = {"hub serve": [api.pid], "hub worker": [p.pid for p in w], "redis": [self.redis.proc.pid],
                        "sink": [self.sink.proc.pid]}
                self.e2e(base, f"/webhooks/{SHOP}", 16, self.args.messages, pids, meta, db)
        finally:
            self.stop(api, *w)
            self.sink.dump()
            self.pg.drop(db)

    def work_per_message(self) -> None:
        """Statements, commits and Redis commands per message, counted on a database that logs every
        statement (a run of its own, since logging slows the hub down)."""
        assert self.pg is not None and self.redis is not None
        path = self.pg.log_file()
        n = self.args.count_messages
        log(f"work per message: {n} messages, statements counted in {path or '(no readable log)'}")
        db, env, api, base = self.pg_start("count", log_statements=True)
        w: list[Proc] = []
        try:
            self.sink.dump()
            time.sleep(PG_STATS_WAIT_S)
            off0, s0, r0 = log_size(path), self.pg.stats(db), self.redis.calls()
            m0 = Meter({"hub serve": [api.pid]})
            res, _ = self.load.wrk(base, f"/webhooks/{SHOP}", 16, self.args.timeout, n, limit=n)
            api_cpu, r1, off1 = m0.read()["hub serve"]["cpu_ms"], self.redis.calls(), log_size(path)
            time.sleep(PG_STATS_WAIT_S)
            s1 = self.pg.stats(db)
            w = self.workers(env, 1, "count")
            m1 = Meter({"hub worker": [p.pid for p in w]})
            got = self.sink.wait_for(n, timeout=self.args.timeout)
            # read at once: an idle worker keeps polling Redis and sweeping
            worker_cpu, r2, off2 = m1.read()["hub worker"]["cpu_ms"], self.redis.calls(), log_size(path)
            time.sleep(PG_STATS_WAIT_S)
            s2 = self.pg.stats(db)
            ingest_kinds = count_statements(path, off0, off1, db) if path else {}
            worker_kinds = count_statements(path, off1, off2, db) if path else {}
            for part, kinds, sa, sb, ra, rb, msgs, cpu in (
                    ("ingest", ingest_kinds, s0, s1, r0, r1, res["ok"], api_cpu),
                    ("worker", worker_kinds, s1, s2, r1, r2, got, worker_cpu)):
                txn = {"BEGIN", "COMMIT", "ROLLBACK"}
                statements = sum(v for k, v in kinds.items() if k not in txn)  # pings included
                calls = calls_delta(ra, rb)
                self.record({
                    "system": "hub", "setup": "pg-redis", "workers": 1, "figure": "work", "part": part,
                    "messages": msgs, "statements_logged": bool(path),
                    "statements_per_msg": round(statements / max(msgs, 1), 2),
                    "commits_per_msg": round(kinds.get("COMMIT", 0) / max(msgs, 1), 2),
                    "rollbacks_per_msg": round(kinds.get("ROLLBACK", 0) / max(msgs, 1), 2),
                    "pings_per_msg": round(kinds.get("PING", 0) / max(msgs, 1), 2),
                    "statements_by_kind": kinds,
                    "xact_commit_per_msg": round((sb.get("xact_commit", 0) - sa.get("xact_commit", 0)) / max(msgs, 1), 2),
                    "xact_rollback_per_msg": round(
                        (sb.get("xact_rollback", 0) - sa.get("xact_rollback", 0)) / max(msgs, 1), 2),
                    "redis_calls_per_msg": round(sum(calls.values()) / max(msgs, 1), 2),
                    "redis_calls": calls, "cpu_ms_per_msg": round(cpu / max(msgs, 1), 2)})
        finally:
            self.stop(api, *w)
            self.sink.dump()
            self.pg.drop(db)

    def harness(self) -> None:
        """How fast the sink and wrk go on their own: both must be far above every figure measured."""
        meter = Meter({"sink": [self.sink.proc.pid]})
        res, _ = self.load.wrk(self.sink.url, "/ingest", 64, 3, self.args.ingest_requests)
        procs = meter.read()
        self.sink.dump()
        self.record({"system": "harness", "setup": "wrk → sink", "figure": "capacity", "concurrency": 64,
                     "rate_per_s": round(res["ok"] / (res["duration_us"] / 1e6), 1),
                     "p50_ms": round(res["latency_us"]["50"] / 1000, 2),
                     "p99_ms": round(res["latency_us"]["99"] / 1000, 2),
                     "procs": {**procs, "wrk": {"cpu_ms": res["wrk_cpu_ms"]}}})

    # -- the whole run

    def run(self) -> None:
        a = self.args
        wrk_version = ensure_wrk()
        red_js, nr_version = ensure_node_red()
        source = self.hub_source()
        order = (PEER / "order.json").read_bytes()
        self.load = Load(self.work, order, self.secrets[SHOP])
        self.sink = Sink(self.logdir)
        self.procs.append(self.sink.proc)
        # Node-RED: the shared peer flow, written by the peer's own generator, posting to our sink
        user_dir = self.work / "node-red"
        subprocess.run([sys.executable, str(PEER / "make_nodered_flow.py"), str(user_dir / "flows.json"),
                        f"{self.sink.url}/ingest"], check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        self.node_red = start("node-red", ["node", str(red_js), "--userDir", str(user_dir), "--settings",
                                           str(user_dir / "settings.js"), "-p", str(port),
                                           str(user_dir / "flows.json")], self.logdir)
        self.procs.append(self.node_red)
        self.node_red_url = f"http://127.0.0.1:{port}"
        wait_http(self.node_red_url + "/order", self.node_red, timeout=120, method="POST", content=order,
                  headers={"content-type": "application/json"})
        self.load.wrk(self.node_red_url, "/order", 16, 2, self.args.ingest_requests)  # warm-up, not recorded
        self.sink.dump()
        self.pg = Postgres()
        self.redis = Redis(self.work, self.logdir)
        self.procs.append(self.redis.proc)
        self.record({"system": "machine", "figure": "setup", "cpus": os.cpu_count(),
                     "loadavg_at_start": os.getloadavg(), "node_red": nr_version, "wrk": wrk_version,
                     "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
                     "python": sys.version.split()[0], **source, "worker_threads": a.worker_threads,
                     "messages": a.messages, "seconds": a.seconds, "rounds": a.rounds})
        self.harness()
        for rnd in range(1, a.rounds + 1):
            log(f"round {rnd} of {a.rounds}")
            self.node_red_block(rnd)
            self.embedded_block(rnd)
            self.node_red_block(rnd)
            self.pg_block(rnd)
        if a.count_messages:
            self.work_per_message()
        self.harness()
        self.records.append({"run": self.run_id, "system": "machine", "figure": "end",
                             "loadavg_at_end": os.getloadavg(), "same_output": self.same_output()})

    def same_output(self) -> dict[str, Any]:
        """Whether the hub delivered the same mapped order as Node-RED (the order id aside)."""
        if not {"hub", "node-red"} <= self.samples.keys():
            return {"checked": False}
        a, b = (json.loads(self.samples[k]) for k in ("hub", "node-red"))
        a.pop("orderId", None)
        b.pop("orderId", None)
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return {"checked": True, "same": not differ, "differing_keys": differ}

    def close(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        if self.pg:
            self.pg.close()
        if self.args.keep:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------- the summary


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    m = statistics.median(values)
    return round(m, 2) if abs(m) < 10 else round(m, 1)


def spread(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m = median(values)
    return f"{m:g}" if len(values) == 1 else f"{m:g} ({min(values):g}–{max(values):g})"


def summarize(records: list[dict[str, Any]]) -> str:
    def pick(**kw: Any) -> list[dict[str, Any]]:
        return [r for r in records if all(r.get(k) == v for k, v in kw.items())]

    def vals(rs: list[dict[str, Any]], key: str) -> list[float]:
        return [r[key] for r in rs if r.get(key) is not None]

    def ratio(h: list[float], p: list[float]) -> str:
        mh, mp = median(h), median(p)
        return f"{mh / mp:.2f}×" if mh and mp else "–"

    rows = ["| figure | hub | Node-RED (same run) | hub / Node-RED |", "|---|---|---|---|"]
    for c in sorted({r["concurrency"] for r in pick(system="node-red", figure="ingest")}):
        peer = pick(system="node-red", figure="ingest", concurrency=c)
        for setup, label in (("embedded", "embedded, workers delivering meanwhile"),
                             ("pg-redis", "`hub serve` on PostgreSQL, no worker")):
            hub = pick(system="hub", setup=setup, figure="ingest", concurrency=c)
            if not hub:
                continue
            rows.append(f"| ingest accepted/s, c{c}, {label} | {spread(vals(hub, 'rate_per_s'))} | "
                        f"{spread(vals(peer, 'rate_per_s'))} | {ratio(vals(hub, 'rate_per_s'), vals(peer, 'rate_per_s'))} |")
            rows.append(f"| ingest p50 / p99 ms, c{c}, {setup} | {median(vals(hub, 'p50_ms'))} / "
                        f"{median(vals(hub, 'p99_ms'))} (max {max(vals(hub, 'max_ms'), default=0):g}) | "
                        f"{median(vals(peer, 'p50_ms'))} / {median(vals(peer, 'p99_ms'))} | "
                        f"p99 {ratio(vals(hub, 'p99_ms'), vals(peer, 'p99_ms'))} |")
    peer = pick(system="node-red", figure="e2e")
    for setup, workers, label in (("embedded", 1, "embedded (`hub up`, SQLite)"),
                                  ("pg-redis", 1, "PostgreSQL + Redis, 1 worker"),
                                  ("pg-redis", 2, "PostgreSQL + Redis, 2 workers")):
        hub = pick(system="hub", setup=setup, workers=workers, figure="e2e")
        if not hub:
            continue
        n = hub[0].get("messages")
        rows.append(f"| end to end delivered/s, c16, {n} messages, {label} | {spread(vals(hub, 'rate_per_s'))} | "
                    f"{spread(vals(peer, 'rate_per_s'))} | {ratio(vals(hub, 'rate_per_s'), vals(peer, 'rate_per_s'))} |")
        rows.append(f"| end to end latency p50 / p99 ms, {label} | {median(vals(hub, 'p50_ms'))} / "
                    f"{median(vals(hub, 'p99_ms'))} | {median(vals(peer, 'p50_ms'))} / {median(vals(peer, 'p99_ms'))} | "
                    f"p50 {ratio(vals(hub, 'p50_ms'), vals(peer, 'p50_ms'))} |")
    for workers in (1, 2):
        hub = pick(system="hub", figure="drain", workers=workers)
        if hub:
            rows.append(f"| draining a backlog, delivered/s, {workers} worker(s) | {spread(vals(hub, 'rate_per_s'))} | "
                        f"{spread(vals(peer, 'rate_per_s'))} | {ratio(vals(hub, 'rate_per_s'), vals(peer, 'rate_per_s'))} |")
    e1 = vals(pick(system="hub", figure="e2e", setup="pg-redis", workers=1), "rate_per_s")
    e2 = vals(pick(system="hub", figure="e2e", setup="pg-redis", workers=2), "rate_per_s")
    d1 = vals(pick(system="hub", figure="drain", workers=1), "rate_per_s")
    d2 = vals(pick(system="hub", figure="drain", workers=2), "rate_per_s")
    if e1 and e2:
        rows.append(f"| 1 → 2 worker processes | end to end {ratio(e2, e1)}; draining {ratio(d2, d1)} | | |")
    lines = ["\n".join(rows), ""]

    work = pick(figure="work")
    if work:
        lines += ["| work per message (PostgreSQL + Redis) | statements | commits | rollbacks | pool pings "
                  "| xact_commit | Redis commands | CPU ms |", "|---|---|---|---|---|---|---|---|"]
        for r in work:
            lines.append(f"| {r['part']} ({r['messages']} messages) | {r['statements_per_msg']} | {r['commits_per_msg']} | "
                         f"{r['rollbacks_per_msg']} | {r['pings_per_msg']} | {r['xact_commit_per_msg']} | "
                         f"{r['redis_calls_per_msg']} | {r['cpu_ms_per_msg']} |")
        lines.append("")

    lines += ["| CPU ms per message, memory MiB (median) | process | CPU ms/msg | RSS | peak RSS | Pss |",
              "|---|---|---|---|---|---|"]
    for system, setup, workers, figure in (("node-red", "in-memory", 1, "e2e"), ("hub", "embedded", 1, "e2e"),
                                           ("hub", "pg-redis", 1, "e2e"), ("hub", "pg-redis", 2, "e2e"),
                                           ("hub", "pg-redis", 0, "ingest")):
        rs = pick(system=system, setup=setup, workers=workers, figure=figure)
        names = sorted({n for r in rs for n in r.get("procs", {})})
        for name in names:
            ps = [r["procs"][name] for r in rs if name in r.get("procs", {})]
            cols = [median([p.get(k) for p in ps]) for k in ("cpu_ms_per_msg", "rss_mib", "peak_rss_mib", "pss_mib")]
            if name == "postgres":  # backends share their buffers: RSS summed over them means nothing
                cols[1] = cols[2] = "–"
            if name == "wrk":
                cols[1:] = ["–", "–", "–"]
            label = f"{system} {setup}" + (f", {workers} worker(s)" if system == "hub" and setup == "pg-redis" else "")
            lines.append(f"| {label}, {figure} | {name} | " + " | ".join(str(c) for c in cols) + " |")
    harness = pick(system="harness")
    if harness:
        lines += ["", f"Harness alone (wrk → sink, c64): {spread(vals(harness, 'rate_per_s'))} requests/s."]
    end = pick(figure="end")
    if end:
        lines.append(f"Same mapped output from both: {end[0]['same_output']}; "
                     f"load average at end: {end[0]['loadavg_at_end']}.")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2, help="A/B/A/B rounds (default 2)")
    ap.add_argument("--seconds", type=float, default=6, help="each ingest run (default 6)")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[16, 64], help="ingest connections (16 64)")
    ap.add_argument("--messages", type=int, default=400, help="orders per end-to-end run (default 400)")
    ap.add_argument("--count-messages", type=int, default=150,
                    help="orders of the statement-counting run (0 to skip; default 150)")
    ap.add_argument("--drain-seconds", type=float, default=10, help="window of each backlog-draining figure")
    ap.add_argument("--worker-threads", type=int, default=16, help="HUB_WORKER_THREADS (default 16)")
    ap.add_argument("--ingest-requests", type=int, default=40000,
                    help="signed requests prepared per ingest run (more than it can send)")
    ap.add_argument("--timeout", type=float, default=240, help="bound of each end-to-end run, seconds")
    ap.add_argument("--out", type=Path, default=None, help="JSON lines file (default benchmarks/results/peer-<date>.jsonl)")
    ap.add_argument("--hub-rev", default=None,
                    help="run the hub/ package of this commit (exported with git archive) instead of the work tree")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (logs) afterwards")
    args = ap.parse_args()
    bench = Bench(args)
    out = args.out or RESULTS / f"peer-{datetime.now(UTC):%Y-%m-%d}.jsonl"
    try:
        bench.run()
    finally:
        bench.close()
        if bench.records:
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(out, "a", encoding="utf-8") as f:
                for r in bench.records:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
            summary = summarize(bench.records)
            out.with_suffix(".md").write_text(f"Run {bench.run_id}\n\n{summary}\n", encoding="utf-8")
            print("\n" + summary)
            log(f"results: {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
