"""Webhooks leave MES signed, in its own envelope."""

from __future__ import annotations

import re
from datetime import datetime

from standardwebhooks.webhooks import Webhook

from mocks.mes.tests.conftest import create_order
from mocks.mes.timefmt import now_local


def test_events_are_signed_and_wrapped_in_the_mes_envelope(client, receiver, settings):
    wo = create_order(client)
    [req] = receiver.wait_for(1)
    assert req["path"] == "/webhooks/mes"
    body = Webhook(settings.secret).verify(req["body"], req["headers"])
    assert set(body) == {"EventType", "EventId", "Timestamp", "Plant", "Payload"}
    assert body["EventType"] == "WorkOrderCreated" and body["Plant"] == "SZ01"
    assert body["EventId"] == req["headers"]["webhook-id"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", body["Timestamp"])
    sent_at = datetime.strptime(body["Timestamp"], "%Y-%m-%d %H:%M:%S")
    assert abs((sent_at - now_local()).total_seconds()) < 60  # plant time (UTC+8), not UTC
    assert body["Payload"]["WorkOrderNo"] == wo["WorkOrderNo"]


def test_a_completed_order_reaches_the_hub_as_progress_and_inspection_its_completion_is_in_the_table(
        client, receiver):
    no = create_order(client)["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{no}/Reports", json={"OperationNo": 10, "GoodQty": 30, "Operator": "OP-009"})
    client.post(f"/api/WorkOrders/{no}/Reports", json={"OperationNo": 20, "GoodQty": 30, "Operator": "OP-009"})
    receiver.wait_for(5)
    bodies = receiver.bodies()
    assert [b["EventType"] for b in bodies] == [
        "WorkOrderCreated", "WorkOrderStatusChanged", "WorkOrderProgress", "WorkOrderProgress",
        "InspectionRecorded"]
    assert client.get(f"/api/WorkOrders/{no}").json()["Status"] == "Completed"
