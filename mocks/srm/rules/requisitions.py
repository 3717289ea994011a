"""Purchase requisitions: taken in, approved or rejected, then sourced into purchase orders.

- A requisition is kept under the sender's number and waits ``AWAITING_APPROVAL``.
  Sent again while waiting, it is replaced; sent again after the decision, the same
  content is answered with the stored requisition, different content with 409.
- ``rejected`` → ``REJECTED`` and ``cancelled`` → ``CANCELLED``: nothing is ordered.
- ``approved`` → every line is sourced (:mod:`.selection`) and one PO is issued per
  chosen supplier. The requisition ends ``ORDERED`` (all lines sourced),
  ``NO_SOURCE`` (none; the reason says why) or ``PARTIALLY_ORDERED``.
- A decision repeated (the approving side retries) changes nothing; a different
  decision after the first is refused with 409.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.srm import schemas, vocab
from mocks.srm.models import Requisition, RequisitionLine, Supplier
from mocks.srm.rules.common import material_ref, today
from mocks.srm.rules.orders import NewLine, issue_po
from mocks.srm.rules.selection import select_supplier

OUTCOME_OF_DECISION: Final[dict[str, tuple[str, ...]]] = {
    "approved": (vocab.ORDERED, vocab.PARTIALLY_ORDERED, vocab.NO_SOURCE),
    "rejected": (vocab.REQ_REJECTED,),
    "cancelled": (vocab.REQ_CANCELLED,),
}


def list_requisitions(session: Session, status: str | None = None) -> list[Requisition]:
    q = select(Requisition).order_by(Requisition.created_at, Requisition.requisition_no)
    if status:
        q = q.where(Requisition.status == status.upper())
    return list(session.scalars(q))


def get_requisition(session: Session, requisition_no: str) -> Requisition:
    req = session.get(Requisition, requisition_no)
    if req is None:
        raise NotFound("requisition", requisition_no, field="requisitionNo")
    return req


def submit(session: Session, body: schemas.RequisitionIn) -> tuple[Requisition, bool]:
    """Store a requisition (upsert by its number); returns (requisition, created)."""
    incoming = []
    seen: set[int] = set()
    for i, line in enumerate(body.lines):
        material_ref(session, line.material_code, f"lines.{i}.materialCode")
        line_no = line.line_no or i + 1
        if line_no in seen:
            raise BusinessError("duplicate_line", f"line {line_no} appears twice", field=f"lines.{i}.lineNo")
        seen.add(line_no)
        incoming.append((line_no, line.material_code, line.qty, line.need_by))
    req = session.get(Requisition, body.requisition_no)
    if req is not None and req.status != vocab.AWAITING_APPROVAL:
        stored = [(ln.line_no, ln.material_code, ln.qty, ln.need_by) for ln in req.lines]
        if sorted(stored) == sorted(incoming):
            return req, False
        raise BusinessError("requisition_decided",
                            f"requisition {req.requisition_no} is already {req.status} and cannot change",
                            field="requisitionNo", status=409)
    created = req is None
    if req is None:
        req = Requisition(requisition_no=body.requisition_no, created_at=vocab.utcnow())
        session.add(req)
    req.origin, req.estimated_amount = body.origin, body.estimated_amount
    req.budget_code, req.requested_by = body.budget_code, body.requested_by
    req.status = vocab.AWAITING_APPROVAL
    req.lines = [RequisitionLine(line_no=n, material_code=m, qty=q, need_by=d) for n, m, q, d in incoming]
    session.flush()
    return req, created


def decide(session: Session, requisition_no: str, body: schemas.ApprovalIn) -> Requisition:
    """Apply the approval decision; on approval, source the lines and issue the POs."""
    req = get_requisition(session, requisition_no)
    if req.status != vocab.AWAITING_APPROVAL:
        if req.status in OUTCOME_OF_DECISION[body.decision]:
            return req
        raise BusinessError("already_decided", f"requisition {requisition_no} is already {req.status}",
                            field="decision", status=409)
    req.approval_id, req.decided_by, req.decision_comment = body.approval_id, body.decided_by, body.comment
    req.decided_at = vocab.utcnow()
    if body.decision == "rejected":
        req.status = vocab.REQ_REJECTED
        req.reason = body.comment or "rejected in approval"
        return req
    if body.decision == "cancelled":
        req.status = vocab.REQ_CANCELLED
        req.reason = body.comment or "approval cancelled"
        return req
    _source(session, req)
    return req


def _source(session: Session, req: Requisition) -> None:
    on = today()
    per_supplier: dict[str, list[tuple[RequisitionLine, NewLine]]] = defaultdict(list)
    suppliers: dict[str, Supplier] = {}
    reasons: list[str] = []
    for line in req.lines:
        selection = select_supplier(session, line.material_code, line.qty, line.need_by, on)
        line.candidates = [c.as_dict() for c in selection.candidates]
        if selection.chosen is None:
            line.sourcing_status, line.reason = vocab.NO_SOURCE, selection.reason
            reasons.append(f"line {line.line_no}: {selection.reason}")
            continue
        chosen = selection.chosen
        line.sourcing_status, line.supplier_id, line.score = vocab.SOURCED, chosen.supplier.id, chosen.score
        suppliers[chosen.supplier.id] = chosen.supplier
        per_supplier[chosen.supplier.id].append(
            (line, NewLine(line.material_code, line.qty, chosen.entry.price, chosen.promised_date,
                           requisition_no=req.requisition_no)))
    for supplier_id, pairs in per_supplier.items():
        po = issue_po(session, suppliers[supplier_id], [new for _, new in pairs],
                      requisition_refs=[req.requisition_no])
        for line, _ in pairs:
            line.po_no = po.po_no
    sourced = sum(1 for line in req.lines if line.sourcing_status == vocab.SOURCED)
    req.status = (vocab.ORDERED if sourced == len(req.lines)
                  else vocab.NO_SOURCE if sourced == 0 else vocab.PARTIALLY_ORDERED)
    req.reason = "; ".join(reasons) or None
    session.flush()
