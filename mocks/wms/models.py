"""The WMS's tables, in its own vocabulary.

Quantities are integers (pieces); timestamps are epoch milliseconds
(``BigInteger``), the way this product stores and sends them. The stock
table carries check constraints, so even a bug in the rules cannot leave a
bin negative or reserved beyond what is on hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Location kinds: where stock is stored, where inbound lands, where outbound is staged.
STORAGE = "STORAGE"
RECEIVING = "RCV"
DOCK = "DOCK"


class Base(DeclarativeBase):
    """The WMS's own metadata (the common outbox/idempotency tables live elsewhere)."""


class Counter(Base):
    """Last number handed out per document prefix (``MV`` → ``MV000042``)."""

    __tablename__ = "doc_counter"
    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Warehouse(Base):
    __tablename__ = "warehouse"
    wh: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    erp_ref: Mapped[str | None] = mapped_column(String(20), nullable=True)


class Location(Base):
    __tablename__ = "location"
    loc: Mapped[str] = mapped_column(String(20), primary_key=True)
    wh: Mapped[str] = mapped_column(ForeignKey("warehouse.wh"))
    kind: Mapped[str] = mapped_column(String(10), default=STORAGE)


class Sku(Base):
    __tablename__ = "sku"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(10), default="PCS")
    cls: Mapped[str] = mapped_column(String(4))
    """``FG`` (finished goods) or ``RM`` (raw material / component)."""
    wh: Mapped[str] = mapped_column(ForeignKey("warehouse.wh"))
    """Home warehouse: where it is stocked and where its safety stock applies."""
    supply: Mapped[str] = mapped_column(String(4), default="BUY")
    safety: Mapped[int] = mapped_column(Integer, default=0)
    lot_min: Mapped[int] = mapped_column(Integer, default=0)
    lot_mult: Mapped[int] = mapped_column(Integer, default=0)
    erp_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Substitute(Base):
    """``sub`` may be offered when ``sku`` runs short (for sales to promote)."""

    __tablename__ = "substitute"
    __table_args__ = (UniqueConstraint("sku", "sub"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("sku.sku"))
    sub: Mapped[str] = mapped_column(ForeignKey("sku.sku"))
    rank: Mapped[int] = mapped_column(Integer, default=1)


class Customer(Base):
    __tablename__ = "customer"
    cust: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    addr: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ext_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Supplier(Base):
    __tablename__ = "supplier"
    supplier: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="ACTIVE")
    ext_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Bin(Base):
    """Stock of one sku and lot at one location: ``available = on_hand − reserved``."""

    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("sku", "loc", "lot"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("sku.sku"), index=True)
    wh: Mapped[str] = mapped_column(ForeignKey("warehouse.wh"))
    loc: Mapped[str] = mapped_column(ForeignKey("location.loc"))
    lot: Mapped[str] = mapped_column(String(40))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    ts: Mapped[int] = mapped_column(BigInteger)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Movement(Base):
    """The ledger: one row per stock change (quantity moves, reservations)."""

    __tablename__ = "movement"
    mv: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[str] = mapped_column(String(12), index=True)
    sku: Mapped[str] = mapped_column(String(40), index=True)
    wh: Mapped[str] = mapped_column(String(10))
    from_loc: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_loc: Mapped[str | None] = mapped_column(String(20), nullable=True)
    lot: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    ref: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    ext: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    ts: Mapped[int] = mapped_column(BigInteger)


class StockChange(Base):
    """The ledger by stock change: one entry per sku and warehouse per stock operation, with the
    warehouse totals after it and the movements behind it. Numbered in the order they are written
    (``seq``) and stamped when booked (``booked``, epoch ms); other systems read it page by page
    (``GET /api/ledger``), since the WMS does not announce stock changes."""

    __tablename__ = "stock_change"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(40))
    wh: Mapped[str] = mapped_column(String(10))
    on_hand: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ext: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mvs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ts: Mapped[int] = mapped_column(BigInteger)
    """When the operation happened."""
    booked: Mapped[int] = mapped_column(BigInteger, index=True)
    """When the entry was written (its transaction), what a reader's ``since`` compares with."""


class SafetyState(Base):
    """Whether (sku, wh) is currently below safety stock: an alert fires once per crossing."""

    __tablename__ = "safety_state"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    wh: Mapped[str] = mapped_column(String(10), primary_key=True)
    below: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Asn(Base):
    """An expected receipt (advance shipping notice) against a purchase order."""

    __tablename__ = "asn"
    asn: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    """The purchase order number of the buying system (SRM)."""
    supplier: Mapped[str] = mapped_column(ForeignKey("supplier.supplier"))
    wh: Mapped[str] = mapped_column(ForeignKey("warehouse.wh"))
    eta: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="OPEN")
    ts: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[AsnLine]] = relationship(order_by="AsnLine.ln", lazy="selectin",
                                                cascade="all, delete-orphan")


class AsnLine(Base):
    __tablename__ = "asn_line"
    __table_args__ = (UniqueConstraint("asn", "ln"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asn: Mapped[str] = mapped_column(ForeignKey("asn.asn"))
    ln: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(ForeignKey("sku.sku"))
    qty: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(Base):
    __tablename__ = "receipt"
    rcv: Mapped[str] = mapped_column(String(20), primary_key=True)
    asn: Mapped[str] = mapped_column(ForeignKey("asn.asn"))
    ref: Mapped[str] = mapped_column(String(40), index=True)
    supplier: Mapped[str] = mapped_column(String(20))
    wh: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    """``OK`` or ``DISCREPANCY`` (some line differs from what was expected)."""
    ts: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[ReceiptLine]] = relationship(order_by="ReceiptLine.ln", lazy="selectin",
                                                    cascade="all, delete-orphan")


class ReceiptLine(Base):
    __tablename__ = "receipt_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rcv: Mapped[str] = mapped_column(ForeignKey("receipt.rcv"))
    ln: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(40))
    exp: Mapped[int] = mapped_column(Integer)
    qty: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str | None] = mapped_column(String(40), nullable=True)
    loc: Mapped[str | None] = mapped_column(String(20), nullable=True)
    discrepancy: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ProductionReceipt(Base):
    """Finished (or semi-finished) goods taken in from a production order."""

    __tablename__ = "production_receipt"
    prc: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    sku: Mapped[str] = mapped_column(ForeignKey("sku.sku"))
    qty: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(40))
    wh: Mapped[str] = mapped_column(String(10))
    loc: Mapped[str] = mapped_column(String(20))
    ts: Mapped[int] = mapped_column(BigInteger)


class Outbound(Base):
    """An outbound order: a confirmed sales order the warehouse must fulfil."""

    __tablename__ = "outbound"
    ob: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    """The sales order number of the ordering system (ERP)."""
    cust: Mapped[str] = mapped_column(ForeignKey("customer.cust"))
    wh: Mapped[str] = mapped_column(ForeignKey("warehouse.wh"))
    ship_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    partial: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(14))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ts: Mapped[int] = mapped_column(BigInteger)
    upd: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[OutboundLine]] = relationship(order_by="OutboundLine.ln", lazy="selectin",
                                                     cascade="all, delete-orphan")


class OutboundLine(Base):
    """Quantities are cumulative: ``shipped ≤ picked ≤ alloc ≤ qty``."""

    __tablename__ = "outbound_line"
    __table_args__ = (
        UniqueConstraint("ob", "ln"),
        CheckConstraint("shipped <= picked AND picked <= alloc AND alloc <= qty",
                        name="line_quantities_ordered"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ob: Mapped[str] = mapped_column(ForeignKey("outbound.ob"))
    ln: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(ForeignKey("sku.sku"))
    qty: Mapped[int] = mapped_column(Integer)
    alloc: Mapped[int] = mapped_column(Integer, default=0)
    picked: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    allocs: Mapped[list[Allocation]] = relationship(order_by="Allocation.id", lazy="selectin",
                                                    cascade="all, delete-orphan")

    @property
    def backorder(self) -> int:
        return self.qty - self.alloc


class Allocation(Base):
    """Stock held for one outbound line at one bin: ``RESERVED`` → ``PICKED`` → ``SHIPPED``."""

    __tablename__ = "allocation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("outbound_line.id"))
    loc: Mapped[str] = mapped_column(String(20))
    lot: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="RESERVED")


class Shipment(Base):
    __tablename__ = "shipment"
    shp: Mapped[str] = mapped_column(String(20), primary_key=True)
    ob: Mapped[str] = mapped_column(ForeignKey("outbound.ob"))
    ref: Mapped[str] = mapped_column(String(40), index=True)
    cust: Mapped[str] = mapped_column(String(20))
    wh: Mapped[str] = mapped_column(String(10))
    carrier: Mapped[str] = mapped_column(String(20))
    waybill: Mapped[str] = mapped_column(String(40))
    ts: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[ShipmentLine]] = relationship(order_by="ShipmentLine.id", lazy="selectin",
                                                     cascade="all, delete-orphan")


class ShipmentLine(Base):
    __tablename__ = "shipment_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shp: Mapped[str] = mapped_column(ForeignKey("shipment.shp"))
    ln: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(40))
