"""Rescheduling: by hand (a new planned end) and when material is late.

A material delay names a component and the date it will be available.
Every not-yet-completed work order whose BOM version uses that component
directly, and whose planned start is before that date, moves: the start
becomes the availability date and the end shifts by the same amount, so the
planned duration is kept. Each moved order emits ``WorkOrderRescheduled``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mes import events
from mocks.mes.models import Bom, BomLine, MaterialDelay, Reschedule, WorkOrder
from mocks.mes.rules.common import OPEN_STATUSES, get_part, get_work_order, next_number, require_status
from mocks.mes.timefmt import fmt, now_local


def _move(session: Session, wo: WorkOrder, new_start: datetime, new_end: datetime,
          reason: str | None, ref: str | None) -> None:
    old_start, old_end = wo.planned_start, wo.planned_end
    wo.planned_start, wo.planned_end = new_start, new_end
    wo.reschedules.append(Reschedule(old_planned_start=old_start, new_planned_start=new_start,
                                     old_planned_end=old_end, new_planned_end=new_end, reason=reason,
                                     ref=ref, rescheduled_at=now_local()))
    session.flush()
    events.rescheduled(session, wo, old_start, old_end, reason, ref)


def reschedule(session: Session, work_order_no: str, *, new_planned_end: datetime, reason: str | None,
               new_planned_start: datetime | None = None) -> WorkOrder:
    """Move the planned end (and optionally start) of an open order; the same dates again change nothing."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "Reschedule", OPEN_STATUSES)
    new_start = new_planned_start or wo.planned_start
    if new_planned_end < new_start:
        raise BusinessError("end_before_start", f"NewPlannedEnd {fmt(new_planned_end)} is before the planned "
                            f"start {fmt(new_start)}", field="NewPlannedEnd")
    if (new_start, new_planned_end) != (wo.planned_start, wo.planned_end):
        _move(session, wo, new_start, new_planned_end, reason, None)
    return wo


def register_material_delay(session: Session, *, part_no: str, new_available_date: datetime,
                            reason: str | None, ref: str | None) -> tuple[MaterialDelay, bool]:
    """Record a late component and push every affected open order; a repeat (same Ref, part, date)
    returns the first record and moves nothing."""
    get_part(session, part_no)
    if ref:
        existing = session.scalar(select(MaterialDelay).where(
            MaterialDelay.ref == ref, MaterialDelay.part_no == part_no,
            MaterialDelay.new_available_date == new_available_date))
        if existing is not None:
            return existing, False
    now = now_local()
    delay = MaterialDelay(delay_no=next_number(session, MaterialDelay.delay_no, f"MD{now:%Y%m}", 4),
                          part_no=part_no, new_available_date=new_available_date, reason=reason, ref=ref,
                          received_at=now, affected=[])
    session.add(delay)
    users = select(Bom.part_no, Bom.version).join(BomLine).where(BomLine.component_part_no == part_no)
    affected = session.scalars(
        select(WorkOrder).where(WorkOrder.status.in_(OPEN_STATUSES),
                                WorkOrder.planned_start < new_available_date,
                                tuple_(WorkOrder.part_no, WorkOrder.bom_version).in_(users))
        .order_by(WorkOrder.work_order_no)).all()
    moved = []
    for wo in affected:
        old_start, old_end = wo.planned_start, wo.planned_end
        shift = new_available_date - old_start
        _move(session, wo, new_available_date, old_end + shift,
              reason or f"material {part_no} available {fmt(new_available_date)}", ref or delay.delay_no)
        moved.append({"WorkOrderNo": wo.work_order_no, "OldPlannedStart": fmt(old_start),
                      "NewPlannedStart": fmt(wo.planned_start), "OldPlannedEnd": fmt(old_end),
                      "NewPlannedEnd": fmt(wo.planned_end)})
    delay.affected = moved
    session.flush()
    return delay, True


def list_material_delays(session: Session, part_no: str | None = None) -> Sequence[MaterialDelay]:
    q = select(MaterialDelay).order_by(MaterialDelay.delay_no)
    if part_no:
        q = q.where(MaterialDelay.part_no == part_no)
    return session.scalars(q).all()


def get_material_delay(session: Session, delay_no: str) -> MaterialDelay:
    delay = session.get(MaterialDelay, delay_no)
    if delay is None:
        raise NotFound("material delay", delay_no, field="DelayNo")
    return delay
