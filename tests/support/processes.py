"""Servers run as real processes by the end-to-end tests and the benchmarks: wait for them, stop them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.target import free_port
from tests.support.waiting import eventually

STOP_TIMEOUT_S = 15
START_TIMEOUT_S = 120


def alive(url: str) -> bool:
    """Whether the server at ``url`` answers ``/healthz``."""
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # a starved machine answers late
    except httpx.HTTPError:
        return False


def stop(procs: Iterable[subprocess.Popen]) -> None:
    """Ask every process to stop (SIGTERM), then kill the ones still running after the timeout."""
    procs = list(procs)
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()


@contextmanager
def reference_system(system: str, data_dir: Path) -> Iterator[str]:
    """One reference system (``python -m mocks <system>``) alone, its data in ``data_dir``, sending no webhooks
    and simulating nothing; yields its URL once it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "MOCK_"))}
    env.update({f"MOCK_{system.upper()}_PORT": str(port), "MOCK_DATA_DIR": str(data_dir),
                "MOCK_HUB_URL": "http://127.0.0.1:9", "MOCK_SIMULATION": "0"})
    proc = subprocess.Popen([sys.executable, "-m", "mocks", system], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: alive(url) or proc.poll() is not None, timeout=START_TIMEOUT_S,
                   what=f"the {system} reference system to start")
        assert proc.poll() is None, f"the {system} reference system exited"
        yield url
    finally:
        stop([proc])
