"""The SQLite write gate: one write transaction at a time per process, ingest first, workers not starved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hub.store import Database
from hub.store.write_gate import WriteGate
from tests.support.waiting import eventually


@pytest.fixture
def pool():
    with ThreadPoolExecutor(4) as p:
        yield p


def writer(gate: WriteGate, name: str, order: list[str], *, urgent: bool) -> Callable[[], None]:
    def write() -> None:
        if urgent:
            with gate.urgent():
                gate.acquire()
        else:
            gate.acquire()
        order.append(name)
        gate.release()
    return write


def queue(pool: ThreadPoolExecutor, gate: WriteGate, write: Callable[[], None],
          waiting: tuple[int, int]) -> Future[None]:
    started = pool.submit(write)
    eventually(lambda: gate.waiting == waiting, what=f"writers waiting {waiting}")
    return started


def test_an_urgent_writer_goes_before_others_that_waited_longer(pool):
    gate, order = WriteGate(timeout_s=30), []
    gate.acquire()  # a worker's transaction
    other = queue(pool, gate, writer(gate, "worker", order, urgent=False), (0, 1))
    urgent = queue(pool, gate, writer(gate, "ingest", order, urgent=True), (1, 1))
    gate.release()
    other.result(), urgent.result()
    assert order == ["ingest", "worker"]


def test_an_urgent_writer_never_goes_twice_in_a_row_while_another_waits(pool):
    gate, order = WriteGate(timeout_s=30), []
    with gate.urgent():
        gate.acquire()  # an ingest batch
    other = queue(pool, gate, writer(gate, "worker", order, urgent=False), (0, 1))
    urgent = queue(pool, gate, writer(gate, "ingest", order, urgent=True), (1, 1))
    gate.release()
    other.result(), urgent.result()
    assert order == ["worker", "ingest"]


def test_a_writer_that_never_gets_its_turn_fails_as_sqlite_does_when_locked():
    gate = WriteGate(timeout_s=0.05)
    gate.acquire()
    with pytest.raises(OperationalError, match="database is locked"):
        gate.acquire()
    assert gate.waiting == (0, 0)


@pytest.fixture
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path}/gate.db", checkpoint_interval_s=None)  # its writers alone
    with database.session() as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
    yield database
    database.dispose()


def test_a_committed_transaction_gives_the_gate_back(db):
    with db.session() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        assert _held_now(db)
    assert not _held_now(db)
    with db.read() as s:
        assert s.scalar(text("SELECT count(*) FROM t")) == 1


def test_a_rolled_back_transaction_gives_the_gate_back_and_keeps_nothing(db):
    with pytest.raises(RuntimeError), db.session() as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the unit of work failed")
    assert not _held_now(db)
    with db.read() as s:
        assert s.scalar(text("SELECT count(*) FROM t")) == 0


def test_a_connection_closed_in_its_transaction_gives_the_gate_back(db):
    conn = db.engine.connect()
    conn.execute(text("INSERT INTO t VALUES (1)"))
    assert _held_now(db)
    conn.close()
    assert not _held_now(db)


def test_writers_of_one_process_each_get_their_turn(db, pool):
    def add(n: int) -> None:
        with db.session() as s:
            s.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    list(pool.map(add, range(40)))
    with db.read() as s:
        assert s.scalar(text("SELECT count(*) FROM t")) == 40
    assert not _held_now(db)


def test_postgresql_has_no_gate():
    assert Database("postgresql+psycopg://nobody@127.0.0.1:1/none").write_gate is None


def _held_now(db: Database) -> bool:
    assert db.write_gate is not None
    return db.write_gate.held


def test_reads_do_not_wait_for_the_gate(db):
    assert db.write_gate is not None
    db.write_gate.acquire()
    try:
        done = threading.Event()

        def read() -> None:
            with db.read() as s:
                s.scalar(text("SELECT count(*) FROM t"))
            done.set()
        threading.Thread(target=read).start()
        eventually(done.is_set, what="a read while the gate is taken")
    finally:
        db.write_gate.release()
