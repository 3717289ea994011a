"""Messages to users or whole departments, each recipient with their own read/unread copy."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.oa.clock import now
from mocks.oa.models import Notification
from mocks.oa.rules import directory


def send(session: Session, *, to_user_ids: list[str], dept_id: int | None, title: str, content: str,
         link: str | None = None, biz_id: str | None = None) -> tuple[list[Notification], bool]:
    """Deliver a message; returns its per-recipient rows and whether it was new.

    Recipients are ``to_user_ids`` plus every member of ``dept_id``; at least one is
    needed. A message whose ``biz_id`` was seen before is returned, not sent again.
    """
    if biz_id is not None:
        existing = list(session.scalars(select(Notification).where(Notification.biz_id == biz_id)
                                        .order_by(Notification.notification_id)))
        if existing:
            return existing, False
    recipients: list[str] = []
    for uid in to_user_ids:
        directory.user(session, uid, field="toUserIds")
        recipients.append(uid)
    if dept_id is not None:
        directory.department(session, dept_id)
        recipients += directory.members(session, dept_id)
    recipients = list(dict.fromkeys(recipients))
    if not recipients:
        raise BusinessError("no_recipients", "name toUserIds or a deptId with members", field="toUserIds")
    return deliver(session, recipients, title, content, link, biz_id=biz_id), True


def deliver(session: Session, user_ids: list[str], title: str, content: str, link: str | None = None,
            *, biz_id: str | None = None) -> list[Notification]:
    """Store one copy per (already validated) recipient; also used by approvals and tasks."""
    msg_id = f"MSG-{uuid.uuid4().hex[:16].upper()}"
    created = now()
    rows = [Notification(msg_id=msg_id, biz_id=biz_id, user_id=uid, title=title, content=content, link=link,
                         read=False, create_time=created) for uid in dict.fromkeys(user_ids)]
    session.add_all(rows)
    session.flush()
    return rows


def list_for(session: Session, user_id: str | None = None, read: bool | None = None,
             msg_id: str | None = None) -> list[Notification]:
    q = select(Notification).order_by(Notification.notification_id.desc())
    if user_id is not None:
        q = q.where(Notification.user_id == user_id)
    if read is not None:
        q = q.where(Notification.read == read)
    if msg_id is not None:
        q = q.where(Notification.msg_id == msg_id)
    return list(session.scalars(q))


def mark_read(session: Session, notification_id: int, user_id: str) -> Notification:
    """Only the recipient reads their copy; reading twice keeps the first read time."""
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound("notification", notification_id, field="notificationId")
    if row.user_id != user_id:
        raise BusinessError("not_recipient", f"notification {notification_id} is addressed to "
                            f"{row.user_id!r}, not {user_id!r}", field="userId", status=403)
    if not row.read:
        row.read = True
        row.read_time = now()
    return row
