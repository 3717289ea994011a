"""One SQLite write transaction at a time per process, queued in Python, ingest first.

SQLite has one write lock per database. Without this gate every thread of ``hub up`` that wants
it (ingest, sixteen worker threads, the sweeper) sends ``BEGIN IMMEDIATE`` and, when it is taken,
sleeps in SQLite's busy handler and polls again: whoever polls at the right moment wins, and an
accepted webhook could wait seconds behind the workers. The gate queues the writers of this
process instead and hands the lock over the moment it is released, to an urgent writer (the
ingest batch, :mod:`hub.ingest_batch`) before the others — but never twice in a row while another
writer waits, so the workers keep delivering under a flood of webhooks. Writers in other
processes still meet SQLite's busy timeout, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

HOLDS_GATE = "hub_holds_write_gate"
"""Key in a pooled connection's ``info``: that connection's transaction holds the gate."""


class WriteGate:
    """A lock with two queues: urgent writers go first, others get every other turn when both wait."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self._cond = threading.Condition()
        self._held = False
        self._urgent_waiting = 0
        self._others_waiting = 0
        self._last_was_urgent = False
        self._local = threading.local()

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Transactions begun by this thread inside the block are urgent ones."""
        before = getattr(self._local, "urgent", False)
        self._local.urgent = True
        try:
            yield
        finally:
            self._local.urgent = before

    @property
    def held(self) -> bool:
        """Whether a write transaction of this process has the turn now."""
        with self._cond:
            return self._held

    @property
    def waiting(self) -> tuple[int, int]:
        """Writers waiting for their turn: (urgent, others)."""
        with self._cond:
            return self._urgent_waiting, self._others_waiting

    def acquire(self) -> None:
        urgent = getattr(self._local, "urgent", False)
        with self._cond:
            if urgent:
                self._urgent_waiting += 1
            else:
                self._others_waiting += 1
            try:
                if not self._cond.wait_for(lambda: self._may_enter(urgent), timeout=self.timeout_s):
                    raise OperationalError("BEGIN IMMEDIATE", None, _Locked(
                        f"database is locked: no write turn within {self.timeout_s:g} s"))
            finally:
                if urgent:
                    self._urgent_waiting -= 1
                else:
                    self._others_waiting -= 1
            self._held = True
            self._last_was_urgent = urgent

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()

    def _may_enter(self, urgent: bool) -> bool:
        if self._held:
            return False
        if urgent:
            return not (self._last_was_urgent and self._others_waiting)
        return not self._urgent_waiting or self._last_was_urgent

    def install(self, engine: Engine) -> None:
        """Take the gate when a transaction of ``engine`` begins, give it back when it ends.

        Must be installed before the listener that sends ``BEGIN IMMEDIATE``, which it guards.
        """
        event.listen(engine, "begin", self._on_begin)
        event.listen(engine, "commit", self._on_commit)
        event.listen(engine, "rollback", self._on_rollback)
        # a connection returned to the pool, or dropped, without commit or rollback through the Connection
        event.listen(engine.pool, "checkin", self._on_pool_release)
        event.listen(engine.pool, "invalidate", self._on_pool_release)

    def _on_begin(self, conn: Any) -> None:
        if not conn.info.get(HOLDS_GATE):
            self.acquire()
            conn.info[HOLDS_GATE] = True

    def _on_commit(self, conn: Any) -> None:
        # The event comes before the driver's commit: commit here, so the next writer's BEGIN
        # IMMEDIATE never meets the lock still held and sleeps in SQLite's busy handler. The
        # driver's own commit then finds no transaction open and does nothing. A commit that
        # fails is rolled back here (SQLAlchemy would not: it deems the transaction over), so
        # nothing of it stays pending on the pooled connection, and raised as SQLAlchemy does.
        if conn.info.get(HOLDS_GATE):
            self._end(conn, "COMMIT", conn.connection.dbapi_connection.commit)

    def _on_rollback(self, conn: Any) -> None:
        if conn.info.get(HOLDS_GATE):
            self._end(conn, "ROLLBACK", conn.connection.dbapi_connection.rollback)

    def _end(self, conn: Any, what: str, end: Callable[[], None]) -> None:
        try:
            end()
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                conn.connection.dbapi_connection.rollback()
            raise DBAPIError.instance(what, None, exc, sqlite3.Error) from exc
        finally:
            conn.info.pop(HOLDS_GATE, None)
            self.release()

    def _on_pool_release(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        if record is not None and record.info.pop(HOLDS_GATE, False):
            self.release()


class _Locked(Exception):
    """What a writer that never got its turn reports (as SQLite's own ``database is locked``)."""
