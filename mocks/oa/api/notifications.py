"""``/api/notifications``: messages to users or departments, read/unread per user."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.oa.api import ERRORS
from mocks.oa.rules import notifications
from mocks.oa.schemas import DbId, MessageOut, NotificationIn, NotificationOut, ReadIn

router = APIRouter(tags=["notifications"], responses=ERRORS)


@router.post("/api/notifications", status_code=201, response_model=MessageOut, summary="Send a message",
             description="To `toUserIds` and/or every member of `deptId`. 201 when sent; 200 with the "
                         "original when its `bizId` was sent before.")
def send(body: NotificationIn, session: SessionDep, response: Response) -> MessageOut:
    rows, created = notifications.send(session, to_user_ids=body.to_user_ids, dept_id=body.dept_id,
                                       title=body.title, content=body.content, link=body.link, biz_id=body.biz_id)
    response.status_code = 201 if created else 200
    return MessageOut.of(rows)


@router.get("/api/notifications", response_model=list[NotificationOut], summary="List notifications, newest first",
            description="`userId` gives one user's inbox; `read=false` only the unread.")
def list_notifications(session: SessionDep, userId: str | None = None,  # noqa: N803
                       read: bool | None = None, msgId: str | None = None) -> list[NotificationOut]:  # noqa: N803
    return [NotificationOut.of(n) for n in notifications.list_for(session, userId, read, msgId)]


@router.post("/api/notifications/{notificationId}/read", response_model=NotificationOut,
             summary="The recipient marks a notification read")
def mark_read(notificationId: DbId, body: ReadIn, session: SessionDep) -> NotificationOut:  # noqa: N803
    return NotificationOut.of(notifications.mark_read(session, notificationId, body.user_id))
