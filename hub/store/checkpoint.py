"""WAL checkpoints of a SQLite database, off the commit path.

SQLite copies its write-ahead log back into the database file (a checkpoint) inside the commit
that pushes the log past ``wal_autocheckpoint`` pages: that commit, and on ``hub up`` the write
gate it holds (:mod:`hub.store.write_gate`), waits for the copy and its fsyncs. The hub's
connections turn that off (``wal_autocheckpoint=0``) and this thread checkpoints instead, every
``interval_s``, in ``PASSIVE`` mode: it copies what no reader still needs, never waits for a
reader or a writer, and never takes the write lock. Once everything is copied the next writer
starts the log again from its beginning, so the log stays about as large as what is written in an
interval; ``journal_size_limit`` (set on every connection) trims the file back when it restarts.

The log starts again only at a write transaction that began once everything was copied, and under
a steady stream of commits one is always open: with passive checkpoints alone the log grew past
200 MB in a minute of ``hub up`` at c64, every checkpoint complete (each read then searches a larger
log). So each pass is followed by a second one while the checkpointer holds a turn of the write gate
(as a worker's transaction would, behind an ingest batch waiting): no transaction of the process is
open, it copies only what came since the first pass (usually nothing), and the next writer starts
the log again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.store.write_gate import WriteGate

log = logging.getLogger("hub.store.checkpoint")

CHECKPOINT_INTERVAL_S = 0.5
"""How often the log is checkpointed: SQLite's default (1,000 pages) is about that much writing on ``hub up``."""
STOP_WAIT_S = 5.0
"""How long stopping waits for a pass in progress (one waiting for its turn of the gate may take longer)."""
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
"""``journal_size_limit``: the largest the log file is left at when it starts again."""


@dataclass(frozen=True)
class Checkpointed:
    """What one checkpoint found and did, in log frames (pages)."""

    busy: bool
    """Another checkpoint (another process) was running; nothing was done."""
    log_frames: int
    checkpointed: int

    @property
    def complete(self) -> bool:
        return not self.busy and self.checkpointed == self.log_frames


class Checkpointer:
    """Checkpoints one database file from a thread of its own (:meth:`start`) or when called."""

    def __init__(self, path: str, *, interval_s: float = CHECKPOINT_INTERVAL_S, gate: WriteGate | None = None):
        self.path = path
        self.interval_s = interval_s
        self.gate = gate
        self.last: Checkpointed | None = None
        self.runs = 0
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hub-wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_WAIT_S)
        self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def checkpoint(self) -> Checkpointed:
        """One ``PASSIVE`` checkpoint now: copies what it can without waiting for anyone."""
        if not os.path.exists(self.path + "-wal"):  # nothing written yet: no file made here either
            self.last = Checkpointed(busy=False, log_frames=0, checkpointed=0)
            return self.last
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA wal_autocheckpoint=0")
            busy, log_frames, checkpointed = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.last = Checkpointed(bool(busy), log_frames, checkpointed)
        self.runs += 1
        return self.last

    def run_once(self) -> Checkpointed:
        """What the thread does each interval: a passive pass that copies the bulk while writers go
        on, then one more while holding a turn of the write gate, so that the log starts again."""
        first = self.checkpoint()
        if first.log_frames == 0 or self.gate is None:  # the log has started again: nothing to finish
            return first
        self.gate.acquire()
        try:
            return self.checkpoint()
        finally:
            self.gate.release()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception as exc:  # the next interval tries again; commits never depend on it
                log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
