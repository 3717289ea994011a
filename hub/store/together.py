"""Several writes of one transaction in one round trip.

On PostgreSQL the writes become data-modifying ``WITH`` clauses of the last
statement (writable CTEs): one statement, one round trip, all of them or none.
Elsewhere (SQLite, in-process, where a statement costs no round trip) they run
one after the other in the caller's transaction. The writes must touch
different rows: in a writable CTE none of them sees the others' effects.

A write may be :class:`Bound`: a statement built once with named parameters, and their values.
Its compiled form and cache key are then reused; a statement built per call is traversed and keyed
anew each time, which costs a worker more Python than the database spends on the write. When every
write and the last statement are bound, the combined statement is built once too (per set of
statements), so its key is not computed again either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Result, Table, bindparam, insert, null, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import ClauseElement, Null

Statement = Insert | Update | Delete


@dataclass(frozen=True)
class Bound:
    """A statement built once with named parameters (unique to it within a transaction's writes), and their values."""

    statement: Statement
    params: Mapping[str, Any]


Write = Statement | Bound


def execute_together(s: Session, writes: Sequence[Write], last: Write,
                     params: Mapping[str, Any] | None = None) -> Result[Any]:
    """Run ``writes`` then ``last`` in the session's transaction; the result is ``last``'s. ``params``
    are ``last``'s named parameters (the writes carry their values)."""
    final = last.statement if isinstance(last, Bound) else last
    params = {**(last.params if isinstance(last, Bound) else {}), **(params or {})}
    bound: dict[str, Any] = {}
    for w in writes:
        if isinstance(w, Bound):
            for name, value in w.params.items():
                if name in bound or name in params:
                    raise ValueError(f"two writes of one transaction share the parameter {name!r}: name them apart")
                bound[name] = value
    if writes and s.get_bind().dialect.name == "postgresql":
        statements = tuple(w.statement if isinstance(w, Bound) else w for w in writes)
        built_once = isinstance(last, Bound) and all(isinstance(w, Bound) for w in writes)
        combined = _combined(final, statements) if built_once else _combine(final, statements)
        return s.execute(combined, {**bound, **params})
    for w in writes:
        execute_write(s, w)
    return s.execute(final, params)


def execute_write(s: Session, write: Write) -> Result[Any]:
    """Run one write in the session's transaction."""
    if isinstance(write, Bound):
        return s.execute(write.statement, write.params)
    return s.execute(write)


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> Write:
    """An INSERT of ``rows``: one row through a statement built once per table and set of columns
    (parameters ``<table>__<column>``); several as a multi-row VALUES, which SQLAlchemy compiles anew
    for every call."""
    if len(rows) != 1:
        return insert(table).values(list(rows))
    row = rows[0]
    return Bound(_one_row(table, tuple(row)), {f"{table.name}__{k}": v for k, v in row.items()})


def update_row(table: Table, key: str, values: Mapping[str, Any], name: str | None = None) -> Write:
    """``UPDATE table SET values WHERE id = key`` through a statement built once per table, set of
    columns and ``name`` (the parameters' prefix: two updates of one table in one transaction's writes
    need two names). SQL ``NULL`` (``null()``) is a value like any other; another SQL expression makes
    a statement of its own."""
    prefix = name or f"set_{table.name}"
    nulls = tuple(k for k, v in values.items() if isinstance(v, Null))
    if any(isinstance(v, ClauseElement) and not isinstance(v, Null) for v in values.values()):
        return update(table).where(table.c.id == key).values(**values)
    return Bound(_one_update(table, tuple(k for k in values if k not in nulls), nulls, prefix),
                 {f"{prefix}__key": key, **{f"{prefix}__{k}": v for k, v in values.items() if k not in nulls}})


@lru_cache(maxsize=512)
def _one_update(table: Table, columns: tuple[str, ...], nulls: tuple[str, ...], prefix: str) -> Update:
    return (update(table).where(table.c.id == bindparam(f"{prefix}__key"))
            .values({**{c: bindparam(f"{prefix}__{c}", type_=table.c[c].type) for c in columns},
                     **{c: null() for c in nulls}}))


def _combine(final: Statement, writes: tuple[Statement, ...]) -> Statement:
    """``final`` with ``writes`` as its data-modifying ``WITH`` clauses."""
    return final.add_cte(*(w.cte(f"write_{i}") for i, w in enumerate(writes)))


@lru_cache(maxsize=256)
def _combined(final: Statement, writes: tuple[Statement, ...]) -> Statement:
    """:func:`_combine` for statements built once: the same statements give the same combined one
    (statements compare by identity, and the cache holds them)."""
    return _combine(final, writes)


@cache
def _one_row(table: Table, columns: tuple[str, ...]) -> Insert:
    return insert(table).values({c: bindparam(f"{table.name}__{c}", type_=table.c[c].type) for c in columns})
