"""Throughput of the hub end to end: webhooks accepted per second, and delivered per second.

    python -m benchmarks.throughput --mode embedded   --messages 2000
    python -m benchmarks.throughput --mode production --messages 2000 --workers 2
    python -m benchmarks.throughput --mode production --messages 600 --hub-rev main --hub-rev perf --rounds 2
    python -m benchmarks.throughput --mode production --workers 0 --concurrency 64   # ingest alone

``embedded`` runs ``hub up`` (SQLite, in-process broker, worker threads); ``production`` runs
``hub serve`` and N ``hub worker`` processes on the local PostgreSQL and Redis (none with
``--workers 0``: ingest alone, nothing is delivered). The hub runs
as real processes; this process signs and sends webhooks over HTTP with a thread pool and
counts what reaches a local target; ``api_cpu_ms_per_accepted`` is the CPU the API process (``hub up``
or ``hub serve``, with its worker processes) used while the webhooks were sent, per webhook.
``--api-processes N`` (production) runs ``hub serve --workers N``; given more than once, the runs
alternate between them too. Results are printed and appended to benchmarks/results.jsonl.

With ``--hub-rev`` (given once or more) the hub runs the ``hub/`` package of that commit (exported
with ``git archive``) instead of the work tree; with several, the runs alternate A/B/A/B for
``--rounds`` rounds, so a busy machine weighs on each commit alike: compare them within one call.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from hub.settings import REPO_ROOT
from tests.support.processes import alive, stop
from tests.support.signing import order_created, signed
from tests.support.target import Target, free_port

QUICKSTART = REPO_ROOT / "examples" / "quickstart"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
SEND_TIMEOUT_S = 60.0
"""How long a webhook may take to be accepted before the run fails (a busy SQLite hub can take seconds)."""


def wait_alive(url: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not alive(url):
        if time.monotonic() > deadline:
            raise SystemExit(f"hub at {url} did not come up")
        time.sleep(0.2)


def export(rev: str, into: Path) -> tuple[str, Path]:
    """(short commit, folder holding that commit's ``hub/`` package)."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    folder = into / f"hub-{commit}"
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit, "hub"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return commit, folder


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process and its children alive now have used (all threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        total += sum(cpu_s(int(child)) for child in children)
    return total


def start(mode: str, workers: int, target: Target, tmp: Path,
          hub_src: Path | None = None, api_processes: int = 1) -> tuple[str, list[subprocess.Popen], callable]:
    port = free_port()
    env = {"HUB_WORKER_THREADS": "16", **os.environ, "HUB_CONFIG_DIR": str(QUICKSTART),
           "HUB_URL_LEDGER": target.url}  # HUB_WORKER_THREADS set by the caller wins
    if hub_src is not None:  # ahead of the installed work tree (the processes run in tmp, not in the work tree)
        env["PYTHONPATH"] = os.pathsep.join([str(hub_src), *filter(None, [os.environ.get("PYTHONPATH")])])
    cleanup = lambda: None  # noqa: E731
    procs: list[subprocess.Popen] = []
    if mode == "embedded":
        env["HUB_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        env.pop("HUB_BROKER_URL", None)
        procs.append(subprocess.Popen([sys.executable, "-m", "hub.cli", "up", "--no-mocks", "--port", str(port)],
                                      env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    else:
        import sqlalchemy as sa
        name = f"hub_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        env.update(HUB_DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + name, HUB_BROKER_URL=REDIS,
                   HUB_REDIS_NAMESPACE=name, HUB_ENV="development")  # signed with the development secrets
        subprocess.run([sys.executable, "-m", "hub.cli", "db", "upgrade"], env=env, cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        procs.append(subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--port", str(port),
                                       "--workers", str(api_processes)],
                                      env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(workers):
            procs.append(subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env, cwd=tmp,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        def cleanup() -> None:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_alive(url)
    except BaseException:  # nothing of a run that did not start is left behind
        stop(procs)
        cleanup()
        raise
    return url, procs, cleanup


def run(mode: str, messages: int, concurrency: int, workers: int, hub_src: Path | None = None,
        api_processes: int = 1) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    with Target() as target:
        url, procs, cleanup = start(mode, workers, target, tmp, hub_src, api_processes)
        try:
            payloads = [signed(order_created(f"B-{i}")) for i in range(messages)]
            client = httpx.Client(limits=httpx.Limits(max_connections=concurrency), timeout=SEND_TIMEOUT_S)

            def send(p: tuple[bytes, dict]) -> tuple[int, float]:
                started = time.perf_counter()
                code = client.post(f"{url}/webhooks/webshop", content=p[0], headers=p[1]).status_code
                return code, time.perf_counter() - started

            cpu_before = [cpu_s(p.pid) for p in procs]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                answers = list(pool.map(send, payloads))
            accepted_s = time.perf_counter() - t0
            api_cpu_s = cpu_s(procs[0].pid) - cpu_before[0]
            codes = [code for code, _ in answers]
            waits_ms = sorted(took * 1000 for _, took in answers)
            assert codes.count(202) == messages, f"not all accepted: {set(codes)}"
            delivering = mode == "embedded" or workers > 0  # --workers 0: ingest alone, nothing delivers
            deadline = time.monotonic() + 600
            while delivering and len(target.calls) < messages and time.monotonic() < deadline:
                time.sleep(0.05)
            delivered_s = time.perf_counter() - t0
        finally:
            stop(procs)
            cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
    result = {"mode": mode, "messages": messages, "concurrency": concurrency,
              "workers": workers if mode == "production" else 1,
              "api_processes": api_processes if mode == "production" else 1,
              "accepted_per_s": round(messages / accepted_s, 1),
              "accept_ms_p50": round(waits_ms[len(waits_ms) // 2]), "accept_ms_p99": round(waits_ms[int(len(waits_ms) * 0.99)]),
              "accept_ms_max": round(waits_ms[-1]),
              "api_cpu_ms_per_accepted": round(api_cpu_s * 1000 / messages, 2),
              "delivered_per_s": round(len(target.calls) / delivered_s, 1),
              "delivered": len(target.calls), "cpus": os.cpu_count()}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["embedded", "production"], default="embedded")
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hub-rev", action="append", default=[],
                    help="run this commit's hub/ (git archive); give it again for A/B runs")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of the --hub-rev runs, interleaved (default 1)")
    ap.add_argument("--api-processes", type=int, action="append", default=[],
                    help="production: hub serve --workers N (uvicorn's processes); give it again to alternate them")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="hub-bench-src-"))
    try:
        sources = [export(rev, scratch) for rev in args.hub_rev] or [(None, None)]
        for _ in range(args.rounds):
            for (commit, hub_src), api_processes in itertools.product(sources, args.api_processes or [1]):
                result = run(args.mode, args.messages, args.concurrency, args.workers, hub_src, api_processes)
                if commit is not None:
                    result["hub_commit"] = commit
                print(json.dumps(result), flush=True)
                with open(Path(__file__).with_name("results.jsonl"), "a", encoding="utf-8") as f:
                    f.write(json.dumps({**result, "at": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
