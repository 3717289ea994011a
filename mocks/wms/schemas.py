"""Request and response bodies, in the WMS's own vocabulary.

Short snake keys (``sku``, ``qty``, ``wh``, ``loc``, ``lot``, ``ref``),
epoch-millisecond integers for time, prefixed document numbers. Requests
refuse unknown keys, so a mapping that sends a misspelt field hears about it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Qty = Annotated[int, Field(gt=0, description="pieces", examples=[10])]
Ms = Annotated[int | None, Field(description="epoch milliseconds", examples=[1767225600000])]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ------------------------------------------------------------------ master data
class SkuIn(In):
    name: str = Field(min_length=1, examples=["钢制桌腿"])
    uom: str = "PCS"
    cls: Literal["FG", "RM"] = Field(description="FG = finished goods (WH02), RM = material (WH01)")
    wh: str | None = Field(default=None, description="home warehouse; default WH02 for FG, WH01 for RM")
    supply: Literal["MAKE", "BUY"] = "BUY"
    safety: int = Field(default=0, ge=0, description="safety stock in the home warehouse")
    lot_min: int = Field(default=0, ge=0)
    lot_mult: int = Field(default=0, ge=0)
    erp_ref: str | None = Field(default=None, description="the item code in ERP")
    active: bool = True
    subs: list[str] | None = Field(default=None, description="substitute skus, best first; omit to keep")


class SkuOut(Out):
    sku: str
    name: str
    uom: str
    cls: str
    wh: str
    supply: str
    safety: int
    lot_min: int
    lot_mult: int
    erp_ref: str | None
    active: bool
    subs: list[str] = []


class CustomerIn(In):
    name: str = Field(min_length=1, examples=["上海明辉贸易有限公司"])
    tax_id: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$",
                               description="unified social credit code")
    addr: str | None = None
    ext_ref: str | None = Field(default=None, description="the customer's code in the sending system")


class CustomerOut(Out):
    cust: str
    name: str
    tax_id: str | None
    addr: str | None
    ext_ref: str | None


class SupplierIn(In):
    name: str = Field(min_length=1)
    tax_id: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    status: Literal["ACTIVE", "BLOCKED"] = "ACTIVE"
    ext_ref: str | None = None


class SupplierOut(Out):
    supplier: str
    name: str
    tax_id: str | None
    status: str
    ext_ref: str | None


class WarehouseOut(Out):
    wh: str
    name: str
    erp_ref: str | None
    locs: list[dict[str, str]] = []


# ------------------------------------------------------------------------ stock
class BinOut(Out):
    sku: str
    wh: str
    loc: str
    lot: str
    on_hand: int
    reserved: int
    available: int
    ts: int


class MovementOut(Out):
    mv: str
    type: str = Field(description="RECEIPT, PUTAWAY, RESERVE, RELEASE, PICK, SHIP, ISSUE, PRODUCTION")
    sku: str
    wh: str
    from_loc: str | None
    to_loc: str | None
    lot: str
    qty: int
    on_hand_delta: int
    reserved_delta: int
    ref: str | None = Field(description="the WMS document that caused it")
    ext: str | None = Field(description="the other system's reference behind it (PO, SO, MO)")
    ts: int


class LedgerEntryOut(Out):
    """One stock change: one sku in one warehouse by one operation, with the totals after it."""

    seq: int = Field(description="entry number, in the order entries were written")
    booked_at: str = Field(description="when the entry was written (ISO 8601, UTC, milliseconds)")
    sku: str
    wh: str
    on_hand: int
    reserved: int
    available: int
    delta: int = Field(description="change of on hand (0 for a reservation or a move)")
    reason: str = Field(description="receipt, putaway, reserve, release, pick, ship, issue, production, opening")
    ref: str | None = Field(description="the WMS document behind it (RCV…, OB…, SHP…, PRC…)")
    ext: str | None = Field(description="the other system's reference behind it (PO, SO, MO)")
    mvs: list[str] = Field(description="the movements (MV…) of this change")
    ts: int = Field(description="when the operation happened (epoch ms)")


class LedgerPageOut(BaseModel):
    items: list[LedgerEntryOut]
    next: str | None = Field(description="the cursor of the next page; null on the last page")


class IncomingOut(BaseModel):
    asn: str
    ln: int
    ref: str
    supplier: str
    wh: str
    qty: int
    eta: int | None


class AvailabilityOut(BaseModel):
    sku: str
    wh: str = Field(description="the warehouse asked for, or ALL")
    on_hand: int
    reserved: int
    available: int
    incoming: list[IncomingOut]
    ts: int


class IssueIn(In):
    sku: str
    wh: str
    qty: Qty
    ref: str = Field(min_length=1, description="what it is issued for, e.g. a production order",
                     examples=["MO-2026-0007"])


class TakenOut(BaseModel):
    loc: str
    lot: str
    qty: int


class IssueOut(BaseModel):
    sku: str
    wh: str
    qty: int
    ref: str
    taken: list[TakenOut]


# ---------------------------------------------------------------------- inbound
class AsnLineIn(In):
    ln: int = Field(ge=1)
    sku: str
    qty: Qty


class AsnIn(In):
    ref: str = Field(min_length=1, description="purchase order number", examples=["PO-2026-0001"])
    supplier: str = Field(description="supplier code", examples=["SUP-0003"])
    wh: str | None = Field(default=None, description="receiving warehouse; default the first sku's home")
    eta: Ms = None
    lines: list[AsnLineIn] = Field(min_length=1)


class AsnLinePatch(In):
    ln: int = Field(ge=1)
    qty: int = Field(ge=0, description="the confirmed quantity; 0 when the supplier rejected the line")


class AsnPatch(In):
    eta: Ms = None
    lines: list[AsnLinePatch] = []


class AsnLineOut(Out):
    ln: int
    sku: str
    qty: int
    received: int


class AsnOut(Out):
    asn: str
    ref: str
    supplier: str
    wh: str
    eta: int | None
    status: str = Field(description="OPEN, RECEIVED or CANCELLED")
    ts: int
    lines: list[AsnLineOut]


class ReceiptLineIn(In):
    ln: int | None = Field(default=None, description="ASN line; default the ASN line of this sku")
    sku: str
    qty: int = Field(ge=0, description="scanned quantity")
    lot: str | None = Field(default=None, description="default: the receipt number")


class ReceiptIn(In):
    asn: str | None = Field(default=None, description="ASN number (or give ref)")
    ref: str | None = Field(default=None, description="purchase order number (or give asn)")
    loc: str | None = Field(default=None, description="default: the warehouse's receiving location")
    partial: bool = Field(default=False, description="more of this delivery is on its way: the ASN stays open "
                                                     "for the rest, and a line short of it is not a discrepancy")
    lines: list[ReceiptLineIn] = Field(min_length=1)


class ReceiptLineOut(Out):
    ln: int
    sku: str
    exp: int
    qty: int
    lot: str | None
    loc: str | None
    discrepancy: str | None = Field(description='"short 10" / "over 5", null when as expected')


class ReceiptOut(Out):
    rcv: str
    asn: str
    ref: str
    supplier: str
    wh: str
    status: str = Field(description="OK or DISCREPANCY")
    ts: int
    lines: list[ReceiptLineOut]


class PutawayIn(In):
    sku: str
    loc: str = Field(description="where the stock is now", examples=["RM-RCV"])
    to: str | None = Field(default=None, description="storage location; default the suggested one")
    lot: str | None = Field(default=None, description="default: every lot at loc, oldest first")
    qty: int | None = Field(default=None, gt=0, description="default: all free stock at loc")


class PutawayTaskOut(BaseModel):
    sku: str
    wh: str
    loc: str
    lot: str
    qty: int
    to: str = Field(description="suggested storage location")


class PutawayOut(BaseModel):
    sku: str
    wh: str
    loc: str
    to: str
    qty: int
    mvs: list[str]


class ProductionReceiptIn(In):
    ref: str = Field(min_length=1, description="production order number", examples=["MO-2026-0007"])
    sku: str
    qty: Qty
    lot: str | None = Field(default=None, description="default: the production order number")
    wh: str | None = Field(default=None, description="default: the sku's home warehouse (FG → WH02)")
    loc: str | None = Field(default=None, description="default: the suggested storage location")


class ProductionReceiptOut(Out):
    prc: str
    ref: str
    sku: str
    qty: int
    lot: str
    wh: str
    loc: str
    ts: int


# --------------------------------------------------------------------- outbound
class OutboundLineIn(In):
    ln: int = Field(ge=1)
    sku: str
    qty: Qty


class OutboundIn(In):
    ref: str = Field(min_length=1, description="sales order number", examples=["SO-2026-0001"])
    cust: str = Field(description="customer code", examples=["C101"])
    wh: str = Field(default="WH02", description="shipping warehouse")
    ship_to: str | None = Field(default=None, examples=["上海市浦东新区张江路88号"])
    partial: bool = Field(default=True, description="false = ship complete: refuse unless all can be reserved")
    lines: list[OutboundLineIn] = Field(min_length=1)


class AllocationOut(Out):
    loc: str
    lot: str
    qty: int
    state: str = Field(description="RESERVED, PICKED, SHIPPED or RELEASED")


class OutboundLineOut(Out):
    ln: int
    sku: str
    qty: int
    alloc: int = Field(description="reserved so far (cumulative, incl. picked and shipped)")
    picked: int
    shipped: int
    backorder: int = Field(description="qty − alloc: waiting for stock")
    allocs: list[AllocationOut]


class OutboundOut(Out):
    ob: str
    ref: str
    cust: str
    wh: str
    ship_to: str | None
    partial: bool
    status: str = Field(description="BACKORDER, ALLOCATED, PICKED, PART_SHIPPED, SHIPPED, CANCELLED")
    note: str | None
    ts: int
    upd: int
    lines: list[OutboundLineOut]


class PickLineIn(In):
    ln: int = Field(ge=1)
    qty: Qty


class PickIn(In):
    lines: list[PickLineIn] | None = Field(default=None, description="default: pick everything reserved")


class ShipIn(In):
    carrier: str = Field(min_length=1, examples=["SF"])
    waybill: str | None = Field(default=None, description="tracking number; generated when absent")


class CancelIn(In):
    reason: str | None = None


class ShipmentLineOut(Out):
    ln: int
    sku: str
    qty: int
    lot: str


class ShipmentOut(Out):
    shp: str
    ob: str
    ref: str
    cust: str
    wh: str
    carrier: str
    waybill: str
    ts: int
    lines: list[ShipmentLineOut]
