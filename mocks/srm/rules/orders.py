"""The purchase order lifecycle.

::

    ISSUED ──confirm──▶ CONFIRMED | CHANGED | REJECTED
    CONFIRMED | CHANGED | PARTIALLY_RECEIVED ──receipt──▶ PARTIALLY_RECEIVED | RECEIVED
    RECEIVED | PARTIALLY_RECEIVED | REJECTED ──close──▶ CLOSED

Any other move is refused with 409. Delay notices are taken while goods are
still expected (CONFIRMED, CHANGED, PARTIALLY_RECEIVED). POs are numbered
``PO`` + yyyymmdd + 3 digits; orders are only ever issued to APPROVED suppliers.
A receipt updates the supplier's rating: +0.1 when on time, −0.3 when late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.srm import events, schemas, vocab
from mocks.srm.models import DelayNotice, PoLine, PurchaseOrder, Receipt, Supplier
from mocks.srm.rules.common import get_po, material_ref, supplier_ref, today
from mocks.srm.rules.suppliers import change_rating, lead_time_days, valid_price

ALLOWED_FROM: Final[dict[str, tuple[str, ...]]] = {
    "confirm": (vocab.ISSUED,),
    "delay": (vocab.CONFIRMED, vocab.CHANGED, vocab.PARTIALLY_RECEIVED),
    "receive": (vocab.CONFIRMED, vocab.CHANGED, vocab.PARTIALLY_RECEIVED),
    "close": (vocab.RECEIVED, vocab.PARTIALLY_RECEIVED, vocab.REJECTED),
}
"""Which PO statuses each action may start from."""
ON_TIME_RATING_DELTA: Final = 0.1
LATE_RATING_DELTA: Final = -0.3


@dataclass(frozen=True)
class NewLine:
    """A PO line to issue (already validated)."""

    material_code: str
    qty: float
    unit_price: float
    promised_date: date
    requisition_no: str | None = None


def list_pos(session: Session, *, status: str | None = None, supplier_id: str | None = None,
             requisition_no: str | None = None) -> list[PurchaseOrder]:
    q = select(PurchaseOrder).order_by(PurchaseOrder.po_no)
    if status:
        q = q.where(PurchaseOrder.status == status.upper())
    if supplier_id:
        q = q.where(PurchaseOrder.supplier_id == supplier_id)
    pos = list(session.scalars(q))
    if requisition_no:
        pos = [po for po in pos if requisition_no in po.requisition_refs]
    return pos


def _require(po: PurchaseOrder, action: str) -> None:
    allowed = ALLOWED_FROM[action]
    if po.status not in allowed:
        raise BusinessError("illegal_transition",
                            f"purchase order {po.po_no} is {po.status}; {action} needs {' or '.join(allowed)}",
                            field="status", status=409)


def require_orderable(supplier: Supplier, field: str = "supplierId") -> None:
    """Orders go to APPROVED suppliers only."""
    if supplier.status == vocab.BLOCKED:
        raise BusinessError("supplier_blocked",
                            f"supplier {supplier.id} is BLOCKED: no purchase order may be issued to a blocked supplier",
                            field=field)
    if supplier.status != vocab.APPROVED:
        raise BusinessError("supplier_not_approved",
                            f"supplier {supplier.id} is {supplier.status}: purchase orders need an APPROVED supplier",
                            field=field)


def next_po_no(session: Session, on: date) -> str:
    prefix = f"PO{on:%Y%m%d}"
    last = session.scalar(select(PurchaseOrder.po_no).where(PurchaseOrder.po_no.like(f"{prefix}%"))
                          .order_by(PurchaseOrder.po_no.desc()).limit(1))
    seq = int(last[len(prefix):]) + 1 if last else 1
    if seq > 999:
        raise BusinessError("po_numbers_exhausted", f"all 999 PO numbers of {on:%Y/%m/%d} are used", status=409)
    return f"{prefix}{seq:03d}"


def issue_po(session: Session, supplier: Supplier, lines: Iterable[NewLine], *,
             requisition_refs: list[str] | None = None, external_ref: str | None = None) -> PurchaseOrder:
    """Create an ISSUED purchase order and emit ``po.issued``."""
    require_orderable(supplier)
    on = today()
    po = PurchaseOrder(po_no=next_po_no(session, on), supplier=supplier, status=vocab.ISSUED,
                       currency=supplier.currency, order_date=on, requisition_refs=list(requisition_refs or []),
                       external_ref=external_ref, created_at=vocab.utcnow())
    po.lines = [PoLine(line_no=n, material_code=line.material_code, qty=line.qty,
                       unit_price=line.unit_price, promised_date=line.promised_date,
                       line_status=vocab.LINE_OPEN, requisition_no=line.requisition_no)
                for n, line in enumerate(lines, start=1)]
    session.add(po)
    session.flush()
    events.po_issued(session, po)
    return po


def create_po(session: Session, body: schemas.PurchaseOrderIn) -> tuple[PurchaseOrder, bool]:
    """A PO entered directly (by a buyer or another system); returns (po, created).

    A repeat with the same ``externalRef`` returns the existing PO unchanged.
    """
    if body.external_ref:
        existing = session.scalar(select(PurchaseOrder).where(PurchaseOrder.external_ref == body.external_ref))
        if existing is not None:
            return existing, False
    supplier = supplier_ref(session, body.supplier_id, "supplierId")
    require_orderable(supplier)
    on = today()
    new_lines = []
    for i, line in enumerate(body.lines):
        material_ref(session, line.material_code, f"lines.{i}.materialCode")
        entry = valid_price(supplier, line.material_code, line.qty, on)
        unit_price = line.unit_price if line.unit_price is not None else entry.price if entry else None
        if unit_price is None:
            raise BusinessError("no_valid_price",
                                f"supplier {supplier.id} has no valid price for {line.material_code} "
                                f"at qty {line.qty:g}; give unitPrice", field=f"lines.{i}.unitPrice")
        promised = line.promised_date or on + timedelta(days=lead_time_days(supplier, entry))
        if promised < on:
            raise BusinessError("date_in_past", "promisedDate must not be before today",
                                field=f"lines.{i}.promisedDate")
        new_lines.append(NewLine(line.material_code, line.qty, round(unit_price, 4), promised))
    return issue_po(session, supplier, new_lines, requisition_refs=body.requisition_refs,
                    external_ref=body.external_ref), True


def confirm(session: Session, po_no: str, body: schemas.ConfirmIn) -> PurchaseOrder:
    """The supplier's answer, line by line; emits ``po.confirmed``.

    The line status follows the numbers: an answer whose qty or date differs from
    the order is CHANGED, even if sent as ACCEPTED. The PO becomes CONFIRMED (all
    accepted), REJECTED (all rejected) or CHANGED (anything else).
    """
    po = get_po(session, po_no)
    _require(po, "confirm")
    lines = {line.line_no: line for line in po.lines}
    seen: set[int] = set()
    for i, answer in enumerate(body.lines):
        line = lines.get(answer.line_no)
        if line is None:
            raise BusinessError("unknown_line", f"purchase order {po_no} has no line {answer.line_no}",
                                field=f"lines.{i}.lineNo")
        if answer.line_no in seen:
            raise BusinessError("duplicate_line", f"line {answer.line_no} is answered twice", field=f"lines.{i}.lineNo")
        seen.add(answer.line_no)
        if answer.status == vocab.LINE_REJECTED:
            line.line_status, line.confirmed_qty, line.confirmed_date = vocab.LINE_REJECTED, 0.0, None
            continue
        qty = answer.confirmed_qty if answer.confirmed_qty is not None else line.qty
        if qty <= 0:
            raise BusinessError("invalid_quantity", "confirmedQty must be above 0; answer REJECTED to decline a line",
                                field=f"lines.{i}.confirmedQty")
        when = answer.confirmed_date or line.promised_date
        line.confirmed_qty, line.confirmed_date = qty, when
        same = qty == line.qty and when == line.promised_date
        line.line_status = vocab.LINE_ACCEPTED if same else vocab.LINE_CHANGED
    missing = sorted(set(lines) - seen)
    if missing:
        raise BusinessError("unanswered_lines", f"every line needs an answer; missing line(s) {missing}",
                            field="lines")
    answers = {line.line_status for line in po.lines}
    po.status = (vocab.CONFIRMED if answers == {vocab.LINE_ACCEPTED}
                 else vocab.REJECTED if answers == {vocab.LINE_REJECTED} else vocab.CHANGED)
    po.confirmed_at = vocab.utcnow()
    session.flush()
    events.po_confirmed(session, po)
    return po


def delay(session: Session, po_no: str, body: schemas.DelayIn) -> DelayNotice:
    """The supplier moves a line's delivery later; emits ``po.delayed``.

    The line's expected date becomes ``newDate`` (for all of its open qty, even
    when ``qtyAffected`` is a part of it: the line arrives when its last part does).
    """
    po = get_po(session, po_no)
    _require(po, "delay")
    line = next((ln for ln in po.lines if ln.line_no == body.line_no), None)
    if line is None:
        raise BusinessError("unknown_line", f"purchase order {po_no} has no line {body.line_no}", field="lineNo")
    if line.line_status == vocab.LINE_REJECTED or line.open_qty <= 0:
        raise BusinessError("nothing_to_deliver", f"line {body.line_no} has nothing left to deliver", field="lineNo")
    old = line.expected_date
    if body.new_date <= old:
        raise BusinessError("not_a_delay", f"newDate must be after the current date {vocab.fmt_date(old)}",
                            field="newDate")
    qty = body.qty_affected if body.qty_affected is not None else line.open_qty
    if qty > line.open_qty:
        raise BusinessError("qty_exceeds_open", f"qtyAffected {qty:g} exceeds the open qty {line.open_qty:g}",
                            field="qtyAffected")
    notice = DelayNotice(po_no=po.po_no, line_no=line.line_no, old_date=old, new_date=body.new_date,
                         qty_affected=qty, reason=body.reason, noticed_at=vocab.utcnow())
    po.delays.append(notice)
    line.confirmed_date = body.new_date
    session.flush()
    events.po_delayed(session, po, notice, line.material_code)
    return notice


def receive(session: Session, po_no: str, body: schemas.ReceiptIn) -> PurchaseOrder:
    """Goods received against the PO (applied once per ``receiptNo``).

    Quantities add to the lines; more than the open qty is accepted but flagged
    ``OVER_RECEIPT`` on the receipt line. The PO becomes RECEIVED when every
    non-rejected line is complete, else PARTIALLY_RECEIVED.
    """
    po = get_po(session, po_no)
    if any(r.receipt_no == body.receipt_no for r in po.receipts):
        return po
    _require(po, "receive")
    if body.supplier_id is not None and body.supplier_id != po.supplier_id:
        raise BusinessError("supplier_mismatch", f"purchase order {po_no} is with {po.supplier_id}, "
                            f"not {body.supplier_id}", field="supplierId")
    lines = {line.line_no: line for line in po.lines}
    received_on = body.received_date or today()
    recorded: list[dict[str, object]] = []
    on_time = True
    for i, got in enumerate(body.lines):
        line = lines.get(got.line_no)
        if line is None:
            raise BusinessError("unknown_line", f"purchase order {po_no} has no line {got.line_no}",
                                field=f"lines.{i}.lineNo")
        if got.material_code is not None and got.material_code != line.material_code:
            raise BusinessError("material_mismatch", f"line {line.line_no} orders {line.material_code}, "
                                f"not {got.material_code}", field=f"lines.{i}.materialCode")
        if line.line_status == vocab.LINE_REJECTED:
            raise BusinessError("line_rejected", f"line {line.line_no} was rejected by the supplier",
                                field=f"lines.{i}.lineNo")
        flags = [got.discrepancy] if got.discrepancy else []
        if got.qty > line.open_qty:
            flags.append(f"OVER_RECEIPT: received {got.qty:g}, open {line.open_qty:g}")
        on_time = on_time and received_on <= line.expected_date
        line.received_qty = round(line.received_qty + got.qty, 4)
        recorded.append({"lineNo": line.line_no, "materialCode": line.material_code, "qty": got.qty,
                         "lot": got.lot, "location": got.location, "discrepancy": "; ".join(flags) or None})
    po.receipts.append(Receipt(receipt_no=body.receipt_no, received_date=received_on, on_time=on_time,
                               lines=recorded))
    complete = all(line.open_qty <= 0 for line in po.lines if line.line_status != vocab.LINE_REJECTED)
    po.status = vocab.RECEIVED if complete else vocab.PARTIALLY_RECEIVED
    change_rating(session, po.supplier, ON_TIME_RATING_DELTA if on_time else LATE_RATING_DELTA)
    session.flush()
    return po


def close(session: Session, po_no: str) -> PurchaseOrder:
    po = get_po(session, po_no)
    if po.status == vocab.CLOSED:
        return po
    _require(po, "close")
    po.status = vocab.CLOSED
    return po
