"""``/api/WorkOrders``: create from a released production order, query, report, transition."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.mes.rules import progress, workorders
from mocks.mes.rules.common import get_work_order
from mocks.mes.schemas import (
    CompleteIn,
    ReasonIn,
    ReportIn,
    ReportOut,
    ReportResultOut,
    SalesOrderCancellationIn,
    SalesOrderCancellationOut,
    WorkOrderIn,
    WorkOrderOut,
    WorkOrderStatus,
)
from mocks.mes.views import work_order_out

router = APIRouter(prefix="/api", tags=["WorkOrders"])
ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "No such work order"},
    409: {"description": "Not allowed in the work order's current status (named in the message)"},
    422: {"description": "A field breaks a rule; `error.field` names it"},
}


@router.post("/WorkOrders", response_model=WorkOrderOut, status_code=201, responses={
    200: {"description": "A work order for this ExternalOrderNo already exists; it is returned unchanged",
          "model": WorkOrderOut}, **ERRORS},
             summary="Create a work order from a released production order")
def create_work_order(body: WorkOrderIn, session: SessionDep, response: Response) -> WorkOrderOut:
    """One work order per `ExternalOrderNo`: a repeat answers 200 with the existing order.
    Operations are generated from the part's routing. Emits `WorkOrderCreated`."""
    wo, created = workorders.create_work_order(session, **dict(body))
    if not created:
        response.status_code = 200
    return work_order_out(wo)


@router.get("/WorkOrders", response_model=list[WorkOrderOut], summary="List work orders")
def list_work_orders(session: SessionDep,
                     source_sales_order: str | None = Query(None, alias="SourceSalesOrder"),
                     status: WorkOrderStatus | None = Query(None, alias="Status"),
                     part_no: str | None = Query(None, alias="PartNo"),
                     external_order_no: str | None = Query(None, alias="ExternalOrderNo")) -> list[WorkOrderOut]:
    """Filter by `SourceSalesOrder` for order-status lookups, or by status, part, external order."""
    return [work_order_out(wo) for wo in workorders.list_work_orders(
        session, source_sales_order=source_sales_order, status=status, part_no=part_no,
        external_order_no=external_order_no)]


@router.get("/WorkOrders/{WorkOrderNo}", response_model=WorkOrderOut, responses=ERRORS,
            summary="A work order with its progress per operation")
def get_work_order_route(WorkOrderNo: str, session: SessionDep) -> WorkOrderOut:  # noqa: N803
    return work_order_out(get_work_order(session, WorkOrderNo))


@router.post("/WorkOrders/{WorkOrderNo}/Reports", response_model=ReportResultOut, status_code=201,
             responses=ERRORS, summary="Report progress on one operation")
def report(WorkOrderNo: str, body: ReportIn, session: SessionDep) -> ReportResultOut:  # noqa: N803
    """Books good and scrap units on an operation. The first report starts the order
    (InProgress); when the last operation has processed everything, the order completes.
    Emits `WorkOrderProgress` (and `InspectionRecorded` on completion; the completed order is read from the work-order table)."""
    wo, rep = progress.report_progress(session, WorkOrderNo, **dict(body))
    return ReportResultOut(report=ReportOut.model_validate(rep), work_order=work_order_out(wo))


@router.get("/WorkOrders/{WorkOrderNo}/Reports", response_model=list[ReportOut], responses=ERRORS,
            summary="The progress reports of a work order")
def list_reports(WorkOrderNo: str, session: SessionDep) -> list[ReportOut]:  # noqa: N803
    return [ReportOut.model_validate(r) for r in progress.list_reports(session, WorkOrderNo)]


@router.post("/WorkOrders/{WorkOrderNo}/Start", response_model=WorkOrderOut, responses=ERRORS,
             summary="Released → InProgress")
def start(WorkOrderNo: str, session: SessionDep) -> WorkOrderOut:  # noqa: N803
    return work_order_out(workorders.start_by_no(session, WorkOrderNo))


@router.post("/WorkOrders/{WorkOrderNo}/Complete", response_model=WorkOrderOut, responses=ERRORS,
             summary="InProgress → Completed")
def complete(WorkOrderNo: str, session: SessionDep, body: CompleteIn | None = None) -> WorkOrderOut:  # noqa: N803
    """Completes with the given GoodQty/ScrapQty, or what the operations reported.
    Stamps DefectRate, lot numbers, actual end; records the Final inspection.
    Emits `InspectionRecorded`; the completed order is read from the work-order table."""
    body = body or CompleteIn()
    return work_order_out(progress.complete(session, WorkOrderNo, good_qty=body.good_qty,
                                            scrap_qty=body.scrap_qty))


@router.post("/WorkOrders/{WorkOrderNo}/Hold", response_model=WorkOrderOut, responses=ERRORS,
             summary="Released/InProgress → OnHold")
def hold(WorkOrderNo: str, session: SessionDep, body: ReasonIn | None = None) -> WorkOrderOut:  # noqa: N803
    return work_order_out(workorders.hold(session, WorkOrderNo, body.reason if body else None))


@router.post("/WorkOrders/{WorkOrderNo}/Resume", response_model=WorkOrderOut, responses=ERRORS,
             summary="OnHold → the status before the hold")
def resume(WorkOrderNo: str, session: SessionDep) -> WorkOrderOut:  # noqa: N803
    return work_order_out(workorders.resume(session, WorkOrderNo))


@router.post("/WorkOrders/{WorkOrderNo}/Close", response_model=WorkOrderOut, responses=ERRORS,
             summary="Completed → Closed")
def close(WorkOrderNo: str, session: SessionDep) -> WorkOrderOut:  # noqa: N803
    return work_order_out(workorders.close(session, WorkOrderNo))


@router.post("/SalesOrderCancellations", response_model=SalesOrderCancellationOut,
             summary="Hold the open work orders of a cancelled sales order")
def cancel_sales_order(body: SalesOrderCancellationIn, session: SessionDep) -> SalesOrderCancellationOut:
    """From `sales_order.cancelled`: every Released/InProgress order with that SourceSalesOrder goes
    OnHold (a planner decides whether to finish or scrap it). A repeat holds nothing new."""
    held = workorders.hold_for_sales_order(session, body.source_sales_order, body.reason)
    return SalesOrderCancellationOut(source_sales_order=body.source_sales_order,
                                     held_work_orders=[wo.work_order_no for wo in held])

