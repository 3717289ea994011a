"""The status roll-up: deliveries → their canonical message → its inbound message.

A wire tap's copies (``Delivery.tap``) are left out: whatever becomes of them,
the message's state is that of its real deliveries. One place decides what a message's state is, for the deliverer, the
translator and the operator's retries alike. Call it inside the transaction
that changed a delivery, after locking the inbound message (so two workers
finishing deliveries of one message do not overwrite each other's roll-up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.store.models import CanonicalMessage, Delivery, DeliveryStatus, InboundMessage, MessageStatus


def rolled_up(statuses: Iterable[str], *, empty: str = MessageStatus.NO_ROUTE) -> str:
    """dead > delivering > failed > rejected > delivered > no_route: the worst open or failed state wins.

    ``failed`` is a split batch's record that failed alone: the message says so once its good records
    are done, so the ``failed`` filter finds it.
    """
    found = set(statuses)
    if not found:
        return empty
    if MessageStatus.DEAD in found or DeliveryStatus.DEAD in found:
        return MessageStatus.DEAD
    if found & (set(DeliveryStatus.OPEN) | {MessageStatus.DELIVERING}):
        return MessageStatus.DELIVERING
    if MessageStatus.FAILED in found:
        return MessageStatus.FAILED
    if MessageStatus.REJECTED in found:
        return MessageStatus.REJECTED
    if MessageStatus.DELIVERED in found:
        return MessageStatus.DELIVERED
    return MessageStatus.NO_ROUTE


def rolled_up_rows(rows: Iterable[Any],
                   canonicals: Mapping[str, str | None]) -> tuple[dict[str, str], str]:
    """(status of each current canonical message, the message's status) from its real deliveries.

    ``rows`` are (canonical id, connector, operation, element, status), oldest first: a replay's
    delivery to the same operation supersedes the earlier one. ``canonicals`` are the current canonical
    messages' ids with their stored status: a failed record's stays failed (it has no delivery).
    """
    latest: dict[tuple[str, str, str, int | None], str] = {}
    for canonical_id, connector, operation, element, status in rows:
        latest[(canonical_id, connector, operation, element)] = status
    statuses = {cid: MessageStatus.FAILED if stored == MessageStatus.FAILED
                else rolled_up(st for (c, *_), st in latest.items() if c == cid)
                for cid, stored in canonicals.items()}
    return statuses, rolled_up(statuses.values())


def refresh_status(s: Session, message_id: str) -> str | None:
    """Roll each current canonical message up from its deliveries, and the inbound message from those."""
    msg = s.get(InboundMessage, message_id)
    if msg is None:
        return None
    canonicals = list(s.scalars(select(CanonicalMessage).where(CanonicalMessage.message_id == message_id,
                                                               CanonicalMessage.current)))
    if not canonicals:
        return msg.status  # failed, ignored or not translated yet: nothing to roll up
    rows = s.execute(select(Delivery.canonical_id, Delivery.connector, Delivery.operation, Delivery.element,
                            Delivery.status)
                     .where(Delivery.message_id == message_id, Delivery.tap.is_(False),
                            Delivery.canonical_id.in_([c.id for c in canonicals]))
                     .order_by(Delivery.created_at, Delivery.id)).all()
    statuses, new = rolled_up_rows(rows, {c.id: c.status for c in canonicals})
    for c in canonicals:
        c.status = statuses[c.id]
    if msg.status != new:
        msg.status = new
        msg.updated_at = datetime.now(UTC)
    return new
