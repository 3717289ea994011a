"""``/api/v1/salesOrders``: the salesperson's actions, and what other systems report through the hub.

The report endpoints (creditResult, confirmation, productionProgress,
productionCompletion, productionReschedule, shipment, invoice, payment)
are idempotent in effect: the same report twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from mocks.common import SessionDep
from mocks.crm.rules import fulfilment, orders
from mocks.crm.rules.common import get_order
from mocks.crm.schemas import (
    CancelIn,
    ConfirmationIn,
    CreditResultIn,
    InvoiceIn,
    OrderStatus,
    PaymentIn,
    ProductionCompletionIn,
    ProductionProgressIn,
    QualityInspectionIn,
    RescheduleIn,
    SalesOrderIn,
    SalesOrderOut,
    SalesOrderPatch,
    ShipmentIn,
)

router = APIRouter(prefix="/api/v1/salesOrders", tags=["salesOrders"])

_CONFLICT = {409: {"description": "The order's status does not allow this (the rule is named)"}}
_HUB_REPORT: dict[str, Any] = {"response_model": SalesOrderOut, "responses": {
    **_CONFLICT, 404: {"description": "No order with this orderNo"},
    422: {"description": "The report names a line or product the order lacks, or a field is invalid"}}}


@router.get("", summary="List sales orders", response_model=list[SalesOrderOut])
def list_orders(
    session: SessionDep,
    status: OrderStatus | None = Query(None),
    customer_id: str | None = Query(None, alias="customerId"),
    salesperson_id: str | None = Query(None, alias="salespersonId"),
) -> list[SalesOrderOut]:
    found = orders.list_orders(session, status=status, customer_id=customer_id, salesperson_id=salesperson_id)
    return [SalesOrderOut.model_validate(o) for o in found]


@router.post("", summary="Create a draft sales order", response_model=SalesOrderOut, status_code=201,
             description="Numbers the order `SO-<yyyymmdd>-<nnnn>`. Unknown or inactive customer, unknown "
                         "product, quantity ≤ 0 are refused with 422 naming the field. Nothing is sent to "
                         "other systems until the order is submitted.")
def create_order(body: SalesOrderIn, session: SessionDep) -> SalesOrderOut:
    return SalesOrderOut.model_validate(orders.create_order(session, body))


@router.get("/{orderNo}", summary="Get a sales order with everything other systems reported",
            response_model=SalesOrderOut)
def get_sales_order(orderNo: str, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    return SalesOrderOut.model_validate(get_order(session, orderNo))


@router.patch("/{orderNo}", summary="Edit a draft", response_model=SalesOrderOut, responses=_CONFLICT)
def patch_order(orderNo: str, body: SalesOrderPatch, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    return SalesOrderOut.model_validate(orders.update_draft(session, orderNo, body))


@router.post("/{orderNo}/submit", summary="Submit a draft (emits salesOrder.submitted)",
             response_model=SalesOrderOut, responses=_CONFLICT)
def submit_order(orderNo: str, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    return SalesOrderOut.model_validate(orders.submit_order(session, orderNo))


@router.post("/{orderNo}/cancel", summary="Cancel before production (emits salesOrder.cancelled if submitted)",
             response_model=SalesOrderOut, responses=_CONFLICT)
def cancel_order(orderNo: str, body: CancelIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    return SalesOrderOut.model_validate(orders.cancel_order(session, orderNo, body.reason))


@router.post("/{orderNo}/creditResult", summary="Show ERP's credit result", **_HUB_REPORT)
def record_credit_result(orderNo: str, body: CreditResultIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `sales_order.credit_checked`: submitted → accepted | blocked.

    A blocked result needs a reason, kept visible as `creditReason`; a later re-check may accept it.
    """
    return SalesOrderOut.model_validate(fulfilment.record_credit_result(session, orderNo, body))


@router.post("/{orderNo}/confirmation", summary="Show ERP's promised dates", **_HUB_REPORT)
def record_confirmation(orderNo: str, body: ConfirmationIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `sales_order.confirmed`: sets `promisedDate` per line of an accepted order."""
    return SalesOrderOut.model_validate(fulfilment.record_confirmation(session, orderNo, body))


@router.post("/{orderNo}/productionProgress", summary="Show MES production progress", **_HUB_REPORT)
def record_production_progress(orderNo: str, body: ProductionProgressIn,  # noqa: N803
                               session: SessionDep) -> SalesOrderOut:
    """Canonical `production_order.progress_reported`: cumulative qtyGood/qtyScrap per operation.

    The first report moves accepted → inProduction; an older report never rolls figures back.
    """
    return SalesOrderOut.model_validate(fulfilment.record_production_progress(session, orderNo, body))


@router.post("/{orderNo}/productionCompletion", summary="Show MES completion and defect rate", **_HUB_REPORT)
def record_production_completion(orderNo: str, body: ProductionCompletionIn,  # noqa: N803
                                 session: SessionDep) -> SalesOrderOut:
    """Canonical `production_order.completed`: qtyGood, qtyScrap, defectRate (0..1, computed when absent)."""
    return SalesOrderOut.model_validate(fulfilment.record_production_completion(session, orderNo, body))


@router.post("/{orderNo}/productionReschedule", summary="Show a moved production end date", **_HUB_REPORT)
def record_reschedule(orderNo: str, body: RescheduleIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `production_order.rescheduled`: the production order's new planned end."""
    return SalesOrderOut.model_validate(fulfilment.record_reschedule(session, orderNo, body))


@router.post("/{orderNo}/qualityInspection", summary="Show a quality inspection of the order's production",
             **_HUB_REPORT)
def record_quality_inspection(orderNo: str, body: QualityInspectionIn,  # noqa: N803
                              session: SessionDep) -> SalesOrderOut:
    """Canonical `quality.inspection.recorded` (in-process and final inspections of production pegged to
    the order): listed in `qualityInspections`, the worst result in `qualityResult`; the status is unchanged.
    A repeat changes nothing; the same inspectionNo with other content is a 409."""
    return SalesOrderOut.model_validate(fulfilment.record_quality_inspection(session, orderNo, body))


@router.post("/{orderNo}/shipment", summary="Show WMS's shipment", **_HUB_REPORT)
def record_shipment(orderNo: str, body: ShipmentIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `shipment.dispatched`: accepted | inProduction → shipped, with carrier and trackingNo."""
    return SalesOrderOut.model_validate(fulfilment.record_shipment(session, orderNo, body))


@router.post("/{orderNo}/invoice", summary="Show ERP's invoice", **_HUB_REPORT)
def record_invoice(orderNo: str, body: InvoiceIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `invoice.issued`: shipped → invoiced (one invoice per order)."""
    return SalesOrderOut.model_validate(fulfilment.record_invoice(session, orderNo, body))


@router.post("/{orderNo}/payment", summary="Show a payment received", **_HUB_REPORT)
def record_payment(orderNo: str, body: PaymentIn, session: SessionDep) -> SalesOrderOut:  # noqa: N803
    """Canonical `payment.received`: adds to `paidAmount` once per paymentNo; `paid` once the invoice is covered."""
    return SalesOrderOut.model_validate(fulfilment.record_payment(session, orderNo, body))
