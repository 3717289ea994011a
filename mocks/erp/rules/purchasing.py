"""Purchasing: commitments from purchase orders, goods receipts, payables, budgets, requisitions.

Budget arithmetic (net amounts; input VAT is recoverable and not budgeted):

- ``committed`` = Σ open (not yet received) qty × PO price of its open commitments
- ``used``      = seeded use + Σ received qty × PO price (goods receipts)
- ``available`` = amount − used − committed

A goods receipt creates a payable at the **PO price** and raises stock
value at **standard cost**; the difference is the line's ``price_variance``.
A receipt above the open commitment is accepted (the goods are there) but
*flagged*: the over-quantity and a discrepancy text are kept on it, and its
payable is put ``on_hold`` until someone clears it. A commitment is recorded
even when it overdraws its budget (the PO is already issued) and marked
``over_budget``; a new requisition that would overdraw is refused.

A supplier's **delay** is recorded against the commitment line: its expected
date becomes the new date (the promised date is kept, and the days late are
counted from it), so the buyer's view shows what is really coming when. Only
a line still open can be delayed, and only to a date after the one it had
before (the sender's ``old_date``, else the line's expected date); the same
delay again changes nothing. Paying the payables is :mod:`mocks.erp.rules.payables`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.erp import events
from mocks.erp.models import (
    Budget,
    CommitmentItem,
    Employee,
    GoodsReceipt,
    Material,
    Payable,
    PurchaseCommitment,
    PurchaseDelay,
    PurchaseRequisition,
    Vendor,
)
from mocks.erp.rules import inventory
from mocks.erp.rules.archives import get_material
from mocks.erp.rules.money import ZERO, cents, fmt, vat
from mocks.erp.rules.numbers import doc_no
from mocks.erp.schemas import CommitmentCloseIn, CommitmentIn, DelayIn, GoodsReceiptIn, RequisitionIn

DEFAULT_BUDGET_BY_WAREHOUSE = {"1000": "PUR-2026-RM", "2000": "PUR-2026-FG"}
"""Budget charged when none is named: raw materials vs. bought-in finished goods."""


# ------------------------------------------------------------------- budgets
def get_budget(session: Session, code: str, *, field_name: str | None = None) -> Budget:
    budget = session.get(Budget, code)
    if budget is None:
        if field_name:
            raise BusinessError("unknown_budget", f"budget {code!r} does not exist", field=field_name)
        raise NotFound("budget", code)
    return budget


def budget_view(session: Session, budget: Budget) -> dict[str, Any]:
    commitments = session.scalars(select(PurchaseCommitment).where(
        PurchaseCommitment.budget_code == budget.code,
        PurchaseCommitment.status.not_in(("received", "closed")))).all()
    committed = sum((cents(i.open_qty * i.unit_price) for c in commitments for i in c.items), ZERO)
    return {"code": budget.code, "name": budget.name, "department": budget.department, "amount": budget.amount,
            "used": budget.used, "committed": committed, "available": budget.amount - budget.used - committed}


def list_budgets(session: Session) -> list[dict[str, Any]]:
    return [budget_view(session, b) for b in session.scalars(select(Budget).order_by(Budget.code))]


def _budget_code(session: Session, code: str | None, first_material: Material) -> Budget:
    return get_budget(session, code or DEFAULT_BUDGET_BY_WAREHOUSE[first_material.warehouse], field_name="budget_code")


# --------------------------------------------------------------- commitments
def get_commitment(session: Session, po_number: str, *, field_name: str | None = None) -> PurchaseCommitment:
    commitment = session.scalar(select(PurchaseCommitment).where(PurchaseCommitment.po_number == po_number))
    if commitment is None:
        if field_name:
            raise BusinessError("unknown_purchase_order", f"no commitment for purchase order {po_number!r}",
                                field=field_name)
        raise NotFound("purchase commitment", po_number)
    return commitment


def record_commitment(session: Session, body: CommitmentIn) -> tuple[PurchaseCommitment, bool]:
    """Record (or, before any receipt, replace) the commitment of a purchase order; True if new."""
    vendor = session.get(Vendor, body.vendor_id)
    if vendor is None:
        raise BusinessError("unknown_vendor", f"vendor {body.vendor_id} does not exist", field="vendor_id")
    if vendor.status != "active":
        raise BusinessError("vendor_blocked", f"vendor {vendor.id} ({vendor.name}) is blocked; no purchase "
                            "commitments may be made with it", field="vendor_id")
    materials = [get_material(session, item.material, field_name=f"items.{i}.material")
                 for i, item in enumerate(body.items)]
    budget = _budget_code(session, body.budget_code, materials[0])
    lines = [(item.line_no or i + 1, item) for i, item in enumerate(body.items)]
    seen: set[int] = set()
    for i, (n, _) in enumerate(lines):
        if n in seen:
            raise BusinessError("duplicate_line_no", f"line {n} appears twice", field=f"items.{i}.line_no")
        seen.add(n)
    commitment = session.scalar(select(PurchaseCommitment).where(PurchaseCommitment.po_number == body.po_number))
    created = commitment is None
    if commitment is not None:
        same = [(i.line_no, i.material, i.qty, i.unit_price) for i in commitment.items] == \
               [(n, it.material, it.qty, it.unit_price) for n, it in lines]
        if same and commitment.vendor_id == vendor.id:
            return commitment, False
        if any(i.received_qty for i in commitment.items):
            raise BusinessError("commitment_received", f"purchase order {body.po_number} has goods receipts; "
                                "its commitment can no longer change", field="po_number", status=409)
        commitment.items.clear()
        session.flush()
    else:
        commitment = PurchaseCommitment(po_number=body.po_number)
        session.add(commitment)
    commitment.vendor_id = vendor.id
    commitment.budget_code = budget.code
    commitment.currency = body.currency
    commitment.order_date = body.order_date or date.today()
    commitment.pr_refs = list(body.pr_refs)
    commitment.status = "open"
    for n, item in lines:
        commitment.items.append(CommitmentItem(line_no=n, material=item.material, qty=item.qty,
                                               unit_price=item.unit_price, net=cents(item.qty * item.unit_price),
                                               promised_date=item.promised_date, received_qty=0))
    commitment.net = sum((i.net for i in commitment.items), ZERO)
    commitment.tax = vat(commitment.net)
    commitment.gross = commitment.net + commitment.tax
    session.flush()
    commitment.over_budget = budget_view(session, budget)["available"] < 0
    return commitment, created


def list_commitments(session: Session, *, vendor_id: int | None = None, status: str | None = None
                     ) -> list[PurchaseCommitment]:
    q = select(PurchaseCommitment).order_by(PurchaseCommitment.id)
    if vendor_id:
        q = q.where(PurchaseCommitment.vendor_id == vendor_id)
    if status:
        q = q.where(PurchaseCommitment.status == status)
    return list(session.scalars(q))


def record_delay(session: Session, po_number: str, body: DelayIn) -> tuple[PurchaseDelay, bool]:
    """Record a supplier's delay of one open line of the commitment; True if new (a repeat of the same
    line and date returns the first record)."""
    commitment = get_commitment(session, po_number)
    line = next((x for x in commitment.items if x.line_no == body.line_no), None)
    if line is None:
        raise BusinessError("not_on_purchase_order", f"purchase order {po_number} has no line {body.line_no}",
                            field="line_no")
    existing = session.scalar(select(PurchaseDelay).where(
        PurchaseDelay.commitment_id == commitment.id, PurchaseDelay.line_no == body.line_no,
        PurchaseDelay.new_date == body.new_date))
    if existing is not None:
        return existing, False
    if line.open_qty == 0:
        raise BusinessError("line_received", f"line {line.line_no} of purchase order {po_number} is fully "
                            f"received ({line.received_qty} of {line.qty}); there is nothing left to delay",
                            field="line_no")
    before = body.old_date or line.expected_date
    if before is not None and body.new_date <= before:
        raise BusinessError("not_a_delay", f"new_date {body.new_date} is not after {before}, the date of line "
                            f"{line.line_no} before this delay", field="new_date")
    if body.qty_affected is not None and body.qty_affected > line.open_qty:
        raise BusinessError("qty_above_open", f"qty_affected {body.qty_affected} exceeds the open quantity "
                            f"{line.open_qty} of line {line.line_no}", field="qty_affected")
    delay = PurchaseDelay(commitment_id=commitment.id, line_no=line.line_no, material=line.material,
                          old_date=before, new_date=body.new_date,
                          days_late=(body.new_date - line.promised_date).days if line.promised_date else None,
                          qty_affected=body.qty_affected or line.open_qty, reason=body.reason,
                          recorded_on=date.today())
    session.add(delay)
    session.flush()
    delay.delay_no = doc_no("DY", delay.recorded_on, delay.id)
    line.delayed_to = body.new_date
    session.flush()
    session.refresh(commitment)
    return delay, True


# ------------------------------------------------------------ goods receipts
def _commitment_line(commitment: PurchaseCommitment, material: str, line_no: int | None,
                     open_left: dict[int, int], i: int) -> CommitmentItem:
    if line_no is not None:
        line = next((x for x in commitment.items if x.line_no == line_no), None)
        if line is None or line.material != material:
            raise BusinessError("not_on_purchase_order", f"purchase order {commitment.po_number} has no line "
                                f"{line_no} for material {material}", field=f"items.{i}.line_no")
        return line
    lines = [x for x in commitment.items if x.material == material]
    if not lines:
        raise BusinessError("not_on_purchase_order", f"material {material!r} is not on purchase order "
                            f"{commitment.po_number}", field=f"items.{i}.material")
    return next((x for x in lines if open_left[x.id] > 0), lines[0])


def post_goods_receipt(session: Session, body: GoodsReceiptIn) -> tuple[GoodsReceipt, bool]:
    """Receive goods against a purchase order: payable, stock value, budget use; True if new."""
    existing = session.scalar(select(GoodsReceipt).where(GoodsReceipt.receipt_no == body.receipt_no))
    if existing is not None:
        return existing, False
    commitment = get_commitment(session, body.po_number, field_name="po_number")
    vendor = session.get(Vendor, commitment.vendor_id)
    assert vendor is not None
    receipt_date = body.receipt_date or date.today()
    open_left = {x.id: x.open_qty for x in commitment.items}
    lines: list[dict[str, Any]] = []
    discrepancies: list[str] = []
    value_total = ZERO
    for i, item in enumerate(body.items):
        line = _commitment_line(commitment, item.material, item.line_no, open_left, i)
        over = max(item.qty - open_left[line.id], 0)
        if over:
            discrepancies.append(f"line {line.line_no} ({line.material}): received {item.qty}, open "
                                 f"{open_left[line.id]} — {over} above the commitment")
        open_left[line.id] = max(open_left[line.id] - item.qty, 0)
        line.received_qty += item.qty
        material = session.get(Material, line.material)
        assert material is not None
        value = cents(item.qty * line.unit_price)
        stock_value = inventory.post_movement(session, material, item.qty, "goods_receipt", body.receipt_no)
        value_total += value
        lines.append({"line_no": line.line_no, "material": line.material, "qty": item.qty, "lot": item.lot,
                      "unit_price": fmt(line.unit_price), "value": fmt(value), "stock_value": fmt(stock_value),
                      "price_variance": fmt(value - stock_value), "over_qty": over})
    receipt = GoodsReceipt(receipt_no=body.receipt_no, po_number=commitment.po_number, vendor_id=vendor.id,
                           receipt_date=receipt_date, flagged=bool(discrepancies),
                           discrepancy="; ".join(discrepancies) or None, items=lines)
    session.add(receipt)
    session.flush()
    receipt.gr_number = doc_no("GR", receipt_date, receipt.id)
    tax = vat(value_total)
    payable = Payable(vendor_id=vendor.id, po_number=commitment.po_number, gr_number=receipt.gr_number,
                      posting_date=receipt_date, due_date=receipt_date + timedelta(days=vendor.payment_terms_days),
                      net=value_total, tax=tax, gross=value_total + tax,
                      status="on_hold" if receipt.flagged else "open")
    session.add(payable)
    session.flush()
    payable.payable_no = doc_no("AP", receipt_date, payable.id)
    receipt.payable_no = payable.payable_no
    get_budget(session, commitment.budget_code).used += value_total
    done = all(x.received_qty >= x.qty for x in commitment.items)
    commitment.status = "received" if done else "partially_received"
    session.flush()
    return receipt, True


def close_commitment(session: Session, po_number: str, body: CommitmentCloseIn) -> PurchaseCommitment:
    """Close a fully received commitment (idempotent); 409 ``not_fully_received`` while a line is still open
    (its last goods receipt may not be posted yet)."""
    commitment = get_commitment(session, po_number)
    if commitment.status == "closed":
        return commitment
    still_open = [f"line {x.line_no} ({x.material}): {x.open_qty} open" for x in commitment.items if x.open_qty > 0]
    if still_open:
        raise BusinessError("not_fully_received", f"{po_number} is not fully received: " + "; ".join(still_open),
                            field="po_number", status=409)
    commitment.status = "closed"
    commitment.closed_on = body.closed_on or date.today()
    commitment.closed_receipts = list(body.receipts)
    session.flush()
    return commitment


def list_goods_receipts(session: Session, *, po_number: str | None = None) -> list[GoodsReceipt]:
    q = select(GoodsReceipt).order_by(GoodsReceipt.id)
    if po_number:
        q = q.where(GoodsReceipt.po_number == po_number)
    return list(session.scalars(q))


def get_goods_receipt(session: Session, key: str) -> GoodsReceipt:
    """By ``gr_number`` or the warehouse's ``receipt_no``."""
    receipt = session.scalar(select(GoodsReceipt).where((GoodsReceipt.gr_number == key)
                                                        | (GoodsReceipt.receipt_no == key)))
    if receipt is None:
        raise NotFound("goods receipt", key)
    return receipt


def list_payables(session: Session, *, vendor_id: int | None = None, status: str | None = None) -> list[Payable]:
    q = select(Payable).order_by(Payable.id)
    if vendor_id:
        q = q.where(Payable.vendor_id == vendor_id)
    if status:
        q = q.where(Payable.status == status)
    return list(session.scalars(q))


# -------------------------------------------------------------- requisitions
def raise_requisition(session: Session, body: RequisitionIn) -> PurchaseRequisition:
    """A requisition raised in ERP, estimated at standard cost and checked against its budget."""
    if session.get(Employee, body.requested_by) is None:
        raise BusinessError("unknown_employee", f"employee {body.requested_by} does not exist", field="requested_by")
    materials = []
    for i, item in enumerate(body.items):
        material = get_material(session, item.material, field_name=f"items.{i}.material")
        if material.procurement != "external":
            raise BusinessError("not_purchased", f"material {material.material} is made in house; plan a "
                                "production order instead of a requisition", field=f"items.{i}.material")
        materials.append(material)
    budget = _budget_code(session, body.budget_code, materials[0])
    items = [{"material": m.material, "qty": it.qty, "need_by": it.need_by.isoformat() if it.need_by else None,
              "est_price": fmt(m.std_cost), "est_value": fmt(cents(it.qty * m.std_cost))}
             for m, it in zip(materials, body.items, strict=True)]
    estimate = sum((Decimal(x["est_value"]) for x in items), ZERO)
    available = budget_view(session, budget)["available"]
    if estimate > available:
        raise BusinessError("budget_exceeded", f"estimated amount {fmt(estimate)} exceeds the available "
                            f"{fmt(available)} of budget {budget.code}", field="budget_code")
    pr = PurchaseRequisition(budget_code=budget.code, requested_by=body.requested_by, created_on=date.today(),
                             estimated_amount=estimate, budget_available=available, note=body.note, items=items)
    session.add(pr)
    session.flush()
    pr.pr_number = doc_no("PR", pr.created_on, pr.id)
    session.flush()
    events.pr_created(session, pr)
    return pr


def list_requisitions(session: Session) -> list[PurchaseRequisition]:
    return list(session.scalars(select(PurchaseRequisition).order_by(PurchaseRequisition.id)))


def get_requisition(session: Session, pr_number: str) -> PurchaseRequisition:
    pr = session.scalar(select(PurchaseRequisition).where(PurchaseRequisition.pr_number == pr_number))
    if pr is None:
        raise NotFound("purchase requisition", pr_number)
    return pr
