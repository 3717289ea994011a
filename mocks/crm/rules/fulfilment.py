"""What other systems tell the CRM about an order, shown to the salesperson.

The hub calls these on behalf of ERP (credit, confirmation, invoice, payment),
MES (production progress, completion, reschedule) and WMS (shipment). Each
one updates the order's current fields and adds a timeline entry, and each
is *idempotent in effect*: a report the order already has (same reference,
same content) changes nothing, so the hub may retry freely; the same
reference with different content is a 409 ``conflicting_report`` rather than
a silent overwrite. None of them emits an event: the CRM only shows news
that other systems own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.crm import clock
from mocks.crm.models import ProductionRun, QualityInspection, SalesOrder
from mocks.crm.rules.common import get_order
from mocks.crm.rules.orders import move, note
from mocks.crm.schemas import (
    ConfirmationIn,
    CreditResultIn,
    InvoiceIn,
    PaymentIn,
    ProductionCompletionIn,
    ProductionProgressIn,
    QualityInspectionIn,
    RescheduleIn,
    ShipmentIn,
)

PRODUCING = frozenset({"accepted", "inProduction", "shipped", "invoiced"})
"""Statuses in which MES news is accepted (late reports after shipping are kept, status unchanged)."""
CONFIRMABLE = frozenset({"accepted", "inProduction"})


def record_credit_result(session: Session, order_no: str, body: CreditResultIn) -> SalesOrder:
    """ERP's credit check: submitted/blocked/accepted → accepted or blocked, the reason kept visible."""
    order = get_order(session, order_no)
    if body.result == "blocked" and not body.reason:
        raise BusinessError("reason_required", "a blocked credit result must say why", field="reason")
    figures = (body.result, body.reason, body.exposure, body.credit_limit, body.overdue_amount)
    current = (order.credit_status, order.credit_reason, order.credit_exposure, order.credit_limit,
               order.overdue_amount)
    if figures == current:
        return order
    if order.status != body.result:
        move(order, body.result, action=f"record credit result {body.result} for")
    order.credit_status = body.result
    order.credit_reason = body.reason
    order.credit_exposure = body.exposure
    order.credit_limit = body.credit_limit
    order.overdue_amount = body.overdue_amount
    order.credit_checked_at = body.checked_at or clock.now()
    if body.erp_order_no:
        order.external_refs = {**(order.external_refs or {}), "erp": body.erp_order_no}
    summary = ("credit accepted" if body.result == "accepted" else f"credit blocked: {body.reason}")
    note(order, "creditAccepted" if body.result == "accepted" else "creditBlocked", summary, source="erp",
         details=_details(body), at=order.credit_checked_at)
    order.updated_at = clock.now()
    session.flush()
    return order


PAST_PRODUCTION = frozenset({"shipped", "invoiced"})


def record_confirmation(session: Session, order_no: str, body: ConfirmationIn) -> SalesOrder:
    """ERP's promised dates per line; changes nothing when the dates are already shown."""
    order = get_order(session, order_no)
    if order.status not in CONFIRMABLE | PAST_PRODUCTION:  # a late confirmation still records the dates
        raise BusinessError("not_confirmable",
                            f"order {order_no} is {order.status}; ERP confirms only accepted orders",
                            field="status", status=409)
    by_no = {line.line_no: line for line in order.lines}
    changed = False
    for i, promised in enumerate(body.lines):
        line = by_no.get(promised.line_no)
        if line is None:
            raise BusinessError("unknown_line", f"order {order_no} has no line {promised.line_no}",
                                field=f"lines.{i}.lineNo")
        if line.promised_date != promised.promised_date:
            line.promised_date, changed = promised.promised_date, True
    if body.erp_order_no and (order.external_refs or {}).get("erp") != body.erp_order_no:
        order.external_refs, changed = {**(order.external_refs or {}), "erp": body.erp_order_no}, True
    if changed:
        dates = ", ".join(f"line {p.line_no}: {p.promised_date}" for p in body.lines)
        note(order, "confirmed", f"confirmed by ERP ({dates})", source="erp", details=_details(body),
             at=body.confirmed_at)
        order.updated_at = clock.now()
    session.flush()
    return order


def record_production_progress(session: Session, order_no: str, body: ProductionProgressIn) -> SalesOrder:
    """MES progress (cumulative per operation): the first report moves accepted → inProduction."""
    order = get_order(session, order_no)
    # Reports are cumulative per operation: two in the same second differ by their quantities.
    ref = (f"progress:{body.production_order_no}:{body.operation}:{body.reported_at.isoformat()}"
           f":{body.qty_good:g}:{body.qty_scrap:g}")
    if _already_reported(order, ref, body, "productionOrderNo"):
        return order
    _start_production(order)
    run = _run(order, body.production_order_no)
    newer = run.reported_at is None or clock.local(run.reported_at) <= body.reported_at
    if run.status != "completed" and newer:
        run.status = "inProgress"
        run.operation, run.work_center = body.operation, body.work_center
        run.qty_good, run.qty_scrap, run.reported_at = body.qty_good, body.qty_scrap, body.reported_at
    note(order, "productionProgress",
         f"{body.production_order_no} op {body.operation}: {body.qty_good:g} good, {body.qty_scrap:g} scrap",
         source="mes", ref=ref, details=_details(body), at=body.reported_at)
    _refresh_production_status(order)
    session.flush()
    return order


def record_production_completion(session: Session, order_no: str, body: ProductionCompletionIn) -> SalesOrder:
    """MES completion with the quality figures the customer will ask about."""
    order = get_order(session, order_no)
    ref = f"completion:{body.production_order_no}"
    if _already_reported(order, ref, body, "productionOrderNo"):
        return order
    _start_production(order)
    run = _run(order, body.production_order_no)
    made = body.qty_good + body.qty_scrap
    rate = body.defect_rate if body.defect_rate is not None else (round(body.qty_scrap / made, 6) if made else 0.0)
    run.status = "completed"
    run.qty_good, run.qty_scrap, run.defect_rate = body.qty_good, body.qty_scrap, rate
    run.completed_at = run.reported_at = body.completed_at
    note(order, "productionCompleted",
         f"{body.production_order_no} completed: {body.qty_good:g} good, {body.qty_scrap:g} scrap, "
         f"defect rate {rate:.2%}", source="mes", ref=ref, details=_details(body), at=body.completed_at)
    _refresh_production_status(order)
    session.flush()
    return order


def record_reschedule(session: Session, order_no: str, body: RescheduleIn) -> SalesOrder:
    """A production order's end moved: the salesperson sees the new expected date."""
    order = get_order(session, order_no)
    if order.status in PAST_PRODUCTION:
        return order  # the goods are already out: a late reschedule changes nothing
    if order.status not in CONFIRMABLE:
        raise BusinessError("not_in_production", f"order {order_no} is {order.status}; nothing to reschedule",
                            field="status", status=409)
    ref = f"reschedule:{body.production_order_no}:{body.new_end.isoformat()}"
    if _already_reported(order, ref, body, "productionOrderNo"):
        return order
    run = _run(order, body.production_order_no, new_status="planned")
    run.planned_end = body.new_end
    note(order, "productionRescheduled",
         f"{body.production_order_no} now ends {body.new_end.isoformat()}"
         + (f" ({body.reason})" if body.reason else ""), source="mes", ref=ref, details=_details(body))
    session.flush()
    return order


def record_quality_inspection(session: Session, order_no: str, body: QualityInspectionIn) -> SalesOrder:
    """MES inspected the order's production: the inspection is shown on the order (status unchanged).

    Accepted once the order has left draft — quality news about a cancelled or blocked order's
    production is still the customer's history. The quantities must add up, and a product the
    CRM names must be one the order sells.
    """
    order = get_order(session, order_no)
    if order.status == "draft":
        raise BusinessError("not_submitted", f"order {order_no} is a draft; nothing has been produced for it",
                            field="status", status=409)
    ref = f"inspection:{body.inspection_no}"
    if _already_reported(order, ref, body, "inspectionNo"):
        return order
    if body.qty_accepted is not None and body.qty_rejected is not None \
            and round(body.qty_accepted + body.qty_rejected, 3) != round(body.qty_inspected, 3):
        raise BusinessError("quantities_do_not_add_up",
                            f"qtyAccepted {body.qty_accepted:g} + qtyRejected {body.qty_rejected:g} "
                            f"≠ qtyInspected {body.qty_inspected:g}", field="qtyInspected")
    if body.product_code and body.product_code not in {line.product_code for line in order.lines}:
        raise BusinessError("product_not_on_order", f"order {order_no} has no line for {body.product_code}",
                            field="productCode")
    order.quality_inspections.append(QualityInspection(
        inspection_no=body.inspection_no, kind=body.kind, production_order_no=body.production_order_no,
        product_code=body.product_code, lot=body.lot, qty_inspected=body.qty_inspected,
        qty_accepted=body.qty_accepted, qty_rejected=body.qty_rejected, result=body.result,
        comment=body.comment, inspected_at=body.inspected_at))
    rejected = f", {body.qty_rejected:g} rejected" if body.qty_rejected else ""
    note(order, "qualityInspected",
         f"{body.kind} inspection {body.inspection_no}"
         + (f" of {body.production_order_no}" if body.production_order_no else "")
         + f": {body.result} ({body.qty_inspected:g} inspected{rejected})",
         source="mes", ref=ref, details=_details(body), at=body.inspected_at)
    order.updated_at = clock.now()
    session.flush()
    return order


def record_shipment(session: Session, order_no: str, body: ShipmentIn) -> SalesOrder:
    """WMS dispatched goods: accepted/inProduction → shipped; later shipments just add tracking."""
    order = get_order(session, order_no)
    ref = f"shipment:{body.shipment_no}"
    if _already_reported(order, ref, body, "shipmentNo"):
        return order
    ordered = {line.product_code for line in order.lines}
    for i, line in enumerate(body.lines):
        if line.product_code not in ordered:
            raise BusinessError("product_not_on_order",
                                f"order {order_no} has no line for {line.product_code}",
                                field=f"lines.{i}.productCode")
    if order.status not in ("shipped", "invoiced"):
        move(order, "shipped", action="ship")
    order.shipment_no, order.carrier, order.tracking_no = body.shipment_no, body.carrier, body.tracking_no
    order.shipped_at = body.shipped_at
    note(order, "shipped", f"shipped as {body.shipment_no}"
         + (f" via {body.carrier}, tracking {body.tracking_no}" if body.tracking_no else ""),
         source="wms", ref=ref, details=_details(body), at=body.shipped_at)
    order.updated_at = clock.now()
    session.flush()
    return order


def record_invoice(session: Session, order_no: str, body: InvoiceIn) -> SalesOrder:
    """ERP invoiced the shipped order: shipped → invoiced (one invoice per order)."""
    order = get_order(session, order_no)
    ref = f"invoice:{body.invoice_no}"
    if _already_reported(order, ref, body, "invoiceNo"):
        return order
    if order.invoice_no and order.invoice_no != body.invoice_no:
        raise BusinessError("already_invoiced", f"order {order_no} is already invoiced as {order.invoice_no}",
                            field="invoiceNo", status=409)
    move(order, "invoiced", action="invoice")
    order.invoice_no, order.invoice_total, order.invoice_due_date = body.invoice_no, body.total, body.due_date
    note(order, "invoiced", f"invoice {body.invoice_no}: {body.total:.2f}, due {body.due_date}",
         source="erp", ref=ref, details=_details(body), at=body.issued_at)
    session.flush()
    return order


def record_payment(session: Session, order_no: str, body: PaymentIn) -> SalesOrder:
    """ERP received money against the order's invoice; ``paid`` once the invoice is covered."""
    order = get_order(session, order_no)
    ref = f"payment:{body.payment_no}"
    if _already_reported(order, ref, body, "paymentNo"):
        return order
    if order.status != "invoiced":
        raise BusinessError("not_invoiced", f"order {order_no} is {order.status}; payments follow an invoice",
                            field="status", status=409)
    if body.invoice_no and body.invoice_no != order.invoice_no:
        raise BusinessError("wrong_invoice", f"order {order_no} is invoiced as {order.invoice_no}, "
                            f"not {body.invoice_no}", field="invoiceNo")
    order.paid_amount = round(order.paid_amount + body.amount, 2)
    order.updated_at = clock.now()
    note(order, "paymentReceived", f"payment {body.payment_no}: {body.amount:.2f} "
         f"(paid {order.paid_amount:.2f} of {order.invoice_total:.2f})",
         source="erp", ref=ref, details=_details(body), at=body.received_at)
    session.flush()
    return order


# ----------------------------------------------------------------- internals
def _details(body: Any) -> dict[str, Any]:
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


def _already_reported(order: SalesOrder, ref: str, body: Any, field: str) -> bool:
    """True if ``ref`` is on the timeline with the same content; 409 if with other content."""
    details = _details(body)
    for entry in order.timeline:
        if entry.ref == ref:
            if entry.details == details:
                return True
            raise BusinessError("conflicting_report",
                                f"{ref} was already reported with different content {entry.details}",
                                field=field, status=409)
    return False


def _start_production(order: SalesOrder) -> None:
    if order.status == "accepted":
        move(order, "inProduction", action="start production of")
    elif order.status not in PRODUCING:
        raise BusinessError("not_in_production",
                            f"order {order.order_no} is {order.status}; production news needs an accepted order",
                            field="status", status=409)


def _run(order: SalesOrder, production_order_no: str, *, new_status: str = "inProgress") -> ProductionRun:
    for run in order.production_runs:
        if run.production_order_no == production_order_no:
            return run
    run = ProductionRun(production_order_no=production_order_no, status=new_status, qty_good=0, qty_scrap=0)
    order.production_runs.append(run)
    return run


def _refresh_production_status(order: SalesOrder) -> None:
    statuses = {run.status for run in order.production_runs}
    order.production_status = ("completed" if statuses == {"completed"}
                               else "inProgress" if statuses - {"planned"} else "notStarted")
    order.updated_at = clock.now()
