"""Service complaints: open → assigned → resolved → closed.

A complaint is opened in the CRM (and emitted as ``complaint.opened`` so OA
can route it as a task and MES can link quality records). OA's task
assignment and the resolution come back through the hub and are shown here;
the service desk closes a resolved complaint once the customer agrees (or
the simulation does it). Repeating the same assignment or resolution
changes nothing; resolving out of order is a 409 naming the status rule.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.crm import clock, events
from mocks.crm.models import Complaint, SalesOrder
from mocks.crm.rules.common import next_serial, referenced_customer, referenced_product
from mocks.crm.schemas import AssignmentIn, ComplaintIn, ResolutionIn

COMPLAINT_ID_PREFIX = "CMP-"
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"assigned"}),
    "assigned": frozenset({"assigned", "resolved"}),
    "resolved": frozenset({"closed"}),
    "closed": frozenset(),
}


def list_complaints(session: Session, *, status: str | None = None, customer_id: str | None = None,
                    order_no: str | None = None) -> list[Complaint]:
    stmt = select(Complaint).order_by(Complaint.complaint_id)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if customer_id:
        stmt = stmt.where(Complaint.customer_id == customer_id)
    if order_no:
        stmt = stmt.where(Complaint.order_no == order_no)
    return list(session.scalars(stmt))


def get_complaint(session: Session, complaint_id: str) -> Complaint:
    complaint = session.scalar(select(Complaint).where(Complaint.complaint_id == complaint_id))
    if complaint is None:
        raise NotFound("complaint", complaint_id, field="complaintId")
    return complaint


def open_complaint(session: Session, body: ComplaintIn) -> Complaint:
    """Log a complaint; the order and product it names must be the customer's own."""
    customer = referenced_customer(session, body.customer_id, must_be_active=False)
    order = None
    if body.order_no:
        order = session.scalar(select(SalesOrder).where(SalesOrder.order_no == body.order_no))
        if order is None:
            raise BusinessError("unknown_order", f"sales order {body.order_no!r} does not exist", field="orderNo")
        if order.customer_id != customer.customer_id:
            raise BusinessError("order_of_other_customer",
                                f"order {body.order_no} belongs to {order.customer_id}, not {customer.customer_id}",
                                field="orderNo")
    if body.product_code:
        referenced_product(session, body.product_code)
        if order is not None and body.product_code not in {line.product_code for line in order.lines}:
            raise BusinessError("product_not_on_order",
                                f"order {body.order_no} has no line for {body.product_code}", field="productCode")
    now = clock.now()
    complaint = Complaint(
        complaint_id=next_serial(session, Complaint.complaint_id, COMPLAINT_ID_PREFIX, 6),
        customer_id=customer.customer_id, order_no=body.order_no, product_code=body.product_code,
        lot=body.lot, severity=body.severity, description=body.description, reported_by=body.reported_by,
        status="open", opened_at=now, updated_at=now)
    session.add(complaint)
    session.flush()
    events.complaint_opened(session, complaint)
    return complaint


def record_assignment(session: Session, complaint_id: str, body: AssignmentIn) -> Complaint:
    """OA's task for the complaint: open → assigned (a new task re-assigns it)."""
    complaint = get_complaint(session, complaint_id)
    same = (complaint.task_id, complaint.department, complaint.assignee,
            clock.local(complaint.due_at) if complaint.due_at else None)
    if complaint.status != "open" and same == (body.task_id, body.department, body.assignee, body.due_at):
        return complaint
    _move(complaint, "assigned", action="assign")
    complaint.task_id, complaint.department, complaint.assignee = body.task_id, body.department, body.assignee
    complaint.due_at = body.due_at
    complaint.assigned_at = clock.now()
    session.flush()
    return complaint


def record_resolution(session: Session, complaint_id: str, body: ResolutionIn) -> Complaint:
    """assigned → resolved with root cause and disposition; the same resolution again is a no-op."""
    complaint = get_complaint(session, complaint_id)
    if complaint.status in ("resolved", "closed") and (
            complaint.root_cause, complaint.corrective_action, complaint.disposition,
            clock.local(complaint.resolved_at)
    ) == (body.root_cause, body.corrective_action, body.disposition, body.resolved_at):
        return complaint
    _move(complaint, "resolved", action="resolve")
    complaint.root_cause, complaint.disposition, complaint.resolved_at = (
        body.root_cause, body.disposition, body.resolved_at)
    complaint.corrective_action = body.corrective_action
    session.flush()
    return complaint


def close_complaint(session: Session, complaint_id: str) -> Complaint:
    """resolved → closed (the customer accepted the resolution)."""
    complaint = get_complaint(session, complaint_id)
    _move(complaint, "closed", action="close")
    complaint.closed_at = clock.now()
    session.flush()
    return complaint


def _move(complaint: Complaint, to: str, *, action: str) -> None:
    if to not in TRANSITIONS[complaint.status]:
        allowed = ", ".join(sorted(TRANSITIONS[complaint.status])) or "nothing (final)"
        raise BusinessError(
            "illegal_transition",
            f"cannot {action} complaint {complaint.complaint_id}: status {complaint.status} → {to} "
            f"is not allowed (from {complaint.status} only: {allowed})", field="status", status=409)
    complaint.status = to
    complaint.updated_at = clock.now()
