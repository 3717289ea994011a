"""Processes the benchmark starts, and what they cost: CPU time and memory read from /proc."""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CLK_TCK = os.sysconf("SC_CLK_TCK")


def die_with_parent() -> None:
    """Have the kernel stop the child when the benchmark dies (Linux), so nothing is left running."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid: int) -> float | None:
    """User + system CPU time of ``pid`` in ms, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and Pss (shared pages divided among their users) of ``pid`` in KiB."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


@dataclass
class Proc:
    """A started process, its log, and how it is stopped."""

    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)

    def tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start(name: str, cmd: list[str], logdir: Path, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> Proc:
    log = logdir / f"{name}.log"
    f = open(log, "ab")
    popen = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             preexec_fn=die_with_parent)
    f.close()
    return Proc(name, popen, log)


def wait_http(url: str, proc: Proc | None = None, timeout: float = 180, ok: tuple[int, ...] = (200,),
              method: str = "GET", **kw: object) -> httpx.Response:
    """Poll ``url`` until it answers with one of ``ok``; fail naming the process's last log lines."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise SystemExit(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            r = httpx.request(method, url, timeout=5, **kw)  # type: ignore[arg-type]
            if r.status_code in ok:
                return r
            last = r.status_code
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    tail = f"\n{proc.tail()}" if proc else ""
    raise SystemExit(f"{url} did not answer {ok} within {timeout}s (last: {last}){tail}")


@dataclass
class Meter:
    """CPU and memory of named processes over one measurement (pids may join later, e.g. backends)."""

    pids: dict[str, list[int]]
    before: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for pids in self.pids.values():
            for pid in pids:
                self.before[pid] = cpu_ms(pid) or 0.0

    def read(self, extra: dict[str, list[int]] | None = None) -> dict[str, dict[str, float]]:
        """Per name: CPU ms spent since the start (a pid first seen now counts from its birth),
        RSS, peak RSS and Pss in MiB (summed over the name's pids: for PostgreSQL backends, which share
        their buffers, only Pss adds up meaningfully)."""
        out: dict[str, dict[str, float]] = {}
        names = {**self.pids, **(extra or {})}
        for name, pids in names.items():
            cpu = rss = hwm = pss = 0.0
            n = 0
            for pid in pids:
                now = cpu_ms(pid)
                if now is None:
                    continue
                n += 1
                cpu += now - self.before.get(pid, 0.0)
                mem = memory_kb(pid)
                rss += mem.get("VmRSS", 0) / 1024
                hwm += mem.get("VmHWM", 0) / 1024
                pss += mem.get("Pss", 0) / 1024
            out[name] = {"cpu_ms": round(cpu, 1), "rss_mib": round(rss, 1), "peak_rss_mib": round(hwm, 1),
                         "pss_mib": round(pss, 1), "processes": n}
        return out


class Backends:
    """CPU of one database's PostgreSQL backends over a window, sampled every 0.2 s from /proc, so that
    a backend which closes during the window still counts (up to its last sample)."""

    def __init__(self, db: str):
        self.pattern = re.compile(rf"^postgres: [^:]+: \S+ {re.escape(db)} ")
        self.start_cpu = {pid: cpu_ms(pid) or 0.0 for pid in self.pids()}
        self.last = dict(self.start_cpu)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def pids(self) -> list[int]:
        out = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    cmd = Path(f"/proc/{d}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if self.pattern.match(cmd):
                    out.append(int(d))
        return out

    def _sample(self) -> list[int]:
        live = []
        for pid in self.pids():
            c = cpu_ms(pid)
            if c is not None:
                self.last[pid] = c
                live.append(pid)
        return live

    def _loop(self) -> None:
        while not self.done.wait(0.2):
            self._sample()

    def read(self) -> dict[str, float]:
        self.done.set()
        self.thread.join()
        live = self._sample()
        cpu = sum(c - self.start_cpu.get(pid, 0.0) for pid, c in self.last.items())
        pss = sum(memory_kb(pid).get("Pss", 0) for pid in live) / 1024
        return {"cpu_ms": round(cpu, 1), "pss_mib": round(pss, 1), "processes": len(self.last)}
