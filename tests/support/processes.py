"""Servers run as real processes by the end-to-end tests and the benchmarks: wait for them, stop them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable

import httpx

STOP_TIMEOUT_S = 15


def alive(url: str) -> bool:
    """Whether the server at ``url`` answers ``/healthz``."""
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
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
