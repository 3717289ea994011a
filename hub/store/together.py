"""Several writes of one transaction in one round trip.

On PostgreSQL the writes become data-modifying ``WITH`` clauses of the last
statement (writable CTEs): one statement, one round trip, all of them or none.
Elsewhere (SQLite, in-process, where a statement costs no round trip) they run
one after the other in the caller's transaction. The writes must touch
different rows: in a writable CTE none of them sees the others' effects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Result, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete, Insert, Update

Write = Insert | Update | Delete


def execute_together(s: Session, writes: Sequence[Write], last: Write,
                     params: Mapping[str, Any] | None = None) -> Result[Any]:
    """Run ``writes`` then ``last`` in the session's transaction; the result is ``last``'s. ``params``
    are ``last``'s named parameters (the writes carry their values)."""
    if writes and s.get_bind().dialect.name == "postgresql":
        return s.execute(last.add_cte(*(w.cte(f"write_{i}") for i, w in enumerate(writes))), params)
    for w in writes:
        s.execute(w)
    return s.execute(last, params)


def insert_rows(table: Any, rows: Sequence[Mapping[str, Any]]) -> Write:
    """An INSERT of ``rows``. One row is given as a single VALUES: SQLAlchemy caches that statement's
    compiled form, while a multi-row VALUES is compiled again for every call."""
    return insert(table).values(rows[0] if len(rows) == 1 else list(rows))
