"""The state of a reference system: one SQLAlchemy engine, usually a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool


class CommonBase(DeclarativeBase):
    """Tables every system has beside its own: webhook outbox and idempotency keys."""


class Database:
    def __init__(self, url: str, metadatas: list[MetaData]):
        self.url = url
        self.metadatas = [CommonBase.metadata, *metadatas]
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _begin_immediate)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        for md in self.metadatas:
            md.create_all(self.engine)

    def drop_all(self) -> None:
        for md in reversed(self.metadatas):
            md.drop_all(self.engine)

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


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # transactions begin where SQLAlchemy says (below)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # Concurrent requests (the hub delivers in parallel) must not both read a document counter and
    # then both insert the same number: taking the write lock at BEGIN serialises writers.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]
"""A request's unit of work, committed before the response is sent: business changes and the events they emit commit together."""


@contextmanager
def session_scope(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def read_only_url(database_url: str) -> str:
    """``database_url`` as another process should read it: a SQLite file opened read-only (never
    created, never written), any other database as it is."""
    if not database_url.startswith("sqlite:///") or database_url in ("sqlite://", "sqlite:///:memory:"):
        return database_url
    path = Path(database_url.removeprefix("sqlite:///")).resolve()
    return f"sqlite:///file:{path}?mode=ro&uri=true"
