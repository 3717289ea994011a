"""Work orders: creation from a released production order, status transitions, queries.

Life cycle::

    Released ──Start/report──▶ InProgress ──Complete/last op done──▶ Completed ──Close──▶ Closed
        │                          │
        └──────Hold──▶ OnHold ◀────┘      (Resume returns to the status before the hold)

Anything else is a 409 naming the current status.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.mes import events
from mocks.mes.models import WorkOrder, WorkOrderOperation
from mocks.mes.rules.common import (
    CLOSED,
    COMPLETED,
    IN_PROGRESS,
    ON_HOLD,
    RELEASED,
    get_part,
    get_work_order,
    next_number,
    require_status,
)
from mocks.mes.rules.masterdata import get_bom, latest_bom_version
from mocks.mes.timefmt import now_local


def create_work_order(session: Session, *, external_order_no: str, part_no: str, planned_qty: int,
                      uom: str | None, bom_version: str | None, planned_start: datetime,
                      planned_end: datetime, source_sales_order: str | None) -> tuple[WorkOrder, bool]:
    """A work order for the production order ``external_order_no``: one per external order.

    A repeat returns the existing order unchanged (``created`` is False), so
    the hub may retry. Operations are copied from the part's routing.
    """
    existing = session.scalar(select(WorkOrder).where(WorkOrder.external_order_no == external_order_no))
    if existing is not None:
        return existing, False
    part = get_part(session, part_no)
    if planned_qty <= 0:
        raise BusinessError("qty_not_positive", f"PlannedQty must be > 0, got {planned_qty}", field="PlannedQty")
    if planned_end < planned_start:
        raise BusinessError("end_before_start", "PlannedEnd is before PlannedStart", field="PlannedEnd")
    if uom is not None and uom != part.uom:
        raise BusinessError("uom_mismatch", f"part {part_no} is managed in {part.uom}, not {uom}", field="Uom")
    if not part.routing:
        raise BusinessError("no_routing", f"part {part_no} has no routing in MES ({part.make_or_buy}); "
                            "only made parts get work orders", field="PartNo")
    if bom_version is None:
        bom_version = latest_bom_version(session, part_no)
        if bom_version is None:
            raise BusinessError("no_bom", f"part {part_no} has no BOM version in MES", field="BomVersion")
    else:
        try:
            get_bom(session, part_no, bom_version)
        except BusinessError:
            raise BusinessError("unknown_bom_version", f"part {part_no} has no BOM version {bom_version!r} "
                                "in MES (release it via POST /api/Boms first)", field="BomVersion") from None
    now = now_local()
    wo = WorkOrder(
        work_order_no=next_number(session, WorkOrder.work_order_no, f"WO{now:%Y%m}", 4),
        external_order_no=external_order_no, part_no=part_no, planned_qty=planned_qty, uom=part.uom,
        bom_version=bom_version, planned_start=planned_start, planned_end=planned_end,
        source_sales_order=source_sales_order, status=RELEASED, created_at=now, lots=[],
        good_qty=0, scrap_qty=0,
        operations=[WorkOrderOperation(operation_no=s.operation_no, name=s.name, work_center=s.work_center,
                                       minutes_per_unit=s.minutes_per_unit, good_qty=0, scrap_qty=0,
                                       status="Pending")
                    for s in part.routing])
    session.add(wo)
    session.flush()
    events.work_order_created(session, wo)
    return wo, True


def list_work_orders(session: Session, *, source_sales_order: str | None = None, status: str | None = None,
                     part_no: str | None = None, external_order_no: str | None = None) -> Sequence[WorkOrder]:
    q = select(WorkOrder).order_by(WorkOrder.work_order_no)
    if source_sales_order:
        q = q.where(WorkOrder.source_sales_order == source_sales_order)
    if status:
        q = q.where(WorkOrder.status == status)
    if part_no:
        q = q.where(WorkOrder.part_no == part_no)
    if external_order_no:
        q = q.where(WorkOrder.external_order_no == external_order_no)
    return session.scalars(q).all()


def start(session: Session, wo: WorkOrder, at: datetime | None = None) -> WorkOrder:
    """Released → InProgress; the actual start is stamped."""
    require_status(wo, "Start", (RELEASED,))
    at = at or now_local()
    wo.status, wo.actual_start = IN_PROGRESS, wo.actual_start or at
    events.status_changed(session, wo, RELEASED, at)
    return wo


def start_by_no(session: Session, work_order_no: str) -> WorkOrder:
    return start(session, get_work_order(session, work_order_no))


def hold(session: Session, work_order_no: str, reason: str | None) -> WorkOrder:
    """Released/InProgress → OnHold, remembering where to resume."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "Hold", (RELEASED, IN_PROGRESS))
    old = wo.status
    wo.status_before_hold, wo.status, wo.hold_reason = old, ON_HOLD, reason
    events.status_changed(session, wo, old, now_local(), reason)
    return wo


def resume(session: Session, work_order_no: str) -> WorkOrder:
    """OnHold → the status before the hold."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "Resume", (ON_HOLD,))
    wo.status, wo.status_before_hold, wo.hold_reason = wo.status_before_hold or RELEASED, None, None
    events.status_changed(session, wo, ON_HOLD, now_local())
    return wo


def close(session: Session, work_order_no: str) -> WorkOrder:
    """Completed → Closed: no more changes (costs settled)."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "Close", (COMPLETED,))
    wo.status = CLOSED
    events.status_changed(session, wo, COMPLETED, now_local())
    return wo


def hold_for_sales_order(session: Session, source_sales_order: str, reason: str | None) -> list[WorkOrder]:
    """Hold every Released/InProgress order of a cancelled sales order (already held ones are left)."""
    held = []
    for wo in list_work_orders(session, source_sales_order=source_sales_order):
        if wo.status in (RELEASED, IN_PROGRESS):
            held.append(hold(session, wo.work_order_no, reason or f"sales order {source_sales_order} cancelled"))
    return held
