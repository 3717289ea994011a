"""Paying suppliers: payables paid one by one or in a payment run, each exactly once.

A payable is born at the goods receipt (see :mod:`mocks.erp.rules.purchasing`): ``open`` when the
receipt matched the purchase order, ``on_hold`` when it was flagged (received above the
commitment). Rules:

- only ``open`` payables are paid — the goods were received, and nothing holds them; a held
  payable needs a finance manager to release the hold first;
- a payable is paid in full, once: paying it again is a 409 ``already_paid``; a repeated
  ``bank_ref`` or ``run_ref`` answers the first payment or run instead of paying twice;
- every payment and hold release is approved by an employee with role ``finance_manager``;
- a payment run pays every open payable due on or before ``due_by`` (of one vendor, if named)
  and lists the due payables it could not pay, with the reason.

Each payment emits ``vendor_payment.posted``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.erp import events
from mocks.erp.models import Employee, Payable, PaymentRun, PurchaseCommitment, VendorPayment
from mocks.erp.rules.money import ZERO
from mocks.erp.rules.numbers import doc_no
from mocks.erp.schemas import PayablePaymentIn, PayableReleaseIn, PaymentRunIn

PAYMENT_APPROVER_ROLES = frozenset({"finance_manager"})
OPEN, ON_HOLD, PAID = "open", "on_hold", "paid"


def get_payable(session: Session, payable_no: str) -> Payable:
    payable = session.scalar(select(Payable).where(Payable.payable_no == payable_no))
    if payable is None:
        raise NotFound("payable", payable_no, field="payable_no")
    return payable


def _approver(session: Session, employee_id: int, action: str) -> Employee:
    approver = session.get(Employee, employee_id)
    if approver is None:
        raise BusinessError("unknown_employee", f"employee {employee_id} does not exist", field="approved_by")
    if approver.status != "active" or not PAYMENT_APPROVER_ROLES & set(approver.roles):
        raise BusinessError("not_authorised", f"employee {approver.id} ({approver.name}) may not {action}; "
                            f"needs role {', '.join(sorted(PAYMENT_APPROVER_ROLES))}", field="approved_by")
    return approver


def _payable_payment(session: Session, payable: Payable) -> VendorPayment | None:
    return session.scalar(select(VendorPayment).where(VendorPayment.payable_id == payable.id))


def _pay(session: Session, payable: Payable, *, approver: Employee, paid_on: date, bank_ref: str | None = None,
         run_no: str | None = None) -> VendorPayment:
    currency = session.scalar(select(PurchaseCommitment.currency)
                              .where(PurchaseCommitment.po_number == payable.po_number)) or "CNY"
    payment = VendorPayment(payable_id=payable.id, vendor_id=payable.vendor_id, amount=payable.gross,
                            currency=currency, paid_on=paid_on, approved_by=approver.id, bank_ref=bank_ref,
                            run_no=run_no)
    session.add(payment)
    session.flush()
    payment.payment_no = doc_no("VP", paid_on, payment.id)
    payable.status, payable.paid_on, payable.payment_no = PAID, paid_on, payment.payment_no
    session.flush()
    events.vendor_payment_posted(session, payment)
    return payment


def pay_payable(session: Session, payable_no: str, body: PayablePaymentIn) -> tuple[VendorPayment, bool]:
    """Pay one payable in full; True if paid now (a repeated bank_ref answers the first payment)."""
    if body.bank_ref:
        existing = session.scalar(select(VendorPayment).where(VendorPayment.bank_ref == body.bank_ref))
        if existing is not None:
            if existing.payable_no != payable_no:
                raise BusinessError("bank_ref_used", f"bank_ref {body.bank_ref!r} already paid payable "
                                    f"{existing.payable_no}", field="bank_ref", status=409)
            return existing, False
    payable = get_payable(session, payable_no)
    if payable.status == PAID:
        raise BusinessError("already_paid", f"payable {payable_no} was paid on {payable.paid_on} "
                            f"({payable.payment_no}); it is never paid twice", field="payable_no", status=409)
    if payable.status == ON_HOLD:
        raise BusinessError("payable_on_hold", f"payable {payable_no} is on hold: its goods receipt "
                            f"{payable.gr_number} was flagged; release the hold first", field="payable_no")
    approver = _approver(session, body.approved_by, "approve payments")
    return _pay(session, payable, approver=approver, paid_on=body.paid_on or date.today(),
                bank_ref=body.bank_ref), True


def release_hold(session: Session, payable_no: str, body: PayableReleaseIn) -> Payable:
    """Clear the hold of a flagged payable (on_hold → open); releasing an open one changes nothing."""
    payable = get_payable(session, payable_no)
    if payable.status == PAID:
        raise BusinessError("already_paid", f"payable {payable_no} is already paid", field="payable_no",
                            status=409)
    approver = _approver(session, body.approved_by, "release payment holds")
    if payable.status == ON_HOLD:
        payable.status, payable.hold_released_by = OPEN, approver.id
        session.flush()
    return payable


def run_payments(session: Session, body: PaymentRunIn) -> tuple[PaymentRun, bool]:
    """Pay every open payable due by ``due_by``; True if run now (a repeated run_ref answers the first run)."""
    existing = session.scalar(select(PaymentRun).where(PaymentRun.run_ref == body.run_ref))
    if existing is not None:
        return existing, False
    approver = _approver(session, body.approved_by, "approve payment runs")
    paid_on = body.paid_on or date.today()
    q = select(Payable).where(Payable.due_date <= body.due_by, Payable.status.in_((OPEN, ON_HOLD))) \
        .order_by(Payable.due_date, Payable.id)
    if body.vendor_id is not None:
        q = q.where(Payable.vendor_id == body.vendor_id)
    run = PaymentRun(run_ref=body.run_ref, due_by=body.due_by, paid_on=paid_on, vendor_id=body.vendor_id,
                     approved_by=approver.id, total=ZERO, paid=[], skipped=[])
    session.add(run)
    session.flush()
    run.run_no = doc_no("RUN", paid_on, run.id)
    paid: list[str] = []
    skipped: list[dict[str, str]] = []
    total = ZERO
    for payable in session.scalars(q):
        if payable.status == ON_HOLD:
            skipped.append({"payable_no": payable.payable_no,
                            "reason": f"on hold: goods receipt {payable.gr_number} was flagged"})
            continue
        payment = _pay(session, payable, approver=approver, paid_on=paid_on, run_no=run.run_no)
        paid.append(payment.payment_no)
        total += payment.amount
    run.paid, run.skipped, run.total = paid, skipped, total
    session.flush()
    return run, True


def list_vendor_payments(session: Session, *, vendor_id: int | None = None,
                         po_number: str | None = None) -> list[VendorPayment]:
    q = select(VendorPayment).order_by(VendorPayment.id)
    if vendor_id:
        q = q.where(VendorPayment.vendor_id == vendor_id)
    if po_number:
        q = q.join(Payable, VendorPayment.payable_id == Payable.id).where(Payable.po_number == po_number)
    return list(session.scalars(q))


def get_vendor_payment(session: Session, payment_no: str) -> VendorPayment:
    payment = session.scalar(select(VendorPayment).where(VendorPayment.payment_no == payment_no))
    if payment is None:
        raise NotFound("vendor payment", payment_no)
    return payment


def list_runs(session: Session) -> list[PaymentRun]:
    return list(session.scalars(select(PaymentRun).order_by(PaymentRun.id)))


def get_run(session: Session, key: str) -> PaymentRun:
    """By ``run_no`` or finance's ``run_ref``."""
    run = session.scalar(select(PaymentRun).where((PaymentRun.run_no == key) | (PaymentRun.run_ref == key)))
    if run is None:
        raise NotFound("payment run", key)
    return run
