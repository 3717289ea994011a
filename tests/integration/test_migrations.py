"""Messages stored before a migration read the same after it, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hub.search import MessageFilter, MessageSearch
from hub.store import Database
from hub.store.migrate import upgrade

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path) -> Iterator[Database]:
    """An empty database of each kind; the test migrates it."""
    url = f"sqlite:///{tmp_path}/old.db" if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_url) -> Iterator[Database]:
    database = Database(str(pg_url))
    yield database
    database.dispose()


def store_message(c: sa.Connection, **more: object) -> None:
    """Message ``m1`` of the shop as a revision stored it: ``more`` are the columns of that revision."""
    columns = {"id": "m1", "connector": "shop", "sender_id": "s1", "mode": "webhook", "headers": "{}", "body": "{}",
               "received_at": NOW, "updated_at": NOW, "status": "delivered", **more}
    c.execute(sa.text(f"INSERT INTO inbound_messages ({', '.join(columns)}) "
                      f"VALUES ({', '.join(':' + name for name in columns)})"), columns)


def test_one_canonical_message_per_inbound_message_becomes_the_first_of_its_sequence(db):
    upgrade(db, "0005")
    with db.engine.begin() as c:
        store_message(c, canonical_id="c2", translations=2)
        for cid in ("c1", "c2"):  # c1: an earlier translation, replaced by c2
            c.execute(sa.text(
                "INSERT INTO canonical_messages (id, message_id, type, source, subject, time, dataschema, "
                "correlation_id, data, created_at) VALUES (:id, 'm1', 'doc.created', '/connectors/shop', "
                "'D-1', :t, '/schemas/doc.created/1', 'corr-1', '{}', :t)"), {"id": cid, "t": NOW})
        c.execute(sa.text(
            "INSERT INTO deliveries (id, message_id, canonical_id, connector, operation, status, attempts, "
            "rounds, next_attempt_at, created_at, updated_at) VALUES ('d1', 'm1', 'c2', 'ledger', 'book', "
            "'delivered', 1, 0, :t, :t, :t)"), {"t": NOW})
    upgrade(db)
    with db.engine.connect() as c:
        rows = c.execute(sa.text("SELECT id, seq, current, status FROM canonical_messages ORDER BY id")).all()
        assert [(r.id, r.seq, bool(r.current), r.status) for r in rows] == [
            ("c1", 0, False, "superseded"), ("c2", 0, True, "delivered")]
        assert c.execute(sa.text("SELECT correlation_id FROM deliveries")).scalar() == "corr-1"
        columns = {col["name"] for col in sa.inspect(c).get_columns("inbound_messages")}
        assert "canonical_id" not in columns


def test_a_reconciliation_left_running_before_the_upgrade_has_its_lease_over_so_it_is_interrupted(db):
    upgrade(db, "0016")
    with db.engine.begin() as c:
        for run_id, status in (("r-running", "running"), ("r-ok", "ok")):
            c.execute(sa.text(
                "INSERT INTO reconcile_runs (id, started_at, trigger, status, mismatches, summary) "
                "VALUES (:id, :t, 'sweeper', :status, 0, '[]')"), {"id": run_id, "t": NOW, "status": status})
    upgrade(db)
    with db.engine.connect() as c:
        rows = c.execute(sa.text("SELECT id, lease_until FROM reconcile_runs ORDER BY id")).all()
    leases = {r.id: r.lease_until for r in rows}
    assert leases["r-ok"] is None and leases["r-running"] is not None


def test_a_message_stored_before_the_search_texts_moved_is_still_found_by_what_its_copy_held(db):
    upgrade(db, "0023")
    with db.engine.begin() as c:
        store_message(c, translations=1, search_text='[{"order": "SO-77"}, {"customer": "C-9"}]')
    upgrade(db)
    search = MessageSearch(db)
    assert [m.id for m in search.find(MessageFilter(q="SO-77")).items] == ["m1"]
    assert [m.id for m in search.find(MessageFilter(q="C-9")).items] == ["m1"]
    assert search.find(MessageFilter(q="SO-78")).items == []
    with db.engine.connect() as c:
        columns = {col["name"] for col in sa.inspect(c).get_columns("inbound_messages")}
    assert "search_text" not in columns


def test_on_postgres_only_the_search_texts_carry_a_trigram_index_so_a_state_change_reindexes_no_text(pg_db):
    """A message's row is updated at each step; a trigram index on it would take every trigram of the
    text again at each update that moves an indexed column (its status)."""
    upgrade(pg_db)
    with pg_db.engine.connect() as c:
        gin = dict(c.execute(sa.text(
            "SELECT i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am a ON a.oid = i.relam "
            "WHERE a.amname = 'gin' AND t.relname IN ('inbound_messages', 'search_texts')")).all())
    assert gin == {"ix_search_texts_trgm": "search_texts"}


MESSAGE_PATH_TABLES = ("inbound_messages", "canonical_messages", "deliveries", "attempts", "search_texts")


def test_no_index_of_the_message_path_is_the_beginning_of_another_of_its_table(db):
    """Every write that moves an indexed column pays for each index: one whose columns begin another
    index (or the primary key, or a unique constraint) answers nothing the longer one does not."""
    upgrade(db)
    with db.engine.connect() as c:
        inspector = sa.inspect(c)
        redundant = []
        for table in MESSAGE_PATH_TABLES:
            ordered = [(i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)
                       if i.get("dialect_options", {}).get("postgresql_using", "btree") == "btree"]
            covering = ordered + [(u["name"], tuple(u["column_names"]))
                                  for u in inspector.get_unique_constraints(table)]
            covering.append(("primary key", tuple(inspector.get_pk_constraint(table)["constrained_columns"])))
            redundant += [f"{table}.{name} {columns} begins {other}" for name, columns in ordered
                          for other, longer in covering
                          if other != name and len(longer) > len(columns) and longer[:len(columns)] == columns]
    assert redundant == []
