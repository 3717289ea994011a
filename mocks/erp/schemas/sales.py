"""Sales bodies: sales orders, credit, deliveries, invoices, payments, receivables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from mocks.erp.schemas.common import Id, In, Money, Out, PositiveMoney, Qty


class SalesOrderItemIn(In):
    material: str = Field(examples=["100-0001"])
    qty: Qty
    req_date: date | None = Field(None, description="requested delivery date", examples=["2026-12-15"])


class SalesOrderIn(In):
    customer_id: Id = Field(examples=[100001])
    items: list[SalesOrderItemIn] = Field(min_length=1)
    ext_ref: str | None = Field(None, max_length=60, examples=["SO-CRM-000123"],
                                description="the order number in the sending system; one ERP order per ext_ref")
    ext_system: str = Field("crm", max_length=20)
    sales_rep: str | None = Field(None, max_length=50, examples=["liqiang"])
    order_date: date | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="must be the customer's currency")


class SalesOrderItemOut(Out):
    line_no: int
    material: str
    qty: int
    req_date: date | None
    promised_date: date
    list_price: Money
    discount_pct: Decimal = Field(description="total discount of the line, in %")
    unit_price: Money = Field(description="net price per piece after discount")
    net: Money
    tax: Money
    gross: Money
    delivered_qty: int


class SalesOrderOut(Out):
    id: int
    so_number: str = Field(examples=["SO2611-00001"])
    ext_ref: str | None
    ext_system: str | None
    customer_id: int
    sales_rep: str | None
    order_date: date
    currency: str
    net: Money
    tax: Money
    gross: Money
    status: str = Field(description="blocked | released | partially_delivered | completed | cancelled")
    credit_status: str = Field(description="passed | blocked | released (manually, by credit_approver)")
    credit_reason: str | None
    credit_exposure: Money
    credit_limit: Money
    overdue_amount: Money
    credit_approver: int | None
    cancel_reason: str | None
    items: list[SalesOrderItemOut]


class CreditReleaseIn(In):
    approver: Id = Field(examples=[90008], description="employee id with role finance_manager or approver_l2")
    note: str | None = Field(None, max_length=200)


class SalesOrderCancelIn(In):
    reason: str = Field(min_length=1, max_length=200)


class CreditStatusOut(BaseModel):
    customer_id: int
    credit_limit: Money
    open_receivables: Money
    open_orders: Money
    exposure: Money = Field(description="open receivables + open (uninvoiced) released orders")
    overdue_amount: Money
    available_credit: Money
    blocked: bool
    reason: str | None


class OrderStatusOut(BaseModel):
    so_number: str
    ext_ref: str | None
    customer_id: int
    status: str
    credit_status: str
    credit_reason: str | None
    delivery_status: str = Field(description="none | partial | complete")
    ordered_qty: int
    delivered_qty: int
    shipments: list[str]
    invoice_status: str = Field(description="none | partial | complete")
    invoices: list[str]
    invoiced_gross: Money
    payment_status: str = Field(description="none (nothing invoiced) | unpaid | partial | paid")
    paid: Money
    open_amount: Money


class DeliveryItemIn(In):
    material: str = Field(examples=["100-0001"])
    qty: Qty
    lot: str | None = None


class DeliveryIn(In):
    so_ref: str = Field(examples=["SO2611-00001"], description="so_number, ext_ref or id of the sales order")
    shipment_no: str = Field(min_length=1, max_length=60, examples=["SHP-20261122-0001"],
                             description="the warehouse's shipment number; one delivery per shipment_no")
    items: list[DeliveryItemIn] = Field(min_length=1)
    ship_date: date | None = None
    carrier: str | None = None
    tracking_no: str | None = None


class DeliveryOut(Out):
    delivery_no: str
    shipment_no: str
    so_number: str
    ext_ref: str | None
    ship_date: date
    carrier: str | None
    tracking_no: str | None
    items: list[dict[str, Any]]
    invoice_no: str | None


class InvoiceOut(Out):
    invoice_no: str = Field(examples=["IV2611-00001"])
    kind: str = Field(description="sales | opening (balance carried over)")
    customer_id: int
    so_number: str | None
    ext_ref: str | None
    shipment_no: str | None
    invoice_date: date
    due_date: date
    currency: str
    net: Money
    tax: Money
    gross: Money
    paid: Money
    open_amount: Money
    status: str = Field(description="open | paid")
    overdue: bool
    items: list[dict[str, Any]]


class PaymentIn(In):
    invoice_no: str = Field(examples=["IV2611-00001"])
    amount: PositiveMoney
    received_on: date | None = None
    bank_ref: str | None = Field(None, max_length=60, description="bank statement reference; one payment per bank_ref")


class PaymentOut(Out):
    payment_no: str
    bank_ref: str | None
    invoice_no: str
    customer_id: int
    so_number: str | None
    ext_ref: str | None
    amount: Money
    received_on: date
    invoice_open_amount: Money
    invoice_status: str


class ReceivablesOut(BaseModel):
    customer_id: int | None
    open_amount: Money
    overdue_amount: Money
    items: list[InvoiceOut]
