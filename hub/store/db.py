"""The database handle: one engine and session factory, SQLite or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, Row, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Executable
from tenacity import (
    RetryCallState,
    Retrying,
    retry,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from hub import safejson
from hub.errors import HubError
from hub.store.checkpoint import CHECKPOINT_INTERVAL_S, WAL_SIZE_LIMIT_BYTES, Checkpointer
from hub.store.write_gate import WriteGate

T = TypeVar("T")
P = ParamSpec("P")

log = logging.getLogger("hub.store")

SQLITE_BUSY_TIMEOUT_S = 30
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20
"""Pool bounds (also of a SQLite file's engines: its connections cost a file handle each)."""
DATABASE_WAIT_S = 60.0
"""How long a process that starts waits for its database to answer before it gives up."""
DISCONNECT_TRIES = 3
"""A unit of work that met a dead pooled connection runs again this often in all (the pool renews its connections)."""


def _is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def retry_on_disconnect(fn: Callable[P, T]) -> Callable[P, T]:
    """Run ``fn`` (one whole unit of work, nothing else) again when its connection turns out to be dead.

    The pool does not ping a connection at each checkout (a round trip per transaction); a
    connection the server dropped fails at its first statement instead, SQLAlchemy invalidates the
    pool's older connections, and the unit of work runs again on a new one.
    """
    return retry(retry=retry_if_exception(_is_disconnect), stop=stop_after_attempt(DISCONNECT_TRIES),
                 wait=wait_random(0, 0.2), reraise=True)(fn)


class Database:
    def __init__(self, url: str, *, pool_size: int = PG_POOL_SIZE,
                 checkpoint_interval_s: float | None = CHECKPOINT_INTERVAL_S):
        """``checkpoint_interval_s``: how often a SQLite file's log is checkpointed by a thread of
        this process (:mod:`hub.store.checkpoint`); ``None`` starts no thread (call
        ``checkpointer.run_once()``)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.checkpointer: Checkpointer | None = None
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # As many pooled connections as threads that write: a webhook's batch must never wait
            # for a connection that a delivering thread holds while it is not writing.
            pooled = ({"pool_size": max(pool_size, PG_POOL_SIZE), "max_overflow": PG_MAX_OVERFLOW}
                      if path and path != ":memory:" else {})
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
                json_serializer=safejson.dumps, **pooled)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.write_gate: WriteGate | None = WriteGate(SQLITE_BUSY_TIMEOUT_S)
            self.write_gate.install(self.engine)  # before BEGIN IMMEDIATE, which it guards
            if path and path != ":memory:":
                self.checkpointer = Checkpointer(path, interval_s=checkpoint_interval_s or CHECKPOINT_INTERVAL_S,
                                                 gate=self.write_gate)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
            # Reads that may happen while this thread holds the write lock (cross-reference lookups
            # inside a translation) go through a second engine whose transactions do not take it.
            self.read_engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
                json_serializer=safejson.dumps, **pooled)
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_size=max(pool_size, PG_POOL_SIZE), max_overflow=PG_MAX_OVERFLOW,
                                        json_serializer=safejson.dumps)
            self.read_engine = self.engine
            self.write_gate = None  # PostgreSQL locks rows, not the database
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        if self.checkpointer is not None and checkpoint_interval_s is not None:
            self.checkpointer.start()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def execute_alone(self, statement: Executable, params: Mapping[str, Any]) -> list[Row[Any]]:
        """One write statement in a transaction of its own; the rows it returns. On PostgreSQL the
        statement commits by itself (autocommit), so it costs one round trip, not three with BEGIN and
        COMMIT; on SQLite it takes the write lock like any transaction."""
        if self.is_sqlite:
            with self.session() as s:
                return list(s.execute(statement, params))
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return list(conn.execute(statement, params))

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Write transactions begun in this block go ahead of the workers' on SQLite (ingest)."""
        if self.write_gate is None:
            yield
        else:
            with self.write_gate.urgent():
                yield

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only look at committed data that never waits for, or takes, the write lock."""
        with self.read_sessions() as session:
            yield session
            session.rollback()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def wait_until_up(self, wait_s: float = DATABASE_WAIT_S) -> None:
        """Return once the database answers. A process may start before its database, or while it
        restarts: it waits (saying so once) instead of dying; after ``wait_s`` of refusals, a
        :class:`~hub.errors.HubError` that names the database and the last reason."""
        def waiting(state: RetryCallState) -> None:
            if state.attempt_number == 1:
                log.warning("waiting for the database at %s: %s", self.safe_url, _reason(state))
        try:
            for attempt in Retrying(retry=retry_if_exception_type(OperationalError), stop=stop_after_delay(wait_s),
                                    wait=wait_exponential(multiplier=0.1, max=2.0), before_sleep=waiting,
                                    reraise=True):
                with attempt:
                    self.ping()
        except OperationalError as exc:
            raise HubError(f"the database at {self.safe_url} did not answer within {wait_s:g} s: "
                           f"{str(exc.orig).splitlines()[0] if exc.orig else exc}") from None

    @property
    def safe_url(self) -> str:
        """The database URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # No commit checkpoints the log: a thread of the process does (hub.store.checkpoint).
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # Take the write lock at BEGIN: concurrent writers then wait on busy_timeout instead of
    # failing with "database is locked" when a read transaction tries to upgrade. Writers of
    # this process queue for their turn first (hub.store.write_gate).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def required(session: Session, model: type[T], key: Any, *, for_update: bool = False) -> T:
    """The row ``key`` of ``model``, which the caller knows exists (it claimed or created it):
    a missing one is a broken invariant, raised as LookupError rather than met as None later."""
    row = session.get(model, key, with_for_update=for_update)
    if row is None:
        raise LookupError(f"no {model.__name__} {key!r}")
    return row


def _reason(state: RetryCallState) -> str:
    """The first line of what the last attempt to reach the database met."""
    exc = state.outcome.exception() if state.outcome else None
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if orig else "no answer"
