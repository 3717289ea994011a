"""The whole company on one machine: the hub and the seven reference systems as real HTTP servers.

``embedded``: ``hub up`` (SQLite, in-process broker) starting the mocks beside it.
``production``: ``hub serve`` + two ``hub worker`` processes on PostgreSQL and Redis, and the
mocks started on their own. Every process gets free ports and a data folder of its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hub.cli import die_with_parent
from mocks.demo import SYSTEMS, Company, company_env
from tests.support.auth import bearer, new_token
from tests.support.processes import alive, stop
from tests.support.target import free_port

START_TIMEOUT_S = 300
"""The hub answers once the systems are up and their master data matched (slow on a busy machine)."""


@dataclass
class World:
    hub_url: str
    company: Company
    token: str
    procs: list[subprocess.Popen] = field(default_factory=list)
    log: Path | None = None

    def api(self, path: str, **params: Any) -> Any:
        r = httpx.get(f"{self.hub_url}{path}", params=params, headers=bearer(self.token), timeout=30)
        assert r.status_code == 200, f"{path} → {r.status_code}: {r.text[:500]}"
        return r.json()

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        """Every message the filters match, newest first: all pages (a batch makes more than one)."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.api("/api/messages", limit=500, **filters, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            if not (cursor := page.get("next_cursor")):
                return items

    def open_work(self) -> str:
        """What the hub has not settled yet — every delivery not delivered and every message still in
        motion, with its last error — for a failing test to say why the company has not settled."""
        lines = []
        for status in ("pending", "in_flight", "retrying", "paused", "dead", "rejected"):
            for d in self.api("/api/deliveries", status=status, limit=200)["items"]:
                lines.append(f"delivery {status:9} {d['connector']}.{d['operation']} attempts={d['attempts']} "
                             f"rounds={d['rounds']} next={d['next_attempt_at']} {(d['last_error'] or '')[:160]}")
        for m in self.messages():
            if m["status"] not in ("delivered", "no_route", "ignored"):
                lines.append(f"message {m['status']:10} {m['connector']} {m['native_type']} → {m['type']} "
                             f"{m['subject']} {(m['error'] or '')[:160]}")
        return "\n".join(lines) or "(nothing open)"


@contextmanager
def company_world(tmp: Path, *, mode: str = "embedded", database_url: str | None = None,
                  redis_url: str | None = None, namespace: str | None = None,
                  env_overrides: dict[str, str] | None = None) -> Iterator[World]:
    """``env_overrides``: set last, e.g. ``HUB_URL_<SYS>`` pointing at nothing for a system that is down."""
    ports = {s: free_port() for s in SYSTEMS}
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    env = company_env(tmp, hub_url, ports)
    env.update(HUB_SWEEP_INTERVAL_S="2", HUB_SWEEP_GRACE_S="5")
    env.update(env_overrides or {})
    log = (tmp / "world.log").open("wb")
    procs: list[subprocess.Popen] = []
    hub_cli = [sys.executable, "-m", "hub.cli"]
    if mode == "embedded":
        env["HUB_DATABASE_URL"] = database_url or f"sqlite:///{tmp}/hub.db"
        procs.append(subprocess.Popen([*hub_cli, "up", "--port", str(hub_port), "--mocks"], env=env,
                                      stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent))
    else:
        env.update(HUB_DATABASE_URL=database_url or "", HUB_BROKER_URL=redis_url or "",
                   HUB_REDIS_NAMESPACE=namespace or "hub", HUB_ENV="development")  # the mocks sign with dev secrets
        subprocess.run([*hub_cli, "db", "upgrade"], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        procs.append(subprocess.Popen([*hub_cli, "serve", "--port", str(hub_port)], env=env,
                                      stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent))
        for _ in range(2):
            procs.append(subprocess.Popen([*hub_cli, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                          preexec_fn=die_with_parent))
        procs.append(subprocess.Popen([sys.executable, "-m", "mocks"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, preexec_fn=die_with_parent))
        subprocess.run([*hub_cli, "masterdata", "pull"], env=env, check=True, stdout=log,  # waits for the mocks
                       stderr=subprocess.STDOUT)
    urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        for url in [hub_url, *urls.values()]:
            while not alive(url):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise AssertionError(f"{url} did not start; log:\n{(tmp / 'world.log').read_text()[-3000:]}")
                time.sleep(0.2)
        token = new_token(env["HUB_DATABASE_URL"], "admin")
        yield World(hub_url, Company(urls, bank_drop=tmp / "bank"), token, procs, tmp / "world.log")
    finally:
        stop(procs)
        log.close()
