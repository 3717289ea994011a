"""MRP's request and response documents: flat, snake_case, dates ``YYYYMMDD``.

Requests refuse unknown fields (422 naming the field), so a mapping that
sends the wrong name learns it at once instead of being silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from mocks.mrp.dates import parse_date
from mocks.mrp.models import Bom, Demand, Item, PlannedOrder, Run, Stock, Supply


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _valid_date(value: str) -> str:
    parse_date(value)
    return value


Qty = Annotated[float, PlainSerializer(_number, return_type=int | float)]
"""A quantity: written as an integer when it is whole (``30``, not ``30.0``)."""
DateStr = Annotated[str, Field(pattern=r"^\d{8}$", examples=["20270118"]), AfterValidator(_valid_date)]
"""A calendar date as ``YYYYMMDD``."""
Code = Annotated[str, Field(min_length=1, max_length=40, examples=["T"])]
Ref = Annotated[str, Field(min_length=1, max_length=60, examples=["SO-2026-000123"])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ items
class ItemIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["办公桌 1200"])
    uom: str = Field("PCS", max_length=10)
    supply: Literal["make", "buy"]
    lead_time_days: int = Field(0, ge=0, le=365)
    safety_stock: Qty = Field(0, ge=0)
    lot_min: Qty = Field(0, ge=0, description="minimum lot; 0 = none")
    lot_multiple: Qty = Field(0, ge=0, description="round lots up to a multiple of this; 0 = none")
    std_cost: float = Field(0, ge=0, description="standard cost per unit (CNY), prices requisitions")
    item_class: Literal["RM", "FG"] = Field("RM", description="RM raw material / FG finished good; picks the budget")


class ItemOut(BaseModel):
    code: str
    name: str
    uom: str
    supply: str
    lead_time_days: int
    safety_stock: Qty
    lot_min: Qty
    lot_multiple: Qty
    std_cost: float
    item_class: str
    low_level_code: int = Field(description="deepest BOM level the item appears at (0 = top)")
    updated: str

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls.model_validate(item, from_attributes=True)


# ------------------------------------------------------------------- BOMs
class BomLineIn(_In):
    component: Code
    qty: Qty = Field(gt=0, description="quantity per base_qty of the parent")


class BomIn(_In):
    parent_item: Code
    version: str = Field(min_length=1, max_length=20, examples=["A"])
    base_qty: Qty = Field(1, gt=0)
    effective_from: DateStr | None = Field(None, description="first date the version is used; null = always")
    lines: list[BomLineIn] = Field(min_length=1)


class BomLineOut(BaseModel):
    line_no: int
    component: str
    qty: Qty
    uom: str


class BomOut(BaseModel):
    bom_id: int
    parent_item: str
    version: str
    base_qty: Qty
    effective_from: str | None
    updated: str
    lines: list[BomLineOut]

    @classmethod
    def of(cls, bom: Bom, uoms: dict[str, str]) -> BomOut:
        return cls(bom_id=bom.id, parent_item=bom.parent_item, version=bom.version, base_qty=bom.base_qty,
                   effective_from=bom.effective_from, updated=bom.updated,
                   lines=[BomLineOut(line_no=ln.line_no, component=ln.component, qty=ln.qty,
                                     uom=uoms.get(ln.component, "PCS")) for ln in bom.lines])


# ------------------------------------------------------------------ stock
class StockIn(_In):
    on_hand: Qty = Field(ge=0, examples=[40])
    warehouse: str | None = Field(None, max_length=40, description="reporting warehouse, informational")
    ref_doc: str | None = Field(None, max_length=60, description="the document that changed it")


class StockOut(BaseModel):
    item: str
    on_hand: Qty
    warehouse: str | None
    ref_doc: str | None
    updated: str | None

    @classmethod
    def of(cls, stock: Stock) -> StockOut:
        return cls.model_validate(stock, from_attributes=True)


# ---------------------------------------------------------------- demands
SourceKind = Literal["sales_order", "forecast", "manual"]


class DemandLineIn(_In):
    line_no: int = Field(1, ge=1)
    item: Code
    qty: Qty = Field(gt=0)
    due_date: DateStr


class DemandIn(DemandLineIn):
    source_ref: Ref = Field(description="the document the demand comes from, e.g. the sales order number")
    source_kind: SourceKind = "sales_order"


class DemandSetIn(_In):
    source_kind: SourceKind = "sales_order"
    lines: list[DemandLineIn] = Field(min_length=1)


class DemandCloseIn(_In):
    reason: str | None = Field(None, max_length=200)


class DemandOut(BaseModel):
    demand_id: int
    source_ref: str
    line_no: int
    source_kind: str
    item: str
    qty: Qty
    due_date: str
    status: str = Field(description="open | cancelled | fulfilled")
    note: str | None
    updated: str

    @classmethod
    def of(cls, d: Demand) -> DemandOut:
        return cls(demand_id=d.id, **{k: getattr(d, k) for k in (
            "source_ref", "line_no", "source_kind", "item", "qty", "due_date", "status", "note", "updated")})


# --------------------------------------------------------------- supplies
class SupplyIn(_In):
    ref: Ref = Field(examples=["PO-2026-0001"], description="purchase or production order number")
    line_no: int = Field(1, ge=1)
    kind: Literal["purchase", "production"] = "purchase"
    item: Code
    qty: Qty = Field(gt=0)
    due_date: DateStr
    supplier: str | None = Field(None, max_length=40)
    requisition_ref: str | None = Field(None, max_length=20, examples=["PR-000001"],
                                        description="the MRP requisition this order converts, if any")


class SupplyOut(BaseModel):
    supply_id: int
    ref: str
    line_no: int
    kind: str
    item: str
    qty: Qty
    received_qty: Qty
    open_qty: Qty
    due_date: str
    original_due_date: str
    status: str = Field(description="open | closed")
    supplier: str | None
    requisition_ref: str | None
    updated: str

    @classmethod
    def of(cls, s: Supply) -> SupplyOut:
        return cls(supply_id=s.id, open_qty=max(0.0, s.qty - s.received_qty), **{k: getattr(s, k) for k in (
            "ref", "line_no", "kind", "item", "qty", "received_qty", "due_date", "original_due_date",
            "status", "supplier", "requisition_ref", "updated")})


class DelayIn(_In):
    new_due_date: DateStr
    line_no: int | None = Field(None, ge=1, description="the delayed line; null = every open line")
    reason: str | None = Field(None, max_length=200, examples=["supplier capacity"])


class ReceiptIn(_In):
    qty: Qty = Field(gt=0)
    line_no: int | None = Field(None, ge=1, description="null = the first open line")


class AffectedOrder(BaseModel):
    planned_order_id: int
    order_no: str | None
    item: str
    old_start: str
    new_start: str
    old_end: str
    new_end: str
    origin_ref: str | None = Field(None, description="the demand the order is pegged to (a sales order), if any")


class DelayOut(BaseModel):
    ref: str
    new_due_date: str
    reason: str | None
    supplies: list[SupplyOut]
    affected_orders: list[AffectedOrder]
    run_id: int | None = Field(description="the re-plan run, when auto-planning is on")


# ------------------------------------------------------------------- runs
class RunIn(_In):
    start_date: DateStr | None = Field(None, description="first bucket's date; null = today")
    bucket_days: int = Field(1, ge=1, le=31, description="1 = daily buckets, 7 = weekly")
    horizon: int = Field(120, ge=1, le=1000, description="number of buckets planned")


class PlannedOrderOut(BaseModel):
    planned_order_id: int
    run_id: int
    item: str
    action: str = Field(description="make → production order, buy → purchase requisition")
    qty: Qty
    uom: str
    received_qty: Qty
    due_date: str
    release_date: str
    late: bool = Field(description="release date before the run's start")
    status: str = Field(description="planned | firmed | released | converted | completed | replaced")
    order_no: str | None = Field(description="MO-… or PR-… once released")
    bom_version: str | None
    origin_ref: str | None = Field(description="sales order it is pegged to, if traceable")
    released: str | None

    @classmethod
    def of(cls, po: PlannedOrder, uom: str) -> PlannedOrderOut:
        return cls(planned_order_id=po.id, uom=uom, **{k: getattr(po, k) for k in (
            "run_id", "item", "action", "qty", "received_qty", "due_date", "release_date", "late",
            "status", "order_no", "bom_version", "origin_ref", "released")})


class RunOut(BaseModel):
    run_id: int
    start_date: str
    bucket_days: int
    horizon: int
    trigger: str
    status: str = Field(description="completed | superseded (a later run replaced its unfirmed orders)")
    planned_count: int
    late_count: int
    created: str
    planned_orders: list[PlannedOrderOut]

    @classmethod
    def of(cls, run: Run, orders: list[PlannedOrderOut]) -> RunOut:
        return cls(run_id=run.id, planned_orders=orders, **{k: getattr(run, k) for k in (
            "start_date", "bucket_days", "horizon", "trigger", "status", "planned_count", "late_count",
            "created")})


class SettingsDoc(_In):
    auto_plan: bool = Field(description="a new demand runs MRP at once (daily, from today) and releases the result")
