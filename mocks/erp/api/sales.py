"""Sales and billing: ``/api/sales-orders``, ``/api/deliveries``, ``/api/invoices``, ``/api/payments``,
``/api/receivables``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.erp.api.common import ERRORS, IdQuery, created, out, outs
from mocks.erp.rules import billing, sales
from mocks.erp.schemas import (
    CreditReleaseIn,
    DeliveryIn,
    DeliveryOut,
    InvoiceOut,
    OrderStatusOut,
    PaymentIn,
    PaymentOut,
    ReceivablesOut,
    SalesOrderCancelIn,
    SalesOrderIn,
    SalesOrderOut,
)

router = APIRouter(prefix="/api", responses=ERRORS)
KEY = "`{key}` is the order's id, so_number or ext_ref."


# -------------------------------------------------------------- sales orders
@router.post("/sales-orders", tags=["sales orders"], status_code=201, summary="Enter a sales order",
             description="Prices each line from the material's list price, less the customer's discount and "
                         "5 % from 50 pieces, plus 13 % VAT; runs the credit check and emits `so.credit_checked`, "
                         "then `so.released` if it passed. One order per `ext_ref`: a repeat answers 200 with "
                         "the existing order. Unknown customer/material → 422 naming the field.")
def create_order(body: SalesOrderIn, session: SessionDep, response: Response) -> SalesOrderOut:
    order, is_new = sales.create_order(session, body)
    created(response, is_new)
    return out(SalesOrderOut, order)


@router.get("/sales-orders", tags=["sales orders"], summary="List sales orders")
def list_orders(session: SessionDep, customer_id: IdQuery = None, status: str | None = None,
                ext_ref: str | None = None) -> list[SalesOrderOut]:
    return outs(SalesOrderOut, sales.list_orders(session, customer_id=customer_id, status=status, ext_ref=ext_ref))


@router.get("/sales-orders/{key}", tags=["sales orders"], summary="One sales order", description=KEY)
def get_order(key: str, session: SessionDep) -> SalesOrderOut:
    return out(SalesOrderOut, sales.resolve_order(session, key))


@router.get("/sales-orders/{key}/status", tags=["sales orders"],
            summary="Credit, delivery, invoice and payment state (the sales_order.status query)", description=KEY)
def order_status(key: str, session: SessionDep) -> OrderStatusOut:
    return OrderStatusOut.model_validate(sales.order_status(session, key))


@router.post("/sales-orders/{key}/credit-release", tags=["sales orders"],
             summary="Release a credit-blocked order (finance manager / general manager)",
             description=KEY + " Emits `so.credit_checked` (result `released`) and `so.released`.")
def release_credit(key: str, body: CreditReleaseIn, session: SessionDep) -> SalesOrderOut:
    return out(SalesOrderOut, sales.release_credit(session, key, body))


@router.post("/sales-orders/{key}/credit-check", tags=["sales orders"],
             summary="Run the credit check of a blocked order again (e.g. after a payment)", description=KEY)
def recheck_credit(key: str, session: SessionDep) -> SalesOrderOut:
    return out(SalesOrderOut, sales.recheck_credit(session, key))


@router.post("/sales-orders/{key}/cancel", tags=["sales orders"], summary="Cancel an undelivered order",
             description=KEY + " Emits `so.cancelled`; cancelling again changes nothing.")
def cancel_order(key: str, body: SalesOrderCancelIn, session: SessionDep) -> SalesOrderOut:
    return out(SalesOrderOut, sales.cancel_order(session, key, body.reason))


# ---------------------------------------------------------------- deliveries
@router.post("/deliveries", tags=["deliveries"], status_code=201, summary="Post a shipment of a sales order",
             description="Issues the stock and posts an invoice for what was shipped (emits `invoice.posted`). "
                         "One delivery per `shipment_no`: a repeat answers 200 with the first.")
def post_delivery(body: DeliveryIn, session: SessionDep, response: Response) -> DeliveryOut:
    delivery, is_new = billing.post_delivery(session, body)
    created(response, is_new)
    return out(DeliveryOut, delivery)


@router.get("/deliveries", tags=["deliveries"], summary="List deliveries")
def list_deliveries(session: SessionDep, so_ref: str | None = None) -> list[DeliveryOut]:
    return outs(DeliveryOut, billing.list_deliveries(session, so_ref=so_ref))


@router.get("/deliveries/{key}", tags=["deliveries"], summary="One delivery, by delivery_no or shipment_no")
def get_delivery(key: str, session: SessionDep) -> DeliveryOut:
    return out(DeliveryOut, billing.get_delivery(session, key))


# ------------------------------------------------------ invoices, receivables
@router.get("/invoices", tags=["invoices"], summary="List invoices")
def list_invoices(session: SessionDep, customer_id: IdQuery = None, status: str | None = None,
                  so_ref: str | None = None) -> list[InvoiceOut]:
    return outs(InvoiceOut, billing.list_invoices(session, customer_id=customer_id, status=status, so_ref=so_ref))


@router.get("/invoices/{invoice_no}", tags=["invoices"], summary="One invoice")
def get_invoice(invoice_no: str, session: SessionDep) -> InvoiceOut:
    return out(InvoiceOut, billing.get_invoice(session, invoice_no))


@router.get("/receivables", tags=["invoices"], summary="Open receivables (open invoices), with totals")
def receivables(session: SessionDep, customer_id: IdQuery = None, overdue_only: bool = False) -> ReceivablesOut:
    data = billing.receivables(session, customer_id=customer_id, overdue_only=overdue_only)
    return ReceivablesOut(**{**data, "items": outs(InvoiceOut, data["items"])})


# ------------------------------------------------------------------ payments
@router.post("/payments", tags=["payments"], status_code=201, summary="Post a customer payment against an invoice",
             description="Reduces the receivable; more than the open amount → 422 on `amount`. Emits "
                         "`payment.posted`. One payment per `bank_ref`: a repeat answers 200 with the first.")
def post_payment(body: PaymentIn, session: SessionDep, response: Response) -> PaymentOut:
    payment, is_new = billing.post_payment(session, body)
    created(response, is_new)
    return out(PaymentOut, payment)


@router.get("/payments", tags=["payments"], summary="List payments")
def list_payments(session: SessionDep, invoice_no: str | None = None) -> list[PaymentOut]:
    return outs(PaymentOut, billing.list_payments(session, invoice_no=invoice_no))


@router.get("/payments/{payment_no}", tags=["payments"], summary="One payment")
def get_payment(payment_no: str, session: SessionDep) -> PaymentOut:
    return out(PaymentOut, billing.get_payment(session, payment_no))
