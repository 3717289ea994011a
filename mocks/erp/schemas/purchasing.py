"""Purchasing bodies: commitments, goods receipts, payables, budgets, requisitions."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from mocks.erp.schemas.common import Id, In, LineNo, Money, Out, PositiveMoney, Qty


class CommitmentItemIn(In):
    line_no: LineNo | None = None
    material: str = Field(examples=["300-0001"])
    qty: Qty
    unit_price: PositiveMoney
    promised_date: date | None = None


class CommitmentIn(In):
    po_number: str = Field(min_length=1, max_length=40, examples=["PO-2026-0002"],
                           description="the purchase order number (SRM's); one commitment per po_number")
    vendor_id: Id = Field(examples=[200003])
    items: list[CommitmentItemIn] = Field(min_length=1)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    order_date: date | None = None
    budget_code: str | None = Field(None, description="default: by the first material's warehouse "
                                                      "(raw materials PUR-2026-RM, finished goods PUR-2026-FG)")
    pr_refs: list[str] = Field(default_factory=list)


class CommitmentItemOut(Out):
    line_no: int
    material: str
    qty: int
    unit_price: Money
    net: Money
    promised_date: date | None
    expected_date: date | None = Field(description="the promised date, or the date the latest delay gives")
    received_qty: int
    open_qty: int


class CommitmentCloseIn(In):
    """Every receipt of a purchase order is in (canonical ``purchase_order.fully_received``)."""

    receipts: list[str] = Field(default_factory=list, description="the warehouse's receipt numbers")
    closed_on: date | None = Field(None, description="default: today")


class DelayIn(In):
    """A supplier moved a purchase-order line's delivery later (canonical ``purchase_order.delayed``)."""

    line_no: LineNo
    new_date: date = Field(description="the delivery date now; must be after the date before this delay")
    old_date: date | None = Field(None, description="the date before this delay, as the supplier states it")
    qty_affected: Qty | None = Field(None, description="default: the line's open quantity")
    reason: str | None = Field(None, max_length=300)


class DelayOut(Out):
    delay_no: str
    po_number: str
    line_no: int
    material: str
    old_date: date | None
    new_date: date
    days_late: int | None = Field(description="new_date − the line's promised date (≤ 0 while still within it)")
    qty_affected: int | None
    reason: str | None
    recorded_on: date


class CommitmentOut(Out):
    po_number: str
    vendor_id: int
    budget_code: str
    currency: str
    order_date: date
    net: Money
    tax: Money
    gross: Money
    status: str = Field(description="open | partially_received | received | closed")
    over_budget: bool = Field(description="recording it took the budget below zero")
    pr_refs: list[str]
    closed_on: date | None = Field(None, description="when the order was fully received and its commitment closed")
    closed_receipts: list[str] = Field(default_factory=list, description="the receipts the closing named")
    items: list[CommitmentItemOut]
    delays: list[DelayOut]


class GoodsReceiptItemIn(In):
    material: str = Field(examples=["300-0001"])
    qty: Qty
    line_no: LineNo | None = Field(None, description="PO line; default: the first open line of the material")
    lot: str | None = None


class GoodsReceiptIn(In):
    receipt_no: str = Field(min_length=1, max_length=60, examples=["GRN-WH01-0001"],
                            description="the warehouse's receipt number; one goods receipt per receipt_no")
    po_number: str = Field(examples=["PO-2026-0001"])
    items: list[GoodsReceiptItemIn] = Field(min_length=1)
    receipt_date: date | None = None


class GoodsReceiptOut(Out):
    gr_number: str
    receipt_no: str
    po_number: str
    vendor_id: int
    receipt_date: date
    flagged: bool = Field(description="a line was received above its open commitment")
    discrepancy: str | None
    items: list[dict[str, Any]]
    payable_no: str | None


class PayableOut(Out):
    payable_no: str
    vendor_id: int
    po_number: str
    gr_number: str
    posting_date: date
    due_date: date
    net: Money
    tax: Money
    gross: Money
    status: str = Field(description="open | on_hold (its receipt is flagged) | paid")
    hold_released_by: int | None
    paid_on: date | None
    payment_no: str | None


class PayableReleaseIn(In):
    """A finance manager clears the hold of a payable whose receipt was flagged."""

    approved_by: Id = Field(examples=[90008], description="an employee with role finance_manager")
    note: str | None = Field(None, max_length=300)


class PayablePaymentIn(In):
    """Pay one payable in full."""

    approved_by: Id = Field(examples=[90008], description="an employee with role finance_manager")
    paid_on: date | None = Field(None, description="default: today")
    bank_ref: str | None = Field(None, max_length=60, description="one payment per bank_ref (a repeat answers 200)")


class PaymentRunIn(In):
    """Pay every open payable due by ``due_by`` (optionally of one vendor)."""

    run_ref: str = Field(min_length=1, max_length=60, examples=["RUN-2026-12-W1"],
                         description="finance's reference; one run per run_ref (a repeat answers 200)")
    due_by: date = Field(description="payables due on or before this date are paid")
    approved_by: Id = Field(examples=[90008], description="an employee with role finance_manager")
    vendor_id: Id | None = None
    paid_on: date | None = Field(None, description="default: today")


class VendorPaymentOut(Out):
    payment_no: str
    payable_no: str
    vendor_id: int
    po_number: str
    gr_number: str
    amount: Money = Field(description="the payable's gross amount")
    currency: str
    paid_on: date
    approved_by: int
    bank_ref: str | None
    run_no: str | None


class PaymentRunOut(Out):
    run_no: str
    run_ref: str
    due_by: date
    paid_on: date
    vendor_id: int | None
    approved_by: int
    total: Money
    paid: list[str] = Field(description="vendor payment numbers")
    skipped: list[dict[str, Any]] = Field(description="[{payable_no, reason}]: due but on hold")


class BudgetOut(BaseModel):
    code: str
    name: str
    department: str
    amount: Money
    used: Money = Field(description="goods received against it (net)")
    committed: Money = Field(description="open purchase commitments not yet received (net)")
    available: Money = Field(description="amount − used − committed")


class RequisitionItemIn(In):
    material: str = Field(examples=["300-0002"])
    qty: Qty
    need_by: date | None = None


class RequisitionIn(In):
    items: list[RequisitionItemIn] = Field(min_length=1)
    requested_by: Id = Field(examples=[90004])
    budget_code: str | None = Field(None, examples=["PUR-2026-RM"])
    note: str | None = Field(None, max_length=300)


class RequisitionOut(Out):
    pr_number: str
    budget_code: str
    requested_by: int
    created_on: date
    estimated_amount: Money = Field(description="Σ qty × standard cost")
    budget_available: Money = Field(description="the budget's availability when it was raised")
    note: str | None
    items: list[dict[str, Any]]
