"""SRM's request and response bodies, in its own vocabulary: camelCase, ``YYYY/MM/DD`` dates.

Requests refuse unknown fields (a misspelt field from a mapping is an error the
sender should see, not data silently dropped). Responses are read straight from
the ORM objects (``from_attributes``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel

from mocks.srm import vocab


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return vocab.parse_date(value)
    raise ValueError("expected a date as YYYY/MM/DD")


SrmDate = Annotated[
    date,
    BeforeValidator(_to_date),
    PlainSerializer(vocab.fmt_date, return_type=str),
    WithJsonSchema({"type": "string", "pattern": vocab.DATE_PATTERN, "examples": ["2026/12/15"]}),
]
"""A date written ``YYYY/MM/DD`` (SRM's format, in and out)."""

Timestamp = Annotated[
    datetime,
    PlainSerializer(vocab.fmt_timestamp, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-11-22T02:30:00.000Z"]}),
]
"""An instant, ISO 8601 in UTC with ``Z``."""

SupplierStatus = Literal["APPROVED", "PENDING", "BLOCKED"]
Decision = Literal["approved", "rejected", "cancelled"]
LineAnswer = Literal["ACCEPTED", "CHANGED", "REJECTED"]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class _In(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


# ------------------------------------------------------------------ materials
class MaterialIn(_In):
    name: str = Field(min_length=1, max_length=200, alias="materialName", examples=["钢制桌腿"])
    uom: str = Field("PCS", min_length=1, max_length=10)


class MaterialOut(_Out):
    code: str = Field(alias="materialCode", examples=["M-LEG-STL"])
    name: str = Field(alias="materialName")
    uom: str


# ------------------------------------------------------------------ suppliers
class SupplierIn(_In):
    name: str = Field(min_length=1, max_length=200, alias="supplierName", examples=["江苏永固五金制品有限公司"])
    name_en: str | None = Field(None, max_length=200)
    tax_id: str = Field(description="Unified social credit code (18 characters, check digit verified)",
                        examples=["91320583MA1MXY9L64"])
    status: Annotated[SupplierStatus, BeforeValidator(_upper)] = Field(
        "PENDING", description="Qualification: new suppliers start PENDING until qualified")
    rating: float = Field(3.0, ge=0, le=5, description="0 (worst) to 5 (best)")
    currency: str = Field(vocab.CURRENCY, pattern=r"^[A-Z]{3}$")
    default_lead_time_days: int = Field(7, ge=0, le=365)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)


class SupplierPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=200, alias="supplierName")
    name_en: str | None = Field(None, max_length=200)
    status: Annotated[SupplierStatus | None, BeforeValidator(_upper)] = None
    rating: float | None = Field(None, ge=0, le=5)
    default_lead_time_days: int | None = Field(None, ge=0, le=365)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)


class SupplierOut(_Out):
    id: str = Field(alias="supplierId", examples=["SUP-0001"])
    name: str = Field(alias="supplierName")
    name_en: str | None
    tax_id: str
    status: str = Field(examples=["APPROVED"])
    rating: float
    currency: str
    default_lead_time_days: int
    contact_name: str | None
    contact_phone: str | None
    created_at: Timestamp
    updated_at: Timestamp


class PriceIn(_In):
    material_code: str = Field(examples=["M-LEG-STL"])
    price: float = Field(gt=0)
    currency: str = Field(vocab.CURRENCY, pattern=r"^[A-Z]{3}$")
    valid_from: SrmDate
    valid_to: SrmDate | None = Field(None, description="Last valid day; open-ended when absent")
    min_qty: float = Field(0, ge=0, description="The price applies from this quantity per order line")
    lead_time_days: int | None = Field(None, ge=0, le=365,
                                       description="Overrides the supplier's default lead time for this material")


class PriceOut(_Out):
    id: int = Field(alias="priceId")
    supplier_id: str
    material_code: str
    price: float
    currency: str
    valid_from: SrmDate
    valid_to: SrmDate | None
    min_qty: float
    lead_time_days: int | None


class OpenOrderOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    po_no: str
    line_no: int
    status: str
    open_qty: float
    confirmed: bool
    expected_date: SrmDate


class MaterialCapacityOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    material_code: str
    material_name: str
    lead_time_days: int
    earliest_delivery_date: SrmDate = Field(description="Today + lead time: the soonest a new order arrives")
    open_po_qty: float = Field(description="Ordered, not yet received, on open POs (ISSUED…PARTIALLY_RECEIVED)")
    in_transit_qty: float = Field(description="Confirmed by the supplier, not yet received")
    next_delivery_date: SrmDate | None
    open_orders: list[OpenOrderOut]


class CapacityOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    supplier_id: str
    supplier_name: str
    status: str
    as_of: SrmDate
    materials: list[MaterialCapacityOut]


# --------------------------------------------------------------- requisitions
class RequisitionLineIn(_In):
    line_no: int | None = Field(None, ge=1, description="Defaults to the position (1, 2, …)")
    material_code: str = Field(examples=["M-LEG-STL"])
    qty: float = Field(gt=0)
    need_by: SrmDate


class RequisitionIn(_In):
    requisition_no: str = Field(min_length=1, max_length=40, examples=["PR-MRP-000123"],
                                description="The requesting system's number; SRM keeps it as the key")
    origin: str | None = Field(None, max_length=40, examples=["MRP"])
    estimated_amount: float | None = Field(None, ge=0)
    budget_code: str | None = Field(None, max_length=40)
    requested_by: str | None = Field(None, max_length=50)
    lines: list[RequisitionLineIn] = Field(min_length=1)


class ApprovalIn(_In):
    decision: Annotated[Decision, BeforeValidator(_lower)] = Field(examples=["approved"])
    approval_id: str | None = Field(None, max_length=60, description="The approval's id in the approving system")
    decided_by: str | None = Field(None, max_length=50)
    comment: str | None = Field(None, max_length=500)


class CandidateOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    supplier_id: str
    unit_price: float
    lead_time_days: int
    promised_date: str
    rating: float
    score: float


class RequisitionLineOut(_Out):
    line_no: int
    material_code: str
    qty: float
    need_by: SrmDate
    sourcing_status: str | None = Field(description="SOURCED or NO_SOURCE once approved")
    supplier_id: str | None
    po_no: str | None
    score: float | None
    reason: str | None
    candidates: list[CandidateOut] | None


class RequisitionOut(_Out):
    requisition_no: str
    origin: str | None
    status: str = Field(examples=["AWAITING_APPROVAL"])
    estimated_amount: float | None
    budget_code: str | None
    requested_by: str | None
    approval_id: str | None
    decided_by: str | None
    decision_comment: str | None
    reason: str | None
    created_at: Timestamp
    decided_at: Timestamp | None
    purchase_orders: list[str]
    lines: list[RequisitionLineOut]


# ----------------------------------------------------------- purchase orders
class PoLineIn(_In):
    line_no: int | None = Field(None, ge=1)
    material_code: str
    qty: float = Field(gt=0)
    unit_price: float | None = Field(None, gt=0, description="Defaults to the supplier's valid price list entry")
    promised_date: SrmDate | None = Field(None, description="Defaults to today + lead time")


class PurchaseOrderIn(_In):
    supplier_id: str = Field(examples=["SUP-0003"])
    external_ref: str | None = Field(None, max_length=60,
                                     description="Your own number; a repeat with the same one returns the existing PO")
    requisition_refs: list[str] = Field(default_factory=list)
    lines: list[PoLineIn] = Field(min_length=1)


class ConfirmLineIn(_In):
    line_no: int
    status: Annotated[LineAnswer, BeforeValidator(_upper)] = Field(examples=["ACCEPTED"])
    confirmed_qty: float | None = Field(None, ge=0, description="Defaults to the ordered qty")
    confirmed_date: SrmDate | None = Field(None, description="Defaults to the promised date")


class ConfirmIn(_In):
    lines: list[ConfirmLineIn] = Field(min_length=1, description="One answer per PO line")
    remark: str | None = Field(None, max_length=500)


class DelayIn(_In):
    line_no: int
    new_date: SrmDate
    qty_affected: float | None = Field(None, gt=0, description="Defaults to the line's open qty")
    reason: str = Field(min_length=1, max_length=500)


class ReceiptLineIn(_In):
    line_no: int
    material_code: str | None = Field(None, description="When given, must be the PO line's material")
    qty: float = Field(gt=0)
    lot: str | None = Field(None, max_length=40)
    location: str | None = Field(None, max_length=40)
    discrepancy: str | None = Field(None, max_length=200)


class ReceiptIn(_In):
    receipt_no: str = Field(min_length=1, max_length=40, description="The warehouse's receipt number; applied once")
    supplier_id: str | None = Field(None, description="When given, must be the PO's supplier")
    received_date: SrmDate | None = Field(None, description="Defaults to today")
    lines: list[ReceiptLineIn] = Field(min_length=1)


class PoLineOut(_Out):
    line_no: int
    material_code: str
    material_name: str
    uom: str
    qty: float
    unit_price: float
    amount: float
    promised_date: SrmDate
    line_status: str = Field(examples=["ACCEPTED"])
    confirmed_qty: float | None
    confirmed_date: SrmDate | None
    expected_date: SrmDate
    received_qty: float
    open_qty: float
    requisition_no: str | None


class DelayOut(_Out):
    line_no: int
    old_date: SrmDate
    new_date: SrmDate
    qty_affected: float
    reason: str
    noticed_at: Timestamp


class ReceiptOut(_Out):
    receipt_no: str
    received_date: SrmDate
    on_time: bool
    lines: list[dict[str, Any]]


class PurchaseOrderOut(_Out):
    po_no: str = Field(examples=["PO20261122001"])
    supplier_id: str
    supplier_name: str
    status: str = Field(examples=["ISSUED"])
    currency: str
    order_date: SrmDate
    total: float
    requisition_refs: list[str]
    external_ref: str | None
    created_at: Timestamp
    confirmed_at: Timestamp | None
    lines: list[PoLineOut]
    delays: list[DelayOut] = Field(alias="delayNotices")
    receipts: list[ReceiptOut]
