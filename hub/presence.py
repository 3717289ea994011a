"""The hub's running processes, the mapping version each has loaded, and reloading mappings in all of them.

Every API and worker process keeps an entry on a board: who it is, its roles, and the digest of the
mapping files it has loaded. With Redis as the broker the board is Redis itself (one key per process,
refreshed by a heartbeat, gone when the process stops or dies) and a reload is broadcast on a pub/sub
channel every process listens to, so a reload clicked in one API process reaches all the workers.
Embedded (``hub up``) there is one process, and a reload is a call.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from hub.mapping import MappingLibrary
from hub.settings import Settings

log = logging.getLogger("hub.presence")

HEARTBEAT_S = 5.0
"""How often a process refreshes its entry."""
ENTRY_TTL_S = 30
"""An entry not refreshed for this long (its process died) leaves the board."""
REACH_WAIT_S = 10.0
"""How long a reload waits for every process to report it."""


class ProcessView(BaseModel):
    id: str = Field(examples=["app-1:4242:9f3a"])
    host: str
    pid: int
    roles: list[str] = Field(description="api and/or worker", examples=[["worker"]])
    started_at: datetime
    seen_at: datetime = Field(description="its last heartbeat")
    mappings_version: str = Field(description="digest of the mapping files it has loaded", examples=["3f9c0a1b2d4e"])
    mappings_loaded_at: datetime
    last_reload: str | None = Field(None, description="the id of the last reload it applied")


class ReloadResult(BaseModel):
    reload: str = Field(description="this reload's id; each process reports it once applied")
    mappings: int = Field(description="mapping files on disk")
    version: str = Field(description="the version this process loaded")
    processes: list[ProcessView]
    reached: int = Field(description="how many of the processes applied this reload")

    @property
    def complete(self) -> bool:
        return self.reached == len(self.processes)


def _now() -> datetime:
    return datetime.now(UTC)


class Presence:
    """This process's entry, and the board of all of them (this one alone when embedded)."""

    def __init__(self, library: MappingLibrary):
        self.library = library
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"
        self.roles: set[str] = set()
        self.started_at = _now()
        self.loaded_at = self.started_at
        self.last_reload: str | None = None
        self._lock = threading.Lock()

    def me(self) -> ProcessView:
        return ProcessView(id=self.id, host=socket.gethostname(), pid=os.getpid(), roles=sorted(self.roles),
                           started_at=self.started_at, seen_at=_now(), mappings_version=self.library.version,
                           mappings_loaded_at=self.loaded_at, last_reload=self.last_reload)

    def join(self, role: str) -> None:
        """Show this process on the board as ``role`` (``api``, ``worker``)."""
        self.roles.add(role)

    def processes(self) -> list[ProcessView]:
        return [self.me()]

    def apply(self, reload_id: str) -> None:
        """Reload mappings in this process and say so."""
        with self._lock:
            self.library.reload()
            self.loaded_at = _now()
            self.last_reload = reload_id
        log.info("mappings reloaded (%s): version %s", reload_id, self.library.version)

    def reload_all(self, *, wait_s: float = REACH_WAIT_S) -> ReloadResult:
        """Reload mappings here and in every other process; wait (up to ``wait_s``) until all report it."""
        reload_id = uuid.uuid4().hex[:8]
        self.apply(reload_id)
        self._broadcast(reload_id)
        deadline = time.monotonic() + wait_s
        while True:
            board = self.processes()
            reached = sum(p.last_reload == reload_id for p in board)
            if reached == len(board) or time.monotonic() >= deadline:
                return ReloadResult(reload=reload_id, mappings=len(self.library.names()),
                                    version=self.library.version, processes=board, reached=reached)
            time.sleep(0.1)

    def _broadcast(self, reload_id: str) -> None:
        """Embedded: there is no other process."""

    def stop(self) -> None:
        """Leave the board."""


class RedisPresence(Presence):
    """The board in Redis: a key per process with a time to live, and a pub/sub channel for reloads."""

    def __init__(self, library: MappingLibrary, url: str, namespace: str):
        import redis

        super().__init__(library)
        self.client = redis.Redis.from_url(url)
        self.prefix = f"{namespace}:process:"
        self.channel = f"{namespace}:mappings.reload"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def join(self, role: str) -> None:
        super().join(role)
        self._publish_entry()
        if self._thread is None:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(self.channel)  # before the thread starts: no reload sent after join is missed
            self._thread = threading.Thread(target=self._listen, args=(pubsub,), name="hub-presence", daemon=True)
            self._thread.start()

    def processes(self) -> list[ProcessView]:
        keys = sorted(self.client.scan_iter(f"{self.prefix}*"))
        raw = self.client.mget(keys) if keys else []
        board = {p.id: p for p in (ProcessView.model_validate_json(v) for v in raw if v)}
        if self.roles:
            board[self.id] = self.me()
        return sorted(board.values(), key=lambda p: (p.roles, p.host, p.pid, p.id))

    def apply(self, reload_id: str) -> None:
        super().apply(reload_id)
        if self.roles:
            self._publish_entry()

    def _broadcast(self, reload_id: str) -> None:
        self.client.publish(self.channel, json.dumps({"reload": reload_id, "from": self.id}))

    def _publish_entry(self) -> None:
        self.client.set(self.prefix + self.id, self.me().model_dump_json(), ex=ENTRY_TTL_S)

    def _listen(self, pubsub) -> None:  # type: ignore[no-untyped-def]
        next_beat = time.monotonic() + HEARTBEAT_S
        while not self._stop.is_set():
            try:
                message = pubsub.get_message(timeout=1.0)
                if message is not None:
                    body = json.loads(message["data"])
                    if body.get("from") != self.id:
                        self.apply(str(body["reload"]))
                if time.monotonic() >= next_beat:
                    self._publish_entry()
                    next_beat = time.monotonic() + HEARTBEAT_S
            except Exception:  # the listener must outlive a Redis hiccup or a bad message
                log.exception("presence: listening for reloads failed; trying again")
                self._stop.wait(1.0)
        pubsub.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.client.delete(self.prefix + self.id)
        except Exception:  # stopping must not fail because Redis went first
            log.warning("presence: could not remove this process's entry (it expires by itself)")
        self.client.close()


def make_presence(settings: Settings, library: MappingLibrary) -> Presence:
    if settings.broker_url is None:
        return Presence(library)
    return RedisPresence(library, settings.broker_url, settings.redis_namespace)
