"""Sales orders, and the reports other systems send about them through the hub."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from mocks.crm.schemas.base import Code, CrmIn, CrmModel, ExternalRefs, LocalDateTime, Money, Text

OrderStatus = Literal["draft", "submitted", "accepted", "blocked", "inProduction", "shipped",
                      "invoiced", "cancelled"]


class OrderLineIn(CrmIn):
    line_no: Annotated[int, Field(ge=1, le=9999)] | None = Field(
        default=None, description="Defaults to the line's position (1, 2, …)")
    product_code: Code
    quantity: Annotated[float, Field(gt=0, description="Must be > 0; whole units for PCS")]
    unit_price: Money | None = Field(default=None, description="Defaults to the product's list price")
    required_date: date | None = None


ORDER_EXAMPLE: dict[str, Any] = {
    "customerId": "CUS-000101", "salespersonId": "USR-0003", "customerPoNo": "MH-PO-8812",
    "lines": [{"productCode": "PRD-DESK-1200", "quantity": 50, "unitPrice": 1280.0,
               "requiredDate": "2026-12-20"},
              {"productCode": "PRD-CHAIR-ERG", "quantity": 50, "requiredDate": "2026-12-20"}],
}


class SalesOrderIn(CrmIn):
    model_config = ConfigDict(json_schema_extra={"examples": [ORDER_EXAMPLE]})

    customer_id: Code
    salesperson_id: str | None = Field(default=None, description="Defaults to the customer's owner")
    opportunity_id: str | None = None
    customer_po_no: str | None = None
    currency: Literal["CNY"] = "CNY"
    remarks: str | None = None
    lines: Annotated[list[OrderLineIn], Field(min_length=1)]
    external_refs: ExternalRefs = Field(default_factory=dict)


class SalesOrderPatch(CrmIn):
    """Changes to a draft; ``lines``, when sent, replace all lines."""

    salesperson_id: str | None = None
    customer_po_no: str | None = None
    remarks: str | None = None
    lines: Annotated[list[OrderLineIn], Field(min_length=1)] | None = None


class CancelIn(CrmIn):
    reason: Text


class CreditResultIn(CrmIn):
    """ERP's credit decision (canonical ``sales_order.credit_checked``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"result": "blocked", "reason": "overdue receivables 12000.00", "exposure": 57000,
         "creditLimit": 200000, "overdueAmount": 12000, "erpOrderNo": "SO2026000123"}]})

    result: Literal["accepted", "blocked"]
    reason: str | None = Field(default=None, description="Required when blocked")
    exposure: Money | None = None
    credit_limit: Money | None = None
    overdue_amount: Money | None = None
    checked_at: LocalDateTime | None = None
    erp_order_no: str | None = Field(default=None, description="ERP's number for this order, kept in externalRefs")


class PromisedLineIn(CrmIn):
    line_no: Annotated[int, Field(ge=1)]
    promised_date: date


class ConfirmationIn(CrmIn):
    """ERP's confirmation with promised dates (canonical ``sales_order.confirmed``)."""

    lines: Annotated[list[PromisedLineIn], Field(min_length=1)]
    warehouse: str | None = None
    erp_order_no: str | None = None
    confirmed_at: LocalDateTime | None = None


class ProductionProgressIn(CrmIn):
    """MES progress (canonical ``production_order.progress_reported``); quantities are cumulative."""

    production_order_no: Code
    operation: Code
    work_center: str | None = None
    qty_good: Annotated[float, Field(ge=0)]
    qty_scrap: Annotated[float, Field(ge=0)] = 0
    reported_at: LocalDateTime


class ProductionCompletionIn(CrmIn):
    """MES completion (canonical ``production_order.completed``)."""

    production_order_no: Code
    qty_good: Annotated[float, Field(ge=0)]
    qty_scrap: Annotated[float, Field(ge=0)] = 0
    defect_rate: Annotated[float, Field(ge=0, le=1, description="Fraction 0..1; computed when absent")] | None = None
    lots: list[str] = []
    completed_at: LocalDateTime


class RescheduleIn(CrmIn):
    """A production order moved (canonical ``production_order.rescheduled``)."""

    production_order_no: Code
    old_end: LocalDateTime | None = None
    new_end: LocalDateTime
    reason: str | None = None


InspectionKind = Literal["incoming", "inProcess", "final"]
InspectionResult = Literal["pass", "conditional", "fail"]


class QualityInspectionIn(CrmIn):
    """MES inspected the order's production (canonical ``quality.inspection.recorded``)."""

    inspection_no: Code
    kind: InspectionKind
    production_order_no: str | None = Field(default=None, description="The inspected production order")
    product_code: Code | None = Field(default=None, description="Sent when the CRM sells the inspected item; "
                                                                "must then be on the order")
    lot: str | None = None
    qty_inspected: Annotated[float, Field(gt=0)]
    qty_accepted: Annotated[float, Field(ge=0)] | None = None
    qty_rejected: Annotated[float, Field(ge=0)] | None = None
    result: InspectionResult
    comment: str | None = None
    inspected_at: LocalDateTime


class ShippedLineIn(CrmIn):
    product_code: Code
    quantity: Annotated[float, Field(gt=0)]
    lot: str | None = None


class ShipmentIn(CrmIn):
    """WMS dispatched goods (canonical ``shipment.dispatched``)."""

    shipment_no: Code
    carrier: str | None = None
    tracking_no: str | None = None
    shipped_at: LocalDateTime
    lines: list[ShippedLineIn] = []


class InvoiceIn(CrmIn):
    """ERP invoiced the order (canonical ``invoice.issued``)."""

    invoice_no: Code
    amount_untaxed: Money | None = None
    tax: Money | None = None
    total: Annotated[float, Field(gt=0)]
    due_date: date
    issued_at: LocalDateTime | None = None


class PaymentIn(CrmIn):
    """ERP received money (canonical ``payment.received``)."""

    payment_no: Code
    invoice_no: str | None = Field(default=None, description="Must be the order's invoice when sent")
    amount: Annotated[float, Field(gt=0)]
    received_at: LocalDateTime | None = None


class OrderLineOut(CrmModel):
    line_no: int
    product_code: str
    product_name: str
    uom: str
    quantity: float
    unit_price: float
    line_amount: float
    required_date: date | None
    promised_date: date | None


class ProductionRunOut(CrmModel):
    production_order_no: str
    status: str
    operation: str | None
    work_center: str | None
    qty_good: float
    qty_scrap: float
    defect_rate: float | None
    reported_at: LocalDateTime | None
    planned_end: LocalDateTime | None
    completed_at: LocalDateTime | None


class QualityInspectionOut(CrmModel):
    inspection_no: str
    kind: str
    production_order_no: str | None
    product_code: str | None
    lot: str | None
    qty_inspected: float
    qty_accepted: float | None
    qty_rejected: float | None
    result: str
    comment: str | None
    inspected_at: LocalDateTime


class TimelineEntryOut(CrmModel):
    occurred_at: LocalDateTime
    kind: str
    source: str
    summary: str
    details: dict[str, Any]


class SalesOrderOut(CrmModel):
    order_no: str
    status: str
    customer_id: str
    customer_name: str
    salesperson_id: str
    salesperson_name: str
    opportunity_id: str | None
    customer_po_no: str | None
    currency: str
    total_amount: float
    remarks: str | None
    external_refs: dict[str, str]
    lines: list[OrderLineOut]
    credit_status: str
    credit_reason: str | None
    credit_exposure: float | None
    credit_limit: float | None
    overdue_amount: float | None
    credit_checked_at: LocalDateTime | None
    production_status: str
    produced_qty: float
    scrap_qty: float
    defect_rate: float | None
    production_orders: list[ProductionRunOut] = Field(validation_alias="production_runs")
    quality_result: str | None = Field(description="The worst result among the inspections: fail, conditional "
                                                   "or pass; null before any")
    quality_inspections: list[QualityInspectionOut]
    shipment_no: str | None
    carrier: str | None
    tracking_no: str | None
    shipped_at: LocalDateTime | None
    invoice_no: str | None
    invoice_total: float | None
    invoice_due_date: date | None
    paid_amount: float
    paid: bool
    cancel_reason: str | None
    created_at: LocalDateTime
    submitted_at: LocalDateTime | None
    updated_at: LocalDateTime
    timeline: list[TimelineEntryOut]
