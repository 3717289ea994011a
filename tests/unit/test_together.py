"""Writes of one transaction in one round trip: statements built once run with their own values, alike on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub.store.together import Bound, execute_together, insert_rows, update_row

metadata = sa.MetaData()
ORDERS = sa.Table("orders", metadata, sa.Column("id", sa.String, primary_key=True), sa.Column("status", sa.String))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def session(request, tmp_path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path}/t.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def statuses(s: Session) -> dict[str, str]:
    return {row.id: row.status for row in s.execute(sa.select(ORDERS.c.id, ORDERS.c.status))}


def test_writes_built_once_run_with_their_own_values_in_one_transaction(session):
    for number in ("SO-1", "SO-2"):  # the second time the statements are reused with other values
        execute_together(session, [insert_rows(ORDERS, [{"id": number, "status": "new"}]),
                                   update_row(ORDERS, "none-such", {"status": "x"}, "other")],
                         update_row(ORDERS, "SO-0", {"status": "gone"}))
    execute_together(session, [update_row(ORDERS, "SO-1", {"status": "booked"}, "first")],
                     update_row(ORDERS, "SO-2", {"status": "shipped"}, "second"))
    session.commit()
    assert statuses(session) == {"SO-1": "booked", "SO-2": "shipped"}


def test_two_writes_that_share_a_parameter_name_are_refused_before_anything_is_written(session):
    with pytest.raises(ValueError, match="share the parameter"):
        execute_together(session, [update_row(ORDERS, "SO-1", {"status": "a"}),
                                   update_row(ORDERS, "SO-2", {"status": "b"})],
                         insert_rows(ORDERS, [{"id": "SO-3", "status": "new"}]))
    assert statuses(session) == {}


def test_an_update_sets_sql_null_through_a_statement_built_once(session):
    for number in ("SO-1", "SO-2"):
        execute_together(session, [], insert_rows(ORDERS, [{"id": number, "status": "new"}]))
    to_null = update_row(ORDERS, "SO-1", {"status": sa.null()})
    again = update_row(ORDERS, "SO-2", {"status": sa.null()})
    assert isinstance(to_null, Bound) and isinstance(again, Bound) and to_null.statement is again.statement
    execute_together(session, [to_null], update_row(ORDERS, "SO-2", {"status": "shipped"}, "other"))
    session.commit()
    assert statuses(session) == {"SO-1": None, "SO-2": "shipped"}
