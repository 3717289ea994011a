"""The WMS's webhook topics, its envelope, and one helper per topic.

Stock changes are not among them: the WMS books them in its ledger
(:class:`~mocks.wms.models.StockChange`), which the hub polls.

Every webhook body is ``{"topic", "msgId", "ts", "whse", "data"}``: ``ts`` in
epoch milliseconds, ``whse`` the warehouse the event is about (``ALL`` when
it spans several). Helpers take ORM rows and shape ``data`` in the WMS's own
keys; the hub's mappings turn them into canonical messages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.wms.models import Receipt, Shipment

BELOW_SAFETY = "stock/below-safety"
RECEIPT_COMPLETED = "receipt/completed"
SHIPMENT_DISPATCHED = "shipment/dispatched"

CANONICAL: dict[str, str] = {
    BELOW_SAFETY: "inventory.below_safety_stock",
    RECEIPT_COMPLETED: "goods.received",
    SHIPMENT_DISPATCHED: "shipment.dispatched",
}
"""Native topic → the canonical type the hub maps it to (documentation and tests)."""


def to_ms(at: datetime) -> int:
    """Epoch milliseconds; a naive datetime (SQLite drops the offset) is UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp() * 1000)


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The WMS's native webhook body."""
    return {"topic": event_type, "msgId": event_id, "ts": to_ms(occurred_at),
            "whse": data.get("wh") or "ALL", "data": data}


def below_safety(session: Session, data: dict[str, Any]) -> str:
    """``data``: sku, wh, available, safety, shortfall, suggested, subs[], ts."""
    return emit(session, BELOW_SAFETY, data)


def receipt_completed(session: Session, rcv: Receipt) -> str:
    return emit(session, RECEIPT_COMPLETED, {
        "rcv": rcv.rcv, "asn": rcv.asn, "ref": rcv.ref, "supplier": rcv.supplier, "wh": rcv.wh,
        "status": rcv.status, "ts": rcv.ts,
        "lines": [{"ln": ln.ln, "sku": ln.sku, "exp": ln.exp, "qty": ln.qty, "lot": ln.lot,
                   "loc": ln.loc, "discrepancy": ln.discrepancy} for ln in rcv.lines],
    })


def shipment_dispatched(session: Session, shp: Shipment) -> str:
    return emit(session, SHIPMENT_DISPATCHED, {
        "shp": shp.shp, "ob": shp.ob, "ref": shp.ref, "cust": shp.cust, "wh": shp.wh,
        "carrier": shp.carrier, "waybill": shp.waybill, "ts": shp.ts,
        "lines": [{"ln": ln.ln, "sku": ln.sku, "qty": ln.qty, "lot": ln.lot} for ln in shp.lines],
    })
