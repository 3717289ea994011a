"""MES webhook events: native names, the envelope, and one builder per event.

Envelope (the product's own, not CloudEvents)::

    {"EventType": "WorkOrderCompleted", "EventId": "msg_…",
     "Timestamp": "2026-03-02 17:05:00", "Plant": "SZ01", "Payload": {...}}

Payloads use the same PascalCase names and plant-time dates as the REST API,
so the hub's inbound mappings do the translation to canonical types.

A completion is not announced: the hub reads completed orders from MES's
work-order table (``mes_work_orders.updated_at``) and calls each
``WorkOrderCompleted``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.mes.models import Complaint, Inspection, ProgressReport, WorkOrder, WorkOrderOperation
from mocks.mes.timefmt import fmt, utc_to_local_text

PLANT = "SZ01"

WORK_ORDER_CREATED = "WorkOrderCreated"
WORK_ORDER_STATUS_CHANGED = "WorkOrderStatusChanged"
WORK_ORDER_PROGRESS = "WorkOrderProgress"
WORK_ORDER_COMPLETED = "WorkOrderCompleted"
WORK_ORDER_RESCHEDULED = "WorkOrderRescheduled"
INSPECTION_RECORDED = "InspectionRecorded"
COMPLAINT_RESOLVED = "ComplaintResolved"

CANONICAL: dict[str, str | None] = {
    WORK_ORDER_CREATED: None,  # acknowledgement of production_order.released (xref WorkOrderNo ↔ ExternalOrderNo)
    WORK_ORDER_STATUS_CHANGED: None,  # Start / Hold / Resume / Close, informational
    WORK_ORDER_PROGRESS: "production_order.progress_reported",
    WORK_ORDER_COMPLETED: "production_order.completed",  # read from the work-order table, not sent
    WORK_ORDER_RESCHEDULED: "production_order.rescheduled",
    INSPECTION_RECORDED: "quality.inspection.recorded",
    COMPLAINT_RESOLVED: "complaint.investigated",
}
"""Native event → the canonical type the hub should map it to (None: not a canonical event)."""


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The MES's native webhook body around ``data``."""
    return {"EventType": event_type, "EventId": event_id,
            "Timestamp": utc_to_local_text(occurred_at), "Plant": PLANT, "Payload": data}


def _order_ref(wo: WorkOrder) -> dict[str, Any]:
    return {"WorkOrderNo": wo.work_order_no, "ExternalOrderNo": wo.external_order_no,
            "PartNo": wo.part_no, "SourceSalesOrder": wo.source_sales_order}


def work_order_created(session: Session, wo: WorkOrder) -> str:
    return emit(session, WORK_ORDER_CREATED, {
        **_order_ref(wo), "PlannedQty": wo.planned_qty, "Uom": wo.uom, "BomVersion": wo.bom_version,
        "PlannedStart": fmt(wo.planned_start), "PlannedEnd": fmt(wo.planned_end), "Status": wo.status,
        "Operations": [{"OperationNo": op.operation_no, "WorkCenter": op.work_center}
                       for op in wo.operations]})


def status_changed(session: Session, wo: WorkOrder, old_status: str, at: datetime,
                   reason: str | None = None) -> str:
    return emit(session, WORK_ORDER_STATUS_CHANGED, {
        **_order_ref(wo), "OldStatus": old_status, "Status": wo.status, "Reason": reason,
        "ChangedAt": fmt(at)})


def progress(session: Session, wo: WorkOrder, op: WorkOrderOperation, report: ProgressReport) -> str:
    return emit(session, WORK_ORDER_PROGRESS, {
        **_order_ref(wo), "ReportId": report.report_id, "OperationNo": op.operation_no,
        "OperationName": op.name, "WorkCenter": report.work_center,
        "GoodQty": report.good_qty, "ScrapQty": report.scrap_qty,
        "OperationGoodQty": op.good_qty, "OperationScrapQty": op.scrap_qty,
        "OperationStatus": op.status, "PlannedQty": wo.planned_qty, "Uom": wo.uom,
        "Operator": report.operator, "ReportedAt": fmt(report.reported_at), "Status": wo.status})


def rescheduled(session: Session, wo: WorkOrder, old_start: datetime, old_end: datetime,
                reason: str | None, ref: str | None) -> str:
    return emit(session, WORK_ORDER_RESCHEDULED, {
        **_order_ref(wo), "OldPlannedStart": fmt(old_start), "NewPlannedStart": fmt(wo.planned_start),
        "OldPlannedEnd": fmt(old_end), "NewPlannedEnd": fmt(wo.planned_end),
        "Reason": reason, "Ref": ref, "Status": wo.status})


def inspection_recorded(session: Session, insp: Inspection, source_sales_order: str | None = None) -> str:
    """``SourceSalesOrder``: the sales order of the inspected work order (InProcess and Final), if any."""
    return emit(session, INSPECTION_RECORDED, {
        "InspectionNo": insp.inspection_no, "Kind": insp.kind, "RefDoc": insp.ref_doc,
        "PartNo": insp.part_no, "Lot": insp.lot, "QtyInspected": insp.qty_inspected,
        "QtyAccepted": insp.qty_accepted, "QtyRejected": insp.qty_rejected, "Result": insp.result,
        "Inspector": insp.inspector, "InspectedAt": fmt(insp.inspected_at), "Remark": insp.remark,
        "ExternalRef": insp.external_ref, "SourceSalesOrder": source_sales_order})


def complaint_resolved(session: Session, complaint: Complaint) -> str:
    return emit(session, COMPLAINT_RESOLVED, {
        "ComplaintNo": complaint.complaint_no, "ExternalRef": complaint.external_ref,
        "Customer": complaint.customer, "SourceSalesOrder": complaint.source_sales_order,
        "PartNo": complaint.part_no, "Lot": complaint.lot, "Severity": complaint.severity,
        "RootCause": complaint.root_cause, "CorrectiveAction": complaint.corrective_action,
        "Disposition": complaint.disposition, "Investigator": complaint.investigator,
        "ResolvedAt": fmt(complaint.resolved_at), "WorkOrders": list(complaint.work_orders),
        "Inspections": list(complaint.inspections)})
