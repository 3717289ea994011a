"""Request and response bodies in the MES's own vocabulary: PascalCase names,
plant-time dates ``yyyy-MM-dd HH:mm:ss``, the product's status words.

Requests refuse unknown fields (a mapping typo is a 422 naming it, not
silently ignored data).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

from mocks.mes.timefmt import EXAMPLE, LocalDateTime

WorkOrderStatus = Literal["Released", "InProgress", "Completed", "Closed", "OnHold"]
InspectionKind = Literal["Incoming", "InProcess", "Final"]
InspectionResult = Literal["Pass", "Conditional", "Fail"]
ComplaintSeverity = Literal["Low", "Medium", "High", "Critical"]
ComplaintStatus = Literal["Open", "Investigating", "Resolved"]
Disposition = Literal["Replace", "Credit", "Repair"]


class MesIn(BaseModel):
    """A request body: PascalCase only, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_pascal, validate_by_alias=True, validate_by_name=False,
                              extra="forbid")


class MesOut(BaseModel):
    """A response body, read from the ORM by attribute name, written in PascalCase."""

    model_config = ConfigDict(alias_generator=to_pascal, validate_by_name=True, from_attributes=True,
                              serialize_by_alias=True)


# ------------------------------------------------------------------ work orders
class WorkOrderIn(MesIn):
    """A released production order handed to the shop floor."""

    external_order_no: str = Field(min_length=1, max_length=60, examples=["MO-2026-0001"],
                                   description="The production order number of the sender (MRP); one work order each")
    part_no: str = Field(min_length=1, examples=["P-T1200"])
    planned_qty: int = Field(gt=0, examples=[30])
    uom: str | None = Field(None, examples=["PCS"], description="Defaults to the part's unit; must match it")
    bom_version: str | None = Field(None, examples=["A"], description="Defaults to the latest version in MES")
    planned_start: LocalDateTime
    planned_end: LocalDateTime
    source_sales_order: str | None = Field(None, max_length=60, examples=["SO-2026-0001"],
                                           description="The sales order this production serves, if any")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "ExternalOrderNo": "MO-2026-0001", "PartNo": "P-T1200", "PlannedQty": 30, "Uom": "PCS",
        "BomVersion": "A", "PlannedStart": EXAMPLE, "PlannedEnd": "2026-03-09 17:00:00",
        "SourceSalesOrder": "SO-2026-0001"}]})


class OperationOut(MesOut):
    operation_no: int
    name: str
    work_center: str
    minutes_per_unit: float
    input_qty: int = Field(description="Units this operation has to process (planned, or the previous op's good)")
    good_qty: int
    scrap_qty: int
    status: Literal["Pending", "InProgress", "Completed"]


class LotOut(BaseModel):
    LotNo: str
    Qty: int


class RescheduleOut(MesOut):
    old_planned_start: LocalDateTime
    new_planned_start: LocalDateTime
    old_planned_end: LocalDateTime
    new_planned_end: LocalDateTime
    reason: str | None
    ref: str | None
    rescheduled_at: LocalDateTime


class WorkOrderOut(MesOut):
    work_order_no: str = Field(examples=["WO2026030001"])
    external_order_no: str
    part_no: str
    planned_qty: int
    uom: str
    bom_version: str
    planned_start: LocalDateTime
    planned_end: LocalDateTime
    source_sales_order: str | None
    status: WorkOrderStatus
    hold_reason: str | None
    actual_start: LocalDateTime | None
    actual_end: LocalDateTime | None
    good_qty: int
    scrap_qty: int
    defect_rate: float | None = Field(description="ScrapQty / (GoodQty + ScrapQty), 4 decimals, at completion")
    progress_pct: float = Field(description="Share of the routing done, 0–100")
    lots: list[LotOut]
    operations: list[OperationOut]
    reschedules: list[RescheduleOut]
    created_at: LocalDateTime


class ReasonIn(MesIn):
    reason: str | None = Field(None, max_length=200)


class CompleteIn(MesIn):
    """Quantities default to what the operations reported."""

    good_qty: int | None = Field(None, ge=0)
    scrap_qty: int | None = Field(None, ge=0)


class RescheduleIn(MesIn):
    new_planned_end: LocalDateTime
    new_planned_start: LocalDateTime | None = None
    reason: str | None = Field(None, max_length=200, examples=["customer moved the date"])


class SalesOrderCancellationIn(MesIn):
    source_sales_order: str = Field(min_length=1)
    reason: str | None = Field(None, max_length=200)


class SalesOrderCancellationOut(MesOut):
    source_sales_order: str
    held_work_orders: list[str]


# ---------------------------------------------------------------------- reports
class ReportIn(MesIn):
    operation_no: int = Field(examples=[10])
    work_center: str | None = Field(None, examples=["WC-ASM"], description="Must be the operation's work center")
    good_qty: int = Field(ge=0, examples=[20])
    scrap_qty: int = Field(0, ge=0, examples=[1])
    operator: str = Field(min_length=1, examples=["OP-009"])


class ReportOut(MesOut):
    report_id: int
    work_order_no: str
    operation_no: int
    work_center: str
    good_qty: int
    scrap_qty: int
    operator: str
    reported_at: LocalDateTime


class ReportResultOut(MesOut):
    report: ReportOut
    work_order: WorkOrderOut


# ------------------------------------------------------------------ inspections
class InspectionIn(MesIn):
    kind: InspectionKind
    ref_doc: str | None = Field(None, max_length=60, examples=["WO2026030001"],
                                description="Receipt/PO for Incoming; the WorkOrderNo for InProcess and Final")
    part_no: str = Field(min_length=1, examples=["P-T1200"])
    lot: str | None = Field(None, max_length=40)
    qty_inspected: int = Field(gt=0, examples=[20])
    qty_accepted: int = Field(ge=0, examples=[19])
    qty_rejected: int = Field(ge=0, examples=[1])
    inspector: str | None = Field(None, examples=["OP-006"])
    remark: str | None = Field(None, max_length=200)
    external_ref: str | None = Field(None, max_length=80,
                                     description="The sender's id of this inspection; a repeat returns the first")


class InspectionOut(MesOut):
    inspection_no: str = Field(examples=["QC202603020001"])
    kind: InspectionKind
    ref_doc: str | None
    part_no: str
    lot: str | None
    qty_inspected: int
    qty_accepted: int
    qty_rejected: int
    result: InspectionResult
    inspector: str | None
    remark: str | None
    external_ref: str | None
    inspected_at: LocalDateTime


# -------------------------------------------------------------- material delays
class MaterialDelayIn(MesIn):
    part_no: str = Field(min_length=1, examples=["P-LEG-STL"], description="The late component")
    new_available_date: LocalDateTime
    reason: str | None = Field(None, max_length=200, examples=["supplier delay"])
    ref: str | None = Field(None, max_length=80, examples=["PO-2026-0001/1"],
                            description="The sender's reference (PO and line); a repeat returns the first")


class AffectedOut(BaseModel):
    WorkOrderNo: str
    OldPlannedStart: str
    NewPlannedStart: str
    OldPlannedEnd: str
    NewPlannedEnd: str


class MaterialDelayOut(MesOut):
    delay_no: str
    part_no: str
    new_available_date: LocalDateTime
    reason: str | None
    ref: str | None
    received_at: LocalDateTime
    affected: list[AffectedOut] = Field(serialization_alias="AffectedWorkOrders")


# ------------------------------------------------------------------ master data
class PartIn(MesIn):
    part_no: str | None = Field(None, max_length=40, description="Omit to let MES number it from ExternalItemNo")
    external_item_no: str | None = Field(None, max_length=40, examples=["100-0001"],
                                         description="The item code of the sender (ERP)")
    description: str = Field(min_length=1, max_length=200)
    uom: str = Field(min_length=1, max_length=10, examples=["PCS"])
    make_or_buy: Literal["Make", "Buy"]
    active: bool = True


class RoutingStepOut(MesOut):
    operation_no: int
    name: str
    work_center: str
    minutes_per_unit: float


class PartOut(MesOut):
    part_no: str
    external_item_no: str | None
    description: str
    uom: str
    make_or_buy: str
    active: bool
    routing: list[RoutingStepOut]


class BomLineIn(MesIn):
    line_no: int | None = Field(None, gt=0)
    component_part_no: str = Field(min_length=1, examples=["P-LEG-STL"])
    qty: float = Field(gt=0, examples=[4])
    uom: str | None = None


class BomIn(MesIn):
    bom_code: str | None = Field(None, max_length=60, examples=["BOM-P-T1200-B"])
    part_no: str = Field(min_length=1, examples=["P-T1200"])
    version: str = Field(min_length=1, max_length=10, examples=["B"])
    base_qty: float = Field(1, gt=0)
    effective_from: LocalDateTime | None = None
    lines: list[BomLineIn] = Field(min_length=1)


class BomLineOut(MesOut):
    line_no: int
    component_part_no: str
    qty: float
    uom: str


class BomOut(MesOut):
    bom_code: str
    part_no: str
    version: str
    base_qty: float
    effective_from: LocalDateTime | None
    received_at: LocalDateTime
    lines: list[BomLineOut]


class OperatorIn(MesIn):
    operator_no: str | None = Field(None, max_length=20, description="Omit to let MES number it (OP-nnn)")
    employee_id: str | None = Field(None, max_length=40, examples=["wutao"],
                                    description="The employee id of the sender (OA); upsert key")
    name: str = Field(min_length=1, max_length=60)
    department: str | None = None
    position: str | None = None
    shift: Literal["Day", "Night"] = "Day"
    roles: list[str] = Field(default_factory=list)
    start_date: LocalDateTime | None = None
    active: bool = True


class OperatorOut(MesOut):
    operator_no: str
    employee_id: str | None
    name: str
    department: str | None
    position: str | None
    shift: str
    roles: list[str]
    start_date: LocalDateTime | None
    active: bool


# ------------------------------------------------------------------- complaints
class ComplaintIn(MesIn):
    """A customer complaint handed to the quality department (from CRM, through the hub)."""

    external_ref: str = Field(min_length=1, max_length=80, examples=["CMP-000001"],
                              description="The sender's complaint id; one MES complaint each (a repeat returns it)")
    customer: str | None = Field(None, max_length=200, examples=["上海明辉贸易有限公司"])
    source_sales_order: str | None = Field(None, max_length=60, examples=["SO-20261122-0001"],
                                           description="The sales order complained about: links its work orders")
    part_no: str | None = Field(None, examples=["P-T1200"], description="Must be a part MES knows")
    lot: str | None = Field(None, max_length=40, examples=["LT2026120001-01"])
    severity: ComplaintSeverity = "Medium"
    description: str = Field(min_length=1, max_length=2000)


class InvestigationIn(MesIn):
    investigator: str = Field(min_length=1, examples=["OP-006"],
                              description="An operator of the quality department (role quality_manager or inspector)")


class ResolutionIn(MesIn):
    """The quality department's finding: why it happened, what changes so it does not happen again,
    and what the customer gets."""

    root_cause: str = Field(min_length=1, max_length=500, examples=["焊接电流偏低导致桌腿虚焊"])
    corrective_action: str = Field(min_length=1, max_length=500, examples=["调整焊接参数并对该批次全检"])
    disposition: Disposition
    investigator: str = Field(min_length=1, examples=["OP-006"])


class ComplaintOut(MesOut):
    complaint_no: str = Field(examples=["QN2026120001"])
    external_ref: str
    customer: str | None
    source_sales_order: str | None
    part_no: str | None
    lot: str | None
    severity: ComplaintSeverity
    description: str
    status: ComplaintStatus
    work_orders: list[str] = Field(description="Work orders behind the complaint (its sales order, part or lot)")
    inspections: list[str] = Field(description="Inspections of those work orders or of the lot")
    investigator: str | None
    root_cause: str | None
    corrective_action: str | None
    disposition: Disposition | None
    received_at: LocalDateTime
    investigation_started_at: LocalDateTime | None
    resolved_at: LocalDateTime | None
