"""SRM's webhooks: the native event names, the envelope, and one helper per event.

Body of every webhook (SRM's own shape; the base signs it per Standard Webhooks)::

    {"type": "po.issued", "eventId": "msg_…", "sentAt": "2026-11-22T02:30:00.000Z",
     "data": {"poNo": "PO20261122001", "supplierId": "SUP-0003", ...}}

Each helper queues its event in the caller's session (outbox), so the event is
committed with the change that caused it or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.srm import schemas, vocab
from mocks.srm.models import DelayNotice, PurchaseOrder, Supplier

SUPPLIER_CHANGED: Final = "supplier.changed"
"""A supplier was created or changed (qualification, rating, lead time…) → ``party.supplier.upserted``."""
PO_ISSUED: Final = "po.issued"
"""A purchase order went out to its supplier → ``purchase_order.issued``."""
PO_CONFIRMED: Final = "po.confirmed"
"""The supplier answered a PO line by line → ``purchase_order.confirmed``."""
PO_DELAYED: Final = "po.delayed"
"""The supplier moved a line's delivery date later → ``purchase_order.delayed``."""

EVENT_TYPES: Final = (SUPPLIER_CHANGED, PO_ISSUED, PO_CONFIRMED, PO_DELAYED)


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """SRM's native webhook body: ``{type, eventId, sentAt, data}``."""
    return {"type": event_type, "eventId": event_id, "sentAt": vocab.fmt_timestamp(occurred_at), "data": data}


def supplier_data(supplier: Supplier, changed_fields: list[str] | None = None) -> dict[str, Any]:
    data = schemas.SupplierOut.model_validate(supplier).model_dump(mode="json", by_alias=True)
    data["contacts"] = ([{"name": supplier.contact_name, "phone": supplier.contact_phone}]
                        if supplier.contact_name or supplier.contact_phone else [])
    data["changedFields"] = changed_fields or []
    return data


def supplier_changed(session: Session, supplier: Supplier, changed_fields: list[str] | None = None) -> str:
    return emit(session, SUPPLIER_CHANGED, supplier_data(supplier, changed_fields))


def po_issued(session: Session, po: PurchaseOrder) -> str:
    return emit(session, PO_ISSUED, {
        "poNo": po.po_no,
        "supplierId": po.supplier_id,
        "supplierName": po.supplier_name,
        "orderDate": vocab.fmt_date(po.order_date),
        "status": po.status,
        "currency": po.currency,
        "total": po.total,
        "requisitionRefs": list(po.requisition_refs),
        "externalRef": po.external_ref,
        "lines": [{"lineNo": line.line_no, "materialCode": line.material_code, "qty": line.qty,
                   "uom": line.uom, "unitPrice": line.unit_price, "amount": line.amount,
                   "promisedDate": vocab.fmt_date(line.promised_date),
                   "requisitionNo": line.requisition_no} for line in po.lines],
    })


def po_confirmed(session: Session, po: PurchaseOrder) -> str:
    return emit(session, PO_CONFIRMED, {
        "poNo": po.po_no,
        "supplierId": po.supplier_id,
        "status": po.status,
        "confirmedAt": vocab.fmt_timestamp(po.confirmed_at),
        "requisitionRefs": list(po.requisition_refs),
        "lines": [{"lineNo": line.line_no, "materialCode": line.material_code, "orderedQty": line.qty,
                   "lineStatus": line.line_status, "confirmedQty": line.confirmed_qty,
                   "confirmedDate": vocab.fmt_date(line.confirmed_date)} for line in po.lines],
    })


def po_delayed(session: Session, po: PurchaseOrder, notice: DelayNotice, material_code: str) -> str:
    return emit(session, PO_DELAYED, {
        "poNo": po.po_no,
        "supplierId": po.supplier_id,
        "lineNo": notice.line_no,
        "materialCode": material_code,
        "oldDate": vocab.fmt_date(notice.old_date),
        "newDate": vocab.fmt_date(notice.new_date),
        "qtyAffected": notice.qty_affected,
        "reason": notice.reason,
        "requisitionRefs": list(po.requisition_refs),
    })
