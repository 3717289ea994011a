"""Find the call an inbound event echoes: the store's side of :mod:`hub.pipeline.echo`.

Only a connector that both sends and receives a canonical type (:meth:`hub.registry.Registry.two_way`)
can echo it, so only those translations look; they read the recent calls the hub made to the sender
for that type (their bodies are stored with the claim, before the call: an echo can arrive before
the call's answer) and ask whether the event reports one of them, newest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from hub.pipeline.echo import Echo, reports
from hub.registry import Registry
from hub.store import Delivery, InboundMessage
from hub.store.models import DeliveryStatus

D = cast(Table, Delivery.__table__)
I = cast(Table, InboundMessage.__table__)  # noqa: E741

WINDOW = timedelta(minutes=10)
"""An event echoes a call the hub made to its sender at most this long before (a system reports a
change within seconds; a later event about the same record is news)."""
CANDIDATES = 200
"""The most recent calls looked at (the sender's calls of that type within the window)."""
CALLED = (DeliveryStatus.IN_FLIGHT, DeliveryStatus.DELIVERED, DeliveryStatus.RETRYING, DeliveryStatus.DEAD)
"""Deliveries whose call may have reached the target (a rejected one was not applied)."""


def find_echo(s: Session, registry: Registry, connector: str, canonical_type: str, event: Any,
              now: datetime) -> Echo | None:
    """The call to ``connector`` that ``event`` (its native body, becoming ``canonical_type``) reports back."""
    if not registry.two_way(connector, canonical_type):
        return None
    operations = {r.operation_name for r in registry.routes_for(canonical_type)
                  if r.connector == connector and r.operation is not None}
    operations |= {name for r in registry.routes_for(canonical_type) if r.connector == connector
                   for name in r.choices}
    calls = s.execute(
        select(D.c.id, D.c.message_id, D.c.request, I.c.connector.label("origin"))
        .join(I, I.c.id == D.c.message_id)
        .where(D.c.connector == connector, D.c.created_at >= now - WINDOW, D.c.operation.in_(operations),
               D.c.status.in_(CALLED), D.c.request.is_not(None), ~D.c.tap)
        .order_by(D.c.created_at.desc()).limit(CANDIDATES)).all()
    for call in calls:
        if isinstance(call.request, dict) and reports(event, call.request.get("body")):
            return Echo(delivery_id=call.id, message_id=call.message_id, origin=call.origin)
    return None
