"""``/api/v1/complaints`` and ``/api/v1/alerts``: after-sales service and stock alerts for sales."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.crm.rules import alerts, complaints
from mocks.crm.schemas import (
    AcknowledgeIn,
    AssignmentIn,
    ComplaintIn,
    ComplaintOut,
    ResolutionIn,
    StockAlertIn,
    StockAlertOut,
)

router = APIRouter(prefix="/api/v1")
_CONFLICT = {409: {"description": "The complaint's status does not allow this (the rule is named)"}}


@router.get("/complaints", tags=["complaints"], summary="List complaints", response_model=list[ComplaintOut])
def list_complaints(
    session: SessionDep,
    status: Literal["open", "assigned", "resolved", "closed"] | None = Query(None),
    customer_id: str | None = Query(None, alias="customerId"),
    order_no: str | None = Query(None, alias="orderNo"),
) -> list[ComplaintOut]:
    found = complaints.list_complaints(session, status=status, customer_id=customer_id, order_no=order_no)
    return [ComplaintOut.model_validate(c) for c in found]


@router.post("/complaints", tags=["complaints"], summary="Open a complaint (emits complaint.opened)",
             response_model=ComplaintOut, status_code=201,
             description="The order (if any) must be the customer's, and the product one of its lines.")
def open_complaint(body: ComplaintIn, session: SessionDep) -> ComplaintOut:
    return ComplaintOut.model_validate(complaints.open_complaint(session, body))


@router.get("/complaints/{complaintId}", tags=["complaints"], summary="Get a complaint",
            response_model=ComplaintOut)
def get_complaint(complaintId: str, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.get_complaint(session, complaintId))


@router.post("/complaints/{complaintId}/assignment", tags=["complaints"], response_model=ComplaintOut,
             summary="Show OA's task for the complaint", responses=_CONFLICT,
             description="canonical `complaint.assigned`: open → assigned; the same assignment again is a no-op.")
def record_assignment(complaintId: str, body: AssignmentIn, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.record_assignment(session, complaintId, body))


@router.post("/complaints/{complaintId}/resolution", tags=["complaints"], response_model=ComplaintOut,
             summary="Show the resolution", responses=_CONFLICT,
             description="canonical `complaint.resolved`: assigned → resolved with rootCause and disposition.")
def record_resolution(complaintId: str, body: ResolutionIn, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.record_resolution(session, complaintId, body))


@router.post("/complaints/{complaintId}/close", tags=["complaints"], response_model=ComplaintOut,
             summary="Close a resolved complaint", responses=_CONFLICT)
def close_complaint(complaintId: str, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.close_complaint(session, complaintId))


@router.get("/alerts", tags=["alerts"], summary="List stock alerts", response_model=list[StockAlertOut])
def list_alerts(
    session: SessionDep,
    status: Literal["open", "acknowledged"] | None = Query(None),
    product_code: str | None = Query(None, alias="productCode"),
) -> list[StockAlertOut]:
    return [StockAlertOut.model_validate(a)
            for a in alerts.list_alerts(session, status=status, product_code=product_code)]


@router.post("/alerts", tags=["alerts"], summary="Show a safety-stock alert to sales", response_model=StockAlertOut,
             status_code=201, responses={200: {"description": "The open alert for this product and warehouse "
                                                              "was refreshed"}},
             description="canonical `inventory.below_safety_stock`. One open alert per product and warehouse.")
def raise_alert(body: StockAlertIn, session: SessionDep, response: Response) -> StockAlertOut:
    alert, created = alerts.raise_alert(session, body)
    response.status_code = 201 if created else 200
    return StockAlertOut.model_validate(alert)


@router.get("/alerts/{alertId}", tags=["alerts"], summary="Get a stock alert", response_model=StockAlertOut)
def get_alert(alertId: str, session: SessionDep) -> StockAlertOut:  # noqa: N803
    return StockAlertOut.model_validate(alerts.get_alert(session, alertId))


@router.post("/alerts/{alertId}/acknowledge", tags=["alerts"], summary="Sales saw the alert",
             response_model=StockAlertOut)
def acknowledge_alert(alertId: str, body: AcknowledgeIn, session: SessionDep) -> StockAlertOut:  # noqa: N803
    return StockAlertOut.model_validate(alerts.acknowledge_alert(session, alertId, body.acknowledged_by))
