"""Progress reports per operation, and completion of a work order.

Material flows through the routing: the first operation may report up to
the planned quantity plus :data:`~.common.OVER_REPORT_TOLERANCE` as good;
each later operation can only process (good + scrap) what the previous one
passed on as good. An operation is done when it has processed all of its
input; when the last one is done the work order completes by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.mes import events
from mocks.mes.models import ProgressReport, WorkOrder, WorkOrderOperation
from mocks.mes.rules import quality
from mocks.mes.rules.common import (
    COMPLETED,
    DEFECT_RATE_DECIMALS,
    IN_PROGRESS,
    RELEASED,
    get_operator,
    get_work_order,
    max_good_qty,
    require_status,
)
from mocks.mes.rules.workorders import start
from mocks.mes.timefmt import now_local


def operation_inputs(wo: WorkOrder) -> list[int]:
    """Units each operation has to process: planned qty, then the previous operation's good qty."""
    inputs, available = [], wo.planned_qty
    for op in wo.operations:
        inputs.append(available)
        available = op.good_qty
    return inputs


def current_operation(wo: WorkOrder) -> tuple[WorkOrderOperation, int] | None:
    """The first operation not yet done, with the units it still has to process."""
    for op, inp in zip(wo.operations, operation_inputs(wo), strict=True):
        if op.status != "Completed":
            return op, max(inp - op.good_qty - op.scrap_qty, 0)
    return None


def progress_pct(wo: WorkOrder) -> float:
    """Share of the routing's work done, weighting each operation equally (0–100)."""
    if not wo.operations:
        return 0.0
    done = sum(1.0 if op.status == "Completed" else min((op.good_qty + op.scrap_qty) / wo.planned_qty, 1.0)
               for op in wo.operations)
    return round(100 * done / len(wo.operations), 1)


def _refresh_operations(wo: WorkOrder) -> bool:
    """Recompute each operation's status; True when every operation is done."""
    previous_done = True
    for op, inp in zip(wo.operations, operation_inputs(wo), strict=True):
        processed = op.good_qty + op.scrap_qty
        if previous_done and processed >= inp:
            op.status = "Completed"
        else:
            op.status = "InProgress" if processed else "Pending"
        previous_done = op.status == "Completed"
    return previous_done


def report_progress(session: Session, work_order_no: str, *, operation_no: int, good_qty: int,
                    scrap_qty: int, operator: str, work_center: str | None = None,
                    at: datetime | None = None) -> tuple[WorkOrder, ProgressReport]:
    """Book ``good_qty`` and ``scrap_qty`` on one operation; starts and may complete the order."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "a progress report", (RELEASED, IN_PROGRESS))
    index = next((i for i, op in enumerate(wo.operations) if op.operation_no == operation_no), None)
    if index is None:
        ops = ", ".join(str(op.operation_no) for op in wo.operations)
        raise BusinessError("unknown_operation", f"work order {work_order_no} has no operation {operation_no} "
                            f"(operations: {ops})", field="OperationNo")
    op = wo.operations[index]
    if work_center is not None and work_center != op.work_center:
        raise BusinessError("wrong_work_center", f"operation {operation_no} runs on {op.work_center}, "
                            f"not {work_center}", field="WorkCenter")
    get_operator(session, operator)
    if good_qty + scrap_qty <= 0:
        raise BusinessError("empty_report", "a report needs GoodQty or ScrapQty above 0", field="GoodQty")
    _check_quantities(wo, index, good_qty, scrap_qty)

    at = at or now_local()
    if wo.status == RELEASED:
        start(session, wo, at)
    op.good_qty += good_qty
    op.scrap_qty += scrap_qty
    report = ProgressReport(work_order_no=wo.work_order_no, operation_no=operation_no,
                            work_center=op.work_center, good_qty=good_qty, scrap_qty=scrap_qty,
                            operator=operator, reported_at=at)
    session.add(report)
    all_done = _refresh_operations(wo)
    session.flush()
    events.progress(session, wo, op, report)
    if all_done:
        last = wo.operations[-1]
        _finish(session, wo, good=last.good_qty, scrap=sum(o.scrap_qty for o in wo.operations), at=at)
    return wo, report


def _check_quantities(wo: WorkOrder, index: int, good_qty: int, scrap_qty: int) -> None:
    op = wo.operations[index]
    if index == 0:
        limit = max_good_qty(wo.planned_qty)
        if op.good_qty + good_qty > limit:
            raise BusinessError(
                "over_reported", f"operation {op.operation_no} would have {op.good_qty + good_qty} good of "
                f"planned {wo.planned_qty} (at most {limit} with tolerance)", field="GoodQty")
        return
    previous = wo.operations[index - 1]
    processed = op.good_qty + op.scrap_qty + good_qty + scrap_qty
    if processed > previous.good_qty:
        raise BusinessError(
            "over_reported", f"operation {op.operation_no} can process at most the {previous.good_qty} good "
            f"units operation {previous.operation_no} passed on; it would have processed {processed}",
            field="GoodQty")


def complete(session: Session, work_order_no: str, *, good_qty: int | None = None,
             scrap_qty: int | None = None) -> WorkOrder:
    """Complete an InProgress order; quantities default to what the operations reported."""
    wo = get_work_order(session, work_order_no)
    require_status(wo, "Complete", (IN_PROGRESS,))
    good = wo.operations[-1].good_qty if good_qty is None else good_qty
    scrap = sum(o.scrap_qty for o in wo.operations) if scrap_qty is None else scrap_qty
    if good + scrap <= 0:
        raise BusinessError("nothing_produced", "nothing was reported; give GoodQty or ScrapQty",
                            field="GoodQty")
    if good > max_good_qty(wo.planned_qty):
        raise BusinessError("over_reported", f"GoodQty {good} exceeds planned {wo.planned_qty} plus tolerance "
                            f"({max_good_qty(wo.planned_qty)})", field="GoodQty")
    _finish(session, wo, good=good, scrap=scrap, at=now_local())
    return wo


def _finish(session: Session, wo: WorkOrder, *, good: int, scrap: int, at: datetime) -> None:
    """Stamp totals, defect rate and lot (the row's new ``updated_at`` is how readers of the table
    learn of the completion); record the final inspection."""
    wo.status = COMPLETED
    wo.good_qty, wo.scrap_qty = good, scrap
    wo.defect_rate = round(scrap / (good + scrap), DEFECT_RATE_DECIMALS)
    wo.actual_start = wo.actual_start or at
    wo.actual_end = at
    wo.lots = [{"LotNo": f"LT{wo.work_order_no[2:]}-01", "Qty": good}] if good else []
    session.flush()
    quality.record_final_inspection(session, wo, at)


def list_reports(session: Session, work_order_no: str) -> Sequence[ProgressReport]:
    get_work_order(session, work_order_no)
    return session.scalars(select(ProgressReport).where(ProgressReport.work_order_no == work_order_no)
                           .order_by(ProgressReport.report_id)).all()
