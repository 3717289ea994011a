"""SQLite's log is checkpointed by a thread of the process, never by a commit, and stays bounded."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.store import Database
from hub.store.checkpoint import Checkpointed
from tests.support.waiting import eventually

DEFAULT_AUTOCHECKPOINT_PAGES = 1000
"""Where SQLite would have checkpointed inside a commit."""
PAGE = 4096


@pytest.fixture
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path}/hub.db", checkpoint_interval_s=None)
    with database.session() as s:
        s.execute(text("CREATE TABLE pages (n INTEGER, filler BLOB)"))
    yield database
    database.dispose()


def write_pages(db: Database, pages: int, *, start: int = 0) -> int:
    """Commit about ``pages`` pages, ten rows of a page each per transaction; return the next row number."""
    n = start
    for _ in range(pages // 10):
        with db.session() as s:
            s.execute(text("INSERT INTO pages VALUES (:n, randomblob(:size))"),
                      [{"n": n + i, "size": PAGE - 200} for i in range(10)])
        n += 10
    return n


def wal_bytes(db: Database) -> int:
    return Path(db.url.split("///", 1)[1] + "-wal").stat().st_size


def test_the_hubs_connections_never_checkpoint_when_they_commit(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    write_pages(db, 3 * DEFAULT_AUTOCHECKPOINT_PAGES)
    assert db.checkpointer is not None
    done = db.checkpointer.checkpoint()
    assert done.log_frames > 2 * DEFAULT_AUTOCHECKPOINT_PAGES, "no commit restarted the log"
    assert done.complete


def test_checkpoints_keep_the_log_as_small_as_what_is_written_between_two(db):
    assert db.checkpointer is not None
    n = write_pages(db, 500)
    db.checkpointer.checkpoint()
    after_one = wal_bytes(db)
    sizes = []
    for _ in range(10):
        n = write_pages(db, 500, start=n)
        assert db.checkpointer.checkpoint().complete
        sizes.append(wal_bytes(db))
    assert max(sizes) <= after_one * 1.5, f"the log grew: {after_one} then {sizes}"
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM pages")).scalar() == n


def test_the_files_hold_every_commit_whatever_was_checkpointed_and_a_reopened_database_too(db, tmp_path):
    assert db.checkpointer is not None
    n = write_pages(db, 300)
    db.checkpointer.checkpoint()
    n = write_pages(db, 300, start=n)  # in the log only
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-wal"):  # the files as a kill -9 would leave them
        shutil.copy(f"{tmp_path}/hub.db{suffix}", copy / f"hub.db{suffix}")
    with sqlite3.connect(copy / "hub.db") as crashed:
        assert crashed.execute("SELECT count(*), max(n) FROM pages").fetchone() == (n, n - 1)
    db.dispose()
    reopened = Database(db.url, checkpoint_interval_s=None)
    try:
        with reopened.read() as s:
            assert s.execute(text("SELECT count(*) FROM pages")).scalar() == n
    finally:
        reopened.dispose()


def test_a_database_checkpoints_from_a_thread_of_its_own(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/hub.db", checkpoint_interval_s=0.05)
    try:
        with database.session() as s:
            s.execute(text("CREATE TABLE pages (n INTEGER, filler BLOB)"))
        write_pages(database, 100)
        assert database.checkpointer is not None
        last: Checkpointed = eventually(lambda: database.checkpointer.last if database.checkpointer.last
                                        and database.checkpointer.last.log_frames else None,
                                        what="a checkpoint of the written log")
        assert last.checkpointed > 0
    finally:
        database.dispose()


def test_under_steady_writes_the_log_starts_again_once_a_checkpoint_finishes_behind_the_write_gate(db):
    """A writer that began before the log was all copied never starts it again: the last pass waits for its turn."""
    assert db.checkpointer is not None and db.write_gate is not None
    n = write_pages(db, 1000)
    in_transaction, finish = threading.Event(), threading.Event()

    def open_writer() -> None:
        with db.session() as s:
            s.execute(text("INSERT INTO pages VALUES (-1, randomblob(100))"))
            in_transaction.set()
            finish.wait()

    with ThreadPoolExecutor(2) as pool:
        writer = pool.submit(open_writer)
        in_transaction.wait()
        checkpoint = pool.submit(db.checkpointer.run_once)
        eventually(lambda: db.write_gate.waiting == (0, 1), what="the last pass waiting for its turn")
        finish.set()
        writer.result()
        assert checkpoint.result().complete
    write_pages(db, 10, start=n)
    assert db.checkpointer.checkpoint().log_frames < 100, "the next write started the log again"
