"""Find messages the way an admin thinks of them: by business key, wherever it is written.

:meth:`hub.operations.Operations.list_messages` matches the canonical subject
and ids. An admin searching for an order number must also find the message
whose translation *failed* — it has no canonical form, the number is only in
the raw body — and a customer code that is in the payload, not the subject.
So this search adds the raw body and the canonical payloads to the match — as
their masked copy (``search_text``, see :mod:`hub.masking`), so a search for
part of a phone number finds nothing — and serves the dashboard's live tail
(``changed_since``).

A search is the union of what each index finds (message id, sender id,
correlation id, and ``LIKE '%term%'`` on the masked copy and the subjects,
which PostgreSQL answers from pg_trgm's trigram indexes, migrations 0014 and
0024), so a large log is not read message by message; on SQLite the ``LIKE``
reads it. The masked copy is written here too (:func:`body_texts`,
:func:`canonical_text`), in a table of its own (:class:`hub.store.SearchText`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, exists, func, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from hub.store import CanonicalMessage, Database, InboundMessage, SearchText
from hub.store.models import BODY_PART, CANONICAL_PART
from hub.store.together import Bound
from hub.views import MessagePage, MessageSummary

DEFAULT_PAGE = 50
MAX_PAGE = 500
TAIL_BATCH = 100


@dataclass(frozen=True)
class MessageFilter:
    type: str | None = None
    status: str | None = None
    connector: str | None = None
    subject: str | None = None
    correlation_id: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class MessageSearch:
    def __init__(self, db: Database):
        self.db = db

    def find(self, f: MessageFilter, *, limit: int = DEFAULT_PAGE, cursor: str | None = None) -> MessagePage:
        """Newest first; ``f.q`` is a business key, customer code, message or correlation id."""
        limit = max(1, min(limit, MAX_PAGE))
        q = _filtered(f)
        if cursor:
            q = q.where(InboundMessage.id < cursor)
        q = q.order_by(InboundMessage.id.desc()).limit(limit + 1)
        with self.db.read() as s:  # summaries are built inside: a read session expires its rows on exit
            rows = s.execute(q).all()
            items = [summary(m, c, n) for m, c, n in rows[:limit]]
        return MessagePage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)

    def changed_since(self, f: MessageFilter, since: datetime, *, limit: int = TAIL_BATCH) -> list[MessageSummary]:
        """Messages matching ``f`` that arrived or changed state after ``since``, oldest change first."""
        q = (_filtered(f).where(InboundMessage.updated_at > since)
             .order_by(InboundMessage.updated_at, InboundMessage.id).limit(limit))
        with self.db.read() as s:
            return [summary(m, c, n) for m, c, n in s.execute(q).all()]


def summary(m: InboundMessage, c: CanonicalMessage | None, count: int | None = None) -> MessageSummary:
    """One line of a list: the inbound message, described by ``c`` (its first current canonical message,
    or one of them in a trace) and how many canonical messages it gave."""
    return MessageSummary(id=m.id, connector=m.connector, native_type=m.native_type,
                          type=c.type if c else None, subject=c.subject if c else None,
                          correlation_id=c.correlation_id if c else None,
                          canonical_id=c.id if c else None, seq=c.seq if c else None,
                          canonical_count=count if count is not None else (1 if c else 0),
                          status=m.status, error=m.error, no_route=c.no_route if c else None,
                          received_at=m.received_at, updated_at=m.updated_at)


def _filtered(f: MessageFilter) -> Select[InboundMessage, CanonicalMessage, int]:
    """One row per inbound message: it, its first current canonical message, and how many it has.

    Conditions on canonical fields hold when *any* of its current canonical messages meets them
    (a split order's second part is found by its own order number).
    """
    first = aliased(CanonicalMessage)
    count = (select(func.count()).select_from(CanonicalMessage)
             .where(CanonicalMessage.message_id == InboundMessage.id, CanonicalMessage.current)
             .correlate(InboundMessage).scalar_subquery())
    q = (select(InboundMessage, first, count)
         .outerjoin(first, and_(first.message_id == InboundMessage.id, first.current, first.seq == 0)))
    canonical: list[Any] = []
    if f.type:
        canonical.append(CanonicalMessage.type == f.type)
    if f.subject:
        canonical.append(CanonicalMessage.subject == f.subject)
    if f.correlation_id:
        canonical.append(CanonicalMessage.correlation_id == f.correlation_id)
    if canonical:
        q = q.where(_any_current(*canonical))
    if f.status:
        q = q.where(InboundMessage.status == f.status)
    if f.connector:
        q = q.where(InboundMessage.connector == f.connector)
    if f.q:
        term = f.q.strip()
        likes = {f"%{_escape(term)}%", f"%{_escape(json.dumps(term, ensure_ascii=False)[1:-1])}%"}
        m, c, t = aliased(InboundMessage), aliased(CanonicalMessage), aliased(SearchText)
        found: list[Any] = [select(m.id).where(m.id == term), select(m.id).where(m.sender_id == term),
                            select(c.message_id).where(c.current, c.correlation_id == term)]
        for like in likes:  # the masked copy of body and payloads (hub.masking), never the payloads
            found.append(select(t.message_id).where(t.text.like(like, escape="\\")))
            found.append(select(c.message_id).where(c.current, c.subject.like(like, escape="\\")))
        q = q.where(InboundMessage.id.in_(union(*found)))
    if f.since:
        q = q.where(InboundMessage.received_at >= f.since)
    if f.until:
        q = q.where(InboundMessage.received_at < f.until)
    return q


def body_texts(rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The search rows of new messages' raw bodies, from (message id, masked text) pairs."""
    return [{"message_id": message_id, "part": BODY_PART, "text": text} for message_id, text in rows]


def canonical_text(dialect: str, message_id: str, text: str) -> Bound:
    """Write (or replace: a translation again) the search text of a message's current canonical payloads."""
    return Bound(_canonical_upsert(dialect), {"search__message_id": message_id, "search__text": text})


@cache
def _canonical_upsert(dialect: str) -> Any:
    table = cast(Table, SearchText.__table__)
    stmt = (sqlite_insert if dialect == "sqlite" else pg_insert)(table).values(
        message_id=bindparam("search__message_id"), part=CANONICAL_PART, text=bindparam("search__text"))
    return stmt.on_conflict_do_update(index_elements=["message_id", "part"], set_={"text": stmt.excluded.text})


def _any_current(*conditions: Any) -> Any:
    return exists().where(CanonicalMessage.message_id == InboundMessage.id, CanonicalMessage.current,
                          *conditions)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
