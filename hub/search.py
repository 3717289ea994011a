"""Find messages the way an admin thinks of them: by business key, wherever it is written.

:meth:`hub.operations.Operations.list_messages` matches the canonical subject
and ids. An admin searching for an order number must also find the message
whose translation *failed* — it has no canonical form, the number is only in
the raw body — and a customer code that is in the payload, not the subject.
So this search adds the raw body and the canonical payload (as text) to the
match, and serves the dashboard's live tail (``changed_since``).

Matching JSON as text is a sequential scan; fine for the embedded default and
moderate volumes. (A PostgreSQL trigram index on the two JSON columns is the
next step when the log grows large.)
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Select, Text, cast, or_, select

from hub.operations import DEFAULT_PAGE, MAX_PAGE, MessageFilter, _summary
from hub.store import CanonicalMessage, Database, InboundMessage
from hub.views import MessagePage, MessageSummary

TAIL_BATCH = 100


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
            items = [_summary(m, c) for m, c in rows[:limit]]
        return MessagePage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)

    def changed_since(self, f: MessageFilter, since: datetime, *, limit: int = TAIL_BATCH) -> list[MessageSummary]:
        """Messages matching ``f`` that arrived or changed state after ``since``, oldest change first."""
        q = (_filtered(f).where(InboundMessage.updated_at > since)
             .order_by(InboundMessage.updated_at, InboundMessage.id).limit(limit))
        with self.db.read() as s:
            return [_summary(m, c) for m, c in s.execute(q).all()]


def _filtered(f: MessageFilter) -> Select[tuple[InboundMessage, CanonicalMessage]]:
    q = (select(InboundMessage, CanonicalMessage)
         .outerjoin(CanonicalMessage, CanonicalMessage.id == InboundMessage.canonical_id))
    if f.type:
        q = q.where(CanonicalMessage.type == f.type)
    if f.status:
        q = q.where(InboundMessage.status == f.status)
    if f.connector:
        q = q.where(InboundMessage.connector == f.connector)
    if f.subject:
        q = q.where(CanonicalMessage.subject == f.subject)
    if f.correlation_id:
        q = q.where(CanonicalMessage.correlation_id == f.correlation_id)
    if f.q:
        term = f.q.strip()
        likes = {f"%{_escape(term)}%", f"%{_escape(json.dumps(term)[1:-1])}%"}  # also as JSON writes it (\\u4e0a…)
        conditions = [CanonicalMessage.correlation_id == term, InboundMessage.id == term,
                      InboundMessage.sender_id == term]
        for like in likes:
            conditions += [CanonicalMessage.subject.like(like, escape="\\"),
                           cast(InboundMessage.body, Text).like(like, escape="\\"),
                           cast(CanonicalMessage.data, Text).like(like, escape="\\")]
        q = q.where(or_(*conditions))
    if f.since:
        q = q.where(InboundMessage.received_at >= f.since)
    if f.until:
        q = q.where(InboundMessage.received_at < f.until)
    return q


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
