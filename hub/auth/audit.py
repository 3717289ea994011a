"""The audit log: who did what, when, through which face — written after each operator action.

An entry is written once the action has happened. If writing it fails the
failure is logged loudly, but the action is not undone: it already took place,
and pretending otherwise would mislead the operator.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from hub.auth.views import AuditPage, AuditView
from hub.errors import NotFound
from hub.ids import new_id
from hub.store import Database
from hub.store.models import AuditEntry

log = logging.getLogger("hub.audit")

DEFAULT_PAGE = 50
MAX_PAGE = 500


class AuditLog:
    def __init__(self, db: Database):
        self.db = db

    def record(self, actor: str, action: str, target: str | None = None, *, via: str,
               detail: dict[str, Any] | None = None) -> str | None:
        """Append one entry; returns its id (None if the write failed — logged, never raised)."""
        entry = AuditEntry(id=new_id(), at=datetime.now(UTC), actor=actor[:100], action=action[:50],
                           target=target[:255] if target else None, via=via, detail=detail)
        try:
            with self.db.session() as s:
                s.add(entry)
        except Exception:
            log.exception("could not write the audit entry %s %s %s", actor, action, target)
            return None
        log.info("audit: %s %s %s (%s)", actor, action, target or "", via)
        return entry.id

    def list(self, *, actor: str | None = None, action: str | None = None, limit: int = DEFAULT_PAGE,
             cursor: str | None = None) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        q = select(AuditEntry)
        if actor:
            q = q.where(AuditEntry.actor == actor)
        if action:
            q = q.where(AuditEntry.action.like(f"{action}%"))
        if cursor:
            q = q.where(AuditEntry.id < cursor)
        with self.db.session() as s:
            rows = list(s.scalars(q.order_by(AuditEntry.id.desc()).limit(limit + 1)))
        items = [_view(e) for e in rows[:limit]]
        return AuditPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)

    def get(self, entry_id: str) -> AuditView:
        with self.db.session() as s:
            e = s.get(AuditEntry, entry_id)
            if e is None:
                raise NotFound(f"no audit entry {entry_id}")
            return _view(e)


def _view(e: AuditEntry) -> AuditView:
    return AuditView(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, via=e.via,
                     detail=e.detail)
