"""The CRM's webhooks: native event names, the envelope, and the payloads.

Envelope (the CRM's own shape, signed per Standard Webhooks by the base)::

    {"eventType": "salesOrder.submitted", "eventId": "msg_…",
     "occurredAt": "2026-11-22T10:15:00+08:00", "tenant": "hengjia", "data": {…}}

Payloads are the same camelCase documents the REST API returns, so what
the hub receives matches what it can read back with a GET.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.crm import clock
from mocks.crm.models import Complaint, Customer, SalesOrder
from mocks.crm.schemas import ComplaintOut, CustomerOut

TENANT = "hengjia"

CUSTOMER_CREATED = "customer.created"
CUSTOMER_UPDATED = "customer.updated"
SALES_ORDER_SUBMITTED = "salesOrder.submitted"
SALES_ORDER_CANCELLED = "salesOrder.cancelled"
COMPLAINT_OPENED = "complaint.opened"

CANONICAL: dict[str, str] = {
    CUSTOMER_CREATED: "party.customer.upserted",
    CUSTOMER_UPDATED: "party.customer.upserted",
    SALES_ORDER_SUBMITTED: "sales_order.placed",
    SALES_ORDER_CANCELLED: "sales_order.cancelled",
    COMPLAINT_OPENED: "complaint.opened",
}
"""Which canonical type the hub should map each native event to (documentation; the CRM never uses it)."""


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The CRM's webhook body around ``data`` (the outbox keeps ``occurred_at`` in UTC)."""
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    return {"eventType": event_type, "eventId": event_id,
            "occurredAt": clock.local(occurred_at).isoformat(), "tenant": TENANT, "data": data}


def customer_changed(session: Session, customer: Customer, *, created: bool) -> None:
    data = CustomerOut.model_validate(customer).model_dump(mode="json")
    emit(session, CUSTOMER_CREATED if created else CUSTOMER_UPDATED, data)


def order_submitted(session: Session, order: SalesOrder) -> None:
    emit(session, SALES_ORDER_SUBMITTED, {
        "orderNo": order.order_no,
        "customerId": order.customer_id,
        "customerName": order.customer.name,
        "uscc": order.customer.uscc,
        "customerPoNo": order.customer_po_no,
        "opportunityId": order.opportunity_id,
        "currency": order.currency,
        "totalAmount": float(order.total_amount),
        "salesperson": {"userId": order.salesperson.user_id, "employeeNo": order.salesperson.employee_no,
                        "name": order.salesperson.name},
        "submittedAt": clock.local(order.submitted_at or clock.now()).isoformat(),
        "lines": [{"lineNo": line.line_no, "productCode": line.product_code, "uom": line.uom,
                   "quantity": float(line.quantity), "unitPrice": float(line.unit_price),
                   "lineAmount": float(line.line_amount),
                   "requiredDate": line.required_date.isoformat() if line.required_date else None}
                  for line in order.lines],
    })


def order_cancelled(session: Session, order: SalesOrder, previous_status: str) -> None:
    emit(session, SALES_ORDER_CANCELLED, {
        "orderNo": order.order_no, "customerId": order.customer_id, "reason": order.cancel_reason,
        "previousStatus": previous_status,
        "cancelledAt": clock.local(order.updated_at).isoformat(),
        "externalRefs": dict(order.external_refs or {}),
    })


def complaint_opened(session: Session, complaint: Complaint) -> None:
    emit(session, COMPLAINT_OPENED, ComplaintOut.model_validate(complaint).model_dump(mode="json"))
