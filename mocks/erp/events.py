"""The ERP's webhooks: native event names, the envelope, and one helper per event.

Every body is the same record the REST API returns (same field names and
formats), so a mapping written against ``GET`` output also fits the event.

=====================  ==================================  ===========================
native event           when                                 canonical type (hub)
=====================  ==================================  ===========================
``customer.saved``     customer created or changed          party.customer.upserted
``material.saved``     material created or changed          item.upserted
``vendor.saved``       vendor created or changed            party.supplier.upserted
``employee.saved``     employee created or changed          (employee replication)
``so.credit_checked``  credit check run or manual release   sales_order.credit_checked
``so.released``        order released for fulfilment        sales_order.confirmed
``so.cancelled``       order cancelled                      sales_order.cancelled
``invoice.posted``     delivery invoiced                    invoice.issued
``payment.posted``     customer payment posted              payment.received
``pr.created``         purchase requisition raised          purchase_requisition.raised
``vendor_payment.posted``  a supplier payable paid         payment.made
=====================  ==================================  ===========================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.erp import models as m
from mocks.erp import schemas as s

COMPANY_CODE = "1000"
"""The ERP's company code of Suzhou Hengjia, stamped on every webhook."""
FG_WAREHOUSE = "2000"
"""Finished-goods warehouse that released orders ship from."""

CUSTOMER_SAVED = "customer.saved"
MATERIAL_SAVED = "material.saved"
VENDOR_SAVED = "vendor.saved"
EMPLOYEE_SAVED = "employee.saved"
SO_CREDIT_CHECKED = "so.credit_checked"
SO_RELEASED = "so.released"
SO_CANCELLED = "so.cancelled"
INVOICE_POSTED = "invoice.posted"
PAYMENT_POSTED = "payment.posted"
PR_CREATED = "pr.created"
VENDOR_PAYMENT_POSTED = "vendor_payment.posted"


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The ERP's native webhook body: ``{event, event_id, ts, company_code, body}``.

    ``ts`` is unix seconds; a naive ``occurred_at`` (SQLite drops the zone) is UTC.
    """
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    return {"event": event_type, "event_id": event_id, "ts": int(occurred_at.timestamp()),
            "company_code": COMPANY_CODE, "body": data}


def _dump(schema: type[BaseModel], row: object) -> dict[str, Any]:
    return schema.model_validate(row).model_dump(mode="json")


def customer_saved(session: Session, customer: m.Customer, change: str) -> None:
    emit(session, CUSTOMER_SAVED, {**_dump(s.CustomerOut, customer), "change": change})


def material_saved(session: Session, material: m.Material, change: str) -> None:
    emit(session, MATERIAL_SAVED, {**_dump(s.MaterialOut, material), "change": change})


def vendor_saved(session: Session, vendor: m.Vendor, change: str) -> None:
    emit(session, VENDOR_SAVED, {**_dump(s.VendorOut, vendor), "change": change})


def employee_saved(session: Session, employee: m.Employee, change: str) -> None:
    emit(session, EMPLOYEE_SAVED, {**_dump(s.EmployeeOut, employee), "change": change})


def credit_checked(session: Session, order: m.SalesOrder) -> None:
    out = _dump(s.SalesOrderOut, order)
    emit(session, SO_CREDIT_CHECKED, {
        "so_number": order.so_number, "id": order.id, "ext_ref": order.ext_ref,
        "ext_system": order.ext_system, "customer_id": order.customer_id,
        "order_date": out["order_date"], "currency": order.currency, "gross": out["gross"],
        "exposure": out["credit_exposure"], "credit_limit": out["credit_limit"],
        "overdue_amount": out["overdue_amount"], "result": order.credit_status,
        "reason": order.credit_reason, "approver": order.credit_approver,
    })


def so_released(session: Session, order: m.SalesOrder) -> None:
    out = _dump(s.SalesOrderOut, order)
    emit(session, SO_RELEASED, {
        "so_number": order.so_number, "id": order.id, "ext_ref": order.ext_ref,
        "ext_system": order.ext_system, "customer_id": order.customer_id,
        "order_date": out["order_date"], "sales_rep": order.sales_rep, "warehouse": FG_WAREHOUSE,
        "currency": order.currency, "net": out["net"], "tax": out["tax"], "gross": out["gross"],
        "items": [{k: line[k] for k in ("line_no", "material", "qty", "req_date", "promised_date",
                                         "unit_price", "net")} for line in out["items"]],
    })


def so_cancelled(session: Session, order: m.SalesOrder) -> None:
    emit(session, SO_CANCELLED, {"so_number": order.so_number, "id": order.id, "ext_ref": order.ext_ref,
                                 "customer_id": order.customer_id, "reason": order.cancel_reason})


def invoice_posted(session: Session, invoice: m.Invoice) -> None:
    emit(session, INVOICE_POSTED, _dump(s.InvoiceOut, invoice))


def payment_posted(session: Session, payment: m.Payment) -> None:
    emit(session, PAYMENT_POSTED, _dump(s.PaymentOut, payment))


def pr_created(session: Session, requisition: m.PurchaseRequisition) -> None:
    emit(session, PR_CREATED, {**_dump(s.RequisitionOut, requisition), "origin": "erp"})


def vendor_payment_posted(session: Session, payment: m.VendorPayment) -> None:
    emit(session, VENDOR_PAYMENT_POSTED, _dump(s.VendorPaymentOut, payment))
