"""Quality inspections: Incoming (against a receipt or PO), InProcess and Final
(against a work order). The result follows from the rejected share:
none → ``Pass``, up to :data:`~.common.CONDITIONAL_MAX_REJECT_RATE` →
``Conditional`` (accepted under deviation), above → ``Fail``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mes import events
from mocks.mes.models import Inspection, WorkOrder
from mocks.mes.rules.common import CONDITIONAL_MAX_REJECT_RATE, get_operator, get_part, next_number
from mocks.mes.timefmt import now_local

KINDS = ("Incoming", "InProcess", "Final")
AUTO_FINAL_REMARK = "recorded automatically at completion"


def result_of(qty_inspected: int, qty_rejected: int) -> str:
    if qty_rejected == 0:
        return "Pass"
    return "Conditional" if qty_rejected / qty_inspected <= CONDITIONAL_MAX_REJECT_RATE else "Fail"


def record_inspection(session: Session, *, kind: str, ref_doc: str | None, part_no: str, lot: str | None,
                      qty_inspected: int, qty_accepted: int, qty_rejected: int, inspector: str | None = None,
                      remark: str | None = None, external_ref: str | None = None,
                      at: datetime | None = None) -> tuple[Inspection, bool]:
    """Record one inspection and emit it; a repeated ExternalRef returns the first record."""
    if external_ref:
        existing = session.scalar(select(Inspection).where(Inspection.external_ref == external_ref))
        if existing is not None:
            return existing, False
    if kind not in KINDS:
        raise BusinessError("unknown_kind", f"Kind must be one of {', '.join(KINDS)}", field="Kind")
    get_part(session, part_no)
    if qty_accepted + qty_rejected != qty_inspected:
        raise BusinessError("quantities_do_not_add_up", f"QtyAccepted + QtyRejected = "
                            f"{qty_accepted + qty_rejected}, but QtyInspected = {qty_inspected}",
                            field="QtyInspected")
    wo = None
    if kind != "Incoming":
        if not ref_doc:
            raise BusinessError("ref_doc_required", f"a {kind} inspection needs the WorkOrderNo as RefDoc",
                                field="RefDoc")
        wo = session.get(WorkOrder, ref_doc)
        if wo is None:
            raise BusinessError("unknown_work_order", f"a {kind} inspection's RefDoc must be a work order "
                                f"of MES; {ref_doc!r} is not", field="RefDoc")
        if wo.part_no != part_no:
            raise BusinessError("part_mismatch", f"work order {wo.work_order_no} makes {wo.part_no}, "
                                f"not {part_no}", field="PartNo")
    if inspector:
        get_operator(session, inspector, field="Inspector")
    at = at or now_local()
    insp = Inspection(inspection_no=next_number(session, Inspection.inspection_no, f"QC{at:%Y%m%d}", 4),
                      kind=kind, ref_doc=ref_doc, part_no=part_no, lot=lot, qty_inspected=qty_inspected,
                      qty_accepted=qty_accepted, qty_rejected=qty_rejected,
                      result=result_of(qty_inspected, qty_rejected), inspector=inspector, remark=remark,
                      external_ref=external_ref, inspected_at=at)
    session.add(insp)
    session.flush()
    events.inspection_recorded(session, insp, wo.source_sales_order if wo is not None else None)
    return insp, True


def record_final_inspection(session: Session, wo: WorkOrder, at: datetime) -> Inspection:
    """The Final inspection of a completed order: everything made, good accepted, scrap rejected."""
    insp, _ = record_inspection(
        session, kind="Final", ref_doc=wo.work_order_no, part_no=wo.part_no,
        lot=wo.lots[0]["LotNo"] if wo.lots else None, qty_inspected=wo.good_qty + wo.scrap_qty,
        qty_accepted=wo.good_qty, qty_rejected=wo.scrap_qty, remark=AUTO_FINAL_REMARK, at=at)
    return insp


def list_inspections(session: Session, *, ref_doc: str | None = None, part_no: str | None = None,
                     kind: str | None = None, result: str | None = None) -> Sequence[Inspection]:
    q = select(Inspection).order_by(Inspection.inspection_no)
    for column, value in ((Inspection.ref_doc, ref_doc), (Inspection.part_no, part_no),
                          (Inspection.kind, kind), (Inspection.result, result)):
        if value:
            q = q.where(column == value)
    return session.scalars(q).all()


def get_inspection(session: Session, inspection_no: str) -> Inspection:
    insp = session.get(Inspection, inspection_no)
    if insp is None:
        raise NotFound("inspection", inspection_no, field="InspectionNo")
    return insp
