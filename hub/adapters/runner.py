"""Pollers: one thread per process runs every polled source whose lease this process holds.

Each tick, for each source: take or renew its lease (:class:`~hub.adapters.state.PollerStore`);
if this process is the leader and the source is due, read it once. A run stores its records in
batches, each batch in one transaction with the lease check and the watermark it covers; a failing
run records its error and backs off (every, 2×every, 4×every …, up to ``backoff_max``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hub.adapters import watermarks
from hub.adapters.state import LeaseLost, PollerStore
from hub.ingest import Ingestor, Record, Staged
from hub.pipeline.compiled import CompiledSource
from hub.registry import Registry
from hub.settings import Settings

log = logging.getLogger("hub.pollers")

DEFAULT_TICK_S = 1.0
MODES = {"http": "poll-http", "database": "poll-database", "files": "file"}
"""The ``mode`` of the inbound messages each kind stores."""


@dataclass
class Context:
    """What a run of one source reads and where its records go."""

    connector: str
    source: CompiledSource
    config_dir: Path
    base_url: str
    environ: Mapping[str, str]
    watermark: dict[str, Any] | None
    store: Callable[[list[Record], dict[str, Any] | None], Staged]
    """Store records and, in the same transaction, the watermark they reach (None: unchanged)."""
    heartbeat: Callable[[], None] = field(default=lambda: None)

    @property
    def since(self) -> Any:
        """The watermark a read starts after (with the safety lag taken off a timestamp)."""
        start = self.watermark or watermarks.typed(getattr(self.source.declared, "start", None))
        return watermarks.since(start, getattr(self.source.declared, "lag", 0.0))


class Adapter(Protocol):
    def run(self, ctx: Context) -> int:
        """Read the source once; return how many new records were stored."""


def adapter_for(kind: str) -> Adapter:
    if kind == "files":
        from hub.adapters.files import FileDrop
        return FileDrop()
    if kind == "http":
        from hub.adapters.http import HttpPoller
        return HttpPoller()
    from hub.adapters.database import DatabasePoller
    return DatabasePoller()


class Pollers:
    def __init__(self, *, registry: Registry, settings: Settings, ingestor: Ingestor, state: PollerStore,
                 tick_s: float = DEFAULT_TICK_S, environ: Mapping[str, str] | None = None):
        self.registry = registry
        self.settings = settings
        self.ingestor = ingestor
        self.state = state
        self.tick_s = tick_s
        self.environ = environ if environ is not None else os.environ
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sources = {name: c.poll for name, c in registry.compiled.items() if c.poll is not None}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        """One tick: each due source this process leads is read; returns records stored per source."""
        stored: dict[str, int] = {}
        for name, source in self.sources.items():
            if self._stop.is_set():
                break
            self.state.ensure(name, source.declared.kind)
            if not self.state.acquire(name, self.me) or not self.state.due(name):
                continue
            stored[name] = self._run(name, source)
        return stored

    def _run(self, name: str, source: CompiledSource) -> int:
        declared = source.declared
        self.state.started(name)
        ctx = Context(connector=name, source=source, config_dir=self.settings.config_dir,
                      base_url=self.settings.connector_url(name, self.registry.connectors[name].base_url),
                      environ=self.environ, watermark=self.state.watermark(name),
                      store=lambda records, mark: self._store(name, declared.kind, records, mark),
                      heartbeat=lambda: self._heartbeat(name))
        try:
            n = adapter_for(declared.kind).run(ctx)
        except Exception as exc:
            wait = self.state.failed(name, f"{type(exc).__name__}: {exc}", every_s=declared.every,
                                     backoff_max_s=declared.backoff_max)
            log.warning("poller %s failed (next try in %.0f s): %s", name, wait, exc)
            return 0
        self.state.succeeded(name, declared.every)
        if n:
            log.info("poller %s stored %d record(s)", name, n)
        return n

    def _store(self, name: str, kind: str, records: list[Record], mark: dict[str, Any] | None) -> Staged:
        def within(s: Any, stored: int) -> None:
            self.state.hold(s, name, self.me)
            self.state.set_watermark(s, name, mark, stored)
        return self.ingestor.stage(name, records, mode=MODES[kind], within=within)

    def _heartbeat(self, name: str) -> None:
        if not self.state.acquire(name, self.me):
            raise LeaseLost(f"{self.me} no longer holds the lease on {name}")

    def start(self) -> None:
        if not self.sources:
            return
        self._thread = threading.Thread(target=self._loop, name="hub-pollers", daemon=True)
        self._thread.start()
        log.info("pollers started for %s", ", ".join(sorted(self.sources)))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        for name in self.sources:
            try:
                self.state.release(name, self.me)
            except Exception:  # the lease runs out by itself
                log.debug("could not release the lease on %s", name, exc_info=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("pollers tick failed")
            self._stop.wait(self.tick_s)
