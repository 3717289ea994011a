"""Complaints and stock alerts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from mocks.crm.schemas.base import Code, CrmIn, CrmModel, LocalDateTime, Text

Severity = Literal["low", "medium", "high", "critical"]


class ComplaintIn(CrmIn):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"customerId": "CUS-000101", "orderNo": "SO-20261122-0001", "productCode": "PRD-DESK-1200",
         "lot": "LOT-20261201-01", "severity": "high", "description": "桌腿焊缝开裂 (leg weld cracked)"}]})

    customer_id: Code
    order_no: str | None = None
    product_code: str | None = None
    lot: str | None = None
    severity: Severity
    description: Text
    reported_by: str | None = None


class AssignmentIn(CrmIn):
    """OA routed the complaint as a task (canonical ``complaint.assigned``)."""

    task_id: Code
    department: Code
    assignee: Code
    due_at: LocalDateTime | None = None


class ResolutionIn(CrmIn):
    """The complaint was resolved (canonical ``complaint.resolved``)."""

    root_cause: Text
    corrective_action: str | None = Field(default=None, max_length=2000,
                                          description="What the company changes so it does not happen again")
    disposition: Literal["replace", "credit", "repair"]
    resolved_at: LocalDateTime


class ComplaintOut(CrmModel):
    complaint_id: str
    status: str
    customer_id: str
    customer_name: str
    order_no: str | None
    product_code: str | None
    lot: str | None
    severity: str
    description: str
    reported_by: str | None
    task_id: str | None
    department: str | None
    assignee: str | None
    due_at: LocalDateTime | None
    assigned_at: LocalDateTime | None
    root_cause: str | None
    corrective_action: str | None
    disposition: str | None
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    opened_at: LocalDateTime
    updated_at: LocalDateTime


class StockAlertIn(CrmIn):
    """WMS says a product is below safety stock (canonical ``inventory.below_safety_stock``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"productCode": "PRD-CHAIR-ERG", "warehouse": "WH02", "available": 4, "safetyStock": 10,
         "shortfall": 6, "suggestedQty": 20, "substitutes": ["PRD-DESK-1200"]}]})

    product_code: Code
    warehouse: Code
    available: float
    safety_stock: Annotated[float, Field(ge=0)]
    shortfall: Annotated[float, Field(gt=0)]
    suggested_qty: Annotated[float, Field(ge=0)] | None = None
    substitutes: list[str] = Field(default_factory=list, description="productCodes sales may offer instead")
    source_ref: str | None = Field(default=None, description="The sender's id of this alert")
    raised_at: LocalDateTime | None = None


class SubstituteOut(CrmModel):
    product_code: str
    name: str
    list_price: float | None


class AcknowledgeIn(CrmIn):
    acknowledged_by: Code


class StockAlertOut(CrmModel):
    alert_id: str
    status: str
    product_code: str
    product_name: str
    warehouse: str
    available: float
    safety_stock: float
    shortfall: float
    suggested_qty: float | None
    substitutes: list[SubstituteOut]
    source_ref: str | None
    acknowledged_by: str | None
    raised_at: LocalDateTime
    updated_at: LocalDateTime
