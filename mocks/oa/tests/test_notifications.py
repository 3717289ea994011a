"""Notifications: to users or departments, listed per user, read/unread."""

from __future__ import annotations

SALES_DEPT = 102


def _send(client, expect=201, **body):
    r = client.post("/api/notifications", json={"title": "采购订单延期", "content": "PO-2026-0001 延期 5 天", **body})
    assert r.status_code == expect, r.text
    return r.json()


def test_a_message_to_a_department_reaches_each_member_once(client):
    msg = _send(client, deptId=SALES_DEPT, toUserIds=["wangfang", "liuyang"])
    assert msg["recipientUserIds"] == ["wangfang", "liuyang", "liqiang"]
    assert msg["msgId"].startswith("MSG-")


def test_each_user_lists_their_own_notifications_read_and_unread(client):
    first = _send(client, toUserIds=["liqiang"], title="一")["notifications"][0]
    _send(client, toUserIds=["liqiang"], title="二")
    _send(client, toUserIds=["wangfang"], title="别人的")
    r = client.post(f"/api/notifications/{first['notificationId']}/read", json={"userId": "liqiang"})
    assert r.status_code == 200 and r.json()["read"] is True and r.json()["readTime"]
    inbox = client.get("/api/notifications", params={"userId": "liqiang"}).json()
    assert [(n["title"], n["read"]) for n in inbox] == [("二", False), ("一", True)]
    unread = client.get("/api/notifications", params={"userId": "liqiang", "read": False}).json()
    assert [n["title"] for n in unread] == ["二"]


def test_only_the_recipient_may_mark_a_notification_read(client):
    n = _send(client, toUserIds=["liqiang"])["notifications"][0]
    r = client.post(f"/api/notifications/{n['notificationId']}/read", json={"userId": "wangfang"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "userId"
    r = client.post("/api/notifications/99999/read", json={"userId": "liqiang"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "notificationId"


def test_a_message_needs_known_recipients(client):
    assert _send(client, expect=422, toUserIds=["ghost"])["error"]["field"] == "toUserIds"
    assert _send(client, expect=422, deptId=999)["error"]["field"] == "deptId"
    assert _send(client, expect=422)["error"]["field"] == "toUserIds"
    assert client.get("/api/notifications", params={"userId": "liqiang"}).json() == []


def test_a_message_with_a_known_biz_id_is_not_delivered_twice(client):
    first = _send(client, toUserIds=["liuyang"], bizId="purchase_order.delayed:PO-2026-0001:1")
    again = _send(client, expect=200, toUserIds=["liuyang"], bizId="purchase_order.delayed:PO-2026-0001:1")
    assert again["msgId"] == first["msgId"]
    assert len(client.get("/api/notifications", params={"userId": "liuyang"}).json()) == 1
