"""ORM records → response bodies, adding the figures MES computes on read."""

from __future__ import annotations

from mocks.mes.models import WorkOrder
from mocks.mes.rules.progress import operation_inputs, progress_pct
from mocks.mes.schemas import OperationOut, RescheduleOut, WorkOrderOut


def work_order_out(wo: WorkOrder) -> WorkOrderOut:
    operations = [OperationOut(operation_no=op.operation_no, name=op.name, work_center=op.work_center,
                               minutes_per_unit=op.minutes_per_unit, input_qty=inp, good_qty=op.good_qty,
                               scrap_qty=op.scrap_qty, status=op.status)  # type: ignore[arg-type]
                  for op, inp in zip(wo.operations, operation_inputs(wo), strict=True)]
    return WorkOrderOut(
        work_order_no=wo.work_order_no, external_order_no=wo.external_order_no, part_no=wo.part_no,
        planned_qty=wo.planned_qty, uom=wo.uom, bom_version=wo.bom_version, planned_start=wo.planned_start,
        planned_end=wo.planned_end, source_sales_order=wo.source_sales_order,
        status=wo.status,  # type: ignore[arg-type]
        hold_reason=wo.hold_reason, actual_start=wo.actual_start, actual_end=wo.actual_end,
        good_qty=wo.good_qty, scrap_qty=wo.scrap_qty, defect_rate=wo.defect_rate,
        progress_pct=progress_pct(wo), lots=wo.lots, operations=operations,  # type: ignore[arg-type]
        reschedules=[RescheduleOut.model_validate(r) for r in wo.reschedules], created_at=wo.created_at)
