"""Customer complaints, investigated by the quality department.

A complaint arrives with the sender's id (``ExternalRef``, one MES complaint each), the sales
order, part and lot it is about. MES links it at once to the evidence it holds: the work orders
made for that sales order (of that part, when one is named) or that produced the lot, and the
inspections of those work orders or of the lot. A quality operator (role
:data:`QUALITY_ROLES`) starts the investigation (``Open`` → ``Investigating``) and resolves it
with a root cause, a corrective action and a disposition for the customer (``Replace``,
``Credit`` or ``Repair``) → ``Resolved``, which emits ``ComplaintResolved``. The same resolution
again changes nothing; a different one for a resolved complaint is a 409.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mes import events
from mocks.mes.models import Complaint, Inspection, Operator, WorkOrder
from mocks.mes.rules.common import get_operator, get_part, next_number
from mocks.mes.timefmt import now_local

OPEN, INVESTIGATING, RESOLVED = "Open", "Investigating", "Resolved"
QUALITY_ROLES = frozenset({"quality_manager", "inspector"})
"""Operators who may investigate and resolve complaints."""


def _quality_operator(session: Session, operator_no: str) -> Operator:
    op = get_operator(session, operator_no, field="Investigator")
    if not QUALITY_ROLES & set(op.roles or []):
        raise BusinessError("not_quality_staff", f"operator {op.operator_no} ({op.name}) is not quality staff; "
                            f"complaints are investigated by one of the roles {', '.join(sorted(QUALITY_ROLES))}",
                            field="Investigator")
    return op


def _evidence(session: Session, *, sales_order: str | None, part_no: str | None,
              lot: str | None) -> tuple[list[str], list[str]]:
    """The work orders and inspections behind a complaint (by sales order and part, or by lot)."""
    orders: list[WorkOrder] = []
    if sales_order:
        q = select(WorkOrder).where(WorkOrder.source_sales_order == sales_order)
        if part_no:
            q = q.where(WorkOrder.part_no == part_no)
        orders = list(session.scalars(q.order_by(WorkOrder.work_order_no)))
    if lot:
        orders += [wo for wo in session.scalars(select(WorkOrder).order_by(WorkOrder.work_order_no))
                   if any(x.get("LotNo") == lot for x in wo.lots or []) and wo not in orders]
    numbers = [wo.work_order_no for wo in orders]
    conditions = [Inspection.ref_doc.in_(numbers)] if numbers else []
    if lot:
        conditions.append(Inspection.lot == lot)
    inspections = (list(session.scalars(select(Inspection.inspection_no).where(or_(*conditions))
                                        .order_by(Inspection.inspection_no))) if conditions else [])
    return numbers, inspections


def open_complaint(session: Session, *, external_ref: str, customer: str | None, source_sales_order: str | None,
                   part_no: str | None, lot: str | None, severity: str, description: str
                   ) -> tuple[Complaint, bool]:
    """Record a complaint and link its evidence; a repeated ExternalRef returns the first record."""
    existing = session.scalar(select(Complaint).where(Complaint.external_ref == external_ref))
    if existing is not None:
        return existing, False
    if part_no:
        get_part(session, part_no)
    now = now_local()
    orders, inspections = _evidence(session, sales_order=source_sales_order, part_no=part_no, lot=lot)
    complaint = Complaint(complaint_no=next_number(session, Complaint.complaint_no, f"QN{now:%Y%m}", 4),
                          external_ref=external_ref, customer=customer, source_sales_order=source_sales_order,
                          part_no=part_no, lot=lot, severity=severity, description=description, status=OPEN,
                          work_orders=orders, inspections=inspections, received_at=now)
    session.add(complaint)
    session.flush()
    return complaint, True


def get_complaint(session: Session, complaint_no: str) -> Complaint:
    complaint = session.get(Complaint, complaint_no)
    if complaint is None:
        raise NotFound("complaint", complaint_no, field="ComplaintNo")
    return complaint


def start_investigation(session: Session, complaint_no: str, *, investigator: str) -> Complaint:
    """Open → Investigating; starting again (same investigator) changes nothing."""
    complaint = get_complaint(session, complaint_no)
    op = _quality_operator(session, investigator)
    if complaint.status == INVESTIGATING and complaint.investigator == op.operator_no:
        return complaint
    if complaint.status != OPEN:
        raise BusinessError("illegal_transition", f"complaint {complaint_no} is {complaint.status}; an "
                            f"investigation starts only from {OPEN}", field="Status", status=409)
    complaint.status, complaint.investigator = INVESTIGATING, op.operator_no
    complaint.investigation_started_at = now_local()
    session.flush()
    return complaint


def resolve(session: Session, complaint_no: str, *, root_cause: str, corrective_action: str, disposition: str,
            investigator: str) -> Complaint:
    """Open/Investigating → Resolved with the finding; emits ``ComplaintResolved``."""
    complaint = get_complaint(session, complaint_no)
    op = _quality_operator(session, investigator)
    finding = (root_cause.strip(), corrective_action.strip(), disposition)
    if complaint.status == RESOLVED:
        if (complaint.root_cause, complaint.corrective_action, complaint.disposition) == finding:
            return complaint
        raise BusinessError("already_resolved", f"complaint {complaint_no} was resolved on "
                            f"{complaint.resolved_at:%Y-%m-%d %H:%M:%S} with another finding", field="Status",
                            status=409)
    complaint.root_cause, complaint.corrective_action, complaint.disposition = finding
    complaint.investigator = op.operator_no
    complaint.investigation_started_at = complaint.investigation_started_at or now_local()
    complaint.status, complaint.resolved_at = RESOLVED, now_local()
    session.flush()
    events.complaint_resolved(session, complaint)
    return complaint


def list_complaints(session: Session, *, status: str | None = None, source_sales_order: str | None = None,
                    external_ref: str | None = None) -> Sequence[Complaint]:
    q = select(Complaint).order_by(Complaint.complaint_no)
    for column, value in ((Complaint.status, status), (Complaint.source_sales_order, source_sales_order),
                          (Complaint.external_ref, external_ref)):
        if value:
            q = q.where(column == value)
    return session.scalars(q).all()
