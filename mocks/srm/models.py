"""SRM's tables: materials, suppliers and their price lists, requisitions, purchase orders.

Columns are snake_case; the API speaks camelCase through :mod:`mocks.srm.schemas`.
Quantities are floats (the company buys bolts by the piece but boards by the sheet);
money is rounded to 2 decimals by the rules.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mocks.srm import vocab


class Base(DeclarativeBase):
    """SRM's own metadata (the outbox and idempotency tables live in the common base)."""


class Material(Base):
    """A purchased material as SRM knows it (code ``M-LEG-STL``)."""

    __tablename__ = "materials"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(10), default="PCS")


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)  # SUP-0001
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tax_id: Mapped[str] = mapped_column(String(18), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=vocab.PENDING)
    rating: Mapped[float] = mapped_column(Float, default=3.0)
    currency: Mapped[str] = mapped_column(String(3), default=vocab.CURRENCY)
    default_lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    contact_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=vocab.utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=vocab.utcnow)

    prices: Mapped[list[PriceEntry]] = relationship(back_populates="supplier", order_by="PriceEntry.id",
                                                    cascade="all, delete-orphan")


class PriceEntry(Base):
    """One line of a supplier's price list: a price for a material, valid for a period from a minimum qty."""

    __tablename__ = "price_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    material_code: Mapped[str] = mapped_column(ForeignKey("materials.code"), index=True)
    price: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    min_qty: Mapped[float] = mapped_column(Float, default=0)
    lead_time_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Overrides the supplier's default lead time for this material when set."""

    supplier: Mapped[Supplier] = relationship(back_populates="prices")


class Requisition(Base):
    """A purchase requisition handed in by MRP/ERP/WMS, kept under the sender's number."""

    __tablename__ = "requisitions"

    requisition_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    origin: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=vocab.AWAITING_APPROVAL)
    estimated_amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    requested_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    approval_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(50), nullable=True)
    decision_comment: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=vocab.utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    lines: Mapped[list[RequisitionLine]] = relationship(back_populates="requisition",
                                                        order_by="RequisitionLine.line_no",
                                                        cascade="all, delete-orphan")

    @property
    def purchase_orders(self) -> list[str]:
        """The POs issued for this requisition, in line order, each once."""
        return list(dict.fromkeys(line.po_no for line in self.lines if line.po_no))


class RequisitionLine(Base):
    __tablename__ = "requisition_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requisition_no: Mapped[str] = mapped_column(ForeignKey("requisitions.requisition_no"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    material_code: Mapped[str] = mapped_column(ForeignKey("materials.code"))
    qty: Mapped[float] = mapped_column(Float)
    need_by: Mapped[date] = mapped_column(Date)
    sourcing_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    supplier_id: Mapped[str | None] = mapped_column(String(12), nullable=True)
    po_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    candidates: Mapped[list | None] = mapped_column(JSON, nullable=True)
    """The scored candidates at selection time, so a buyer can see why a supplier won."""

    requisition: Mapped[Requisition] = relationship(back_populates="lines")


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"

    po_no: Mapped[str] = mapped_column(String(20), primary_key=True)  # PO20261122001
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=vocab.ISSUED, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[date] = mapped_column(Date)
    requisition_refs: Mapped[list] = mapped_column(JSON, default=list)
    external_ref: Mapped[str | None] = mapped_column(String(60), nullable=True, unique=True)
    """The caller's own number when a PO is created directly (e.g. ERP's purchase request)."""
    sim_ticks: Mapped[int] = mapped_column(Integer, default=0)
    """Simulation ticks this PO has waited for its supplier's confirmation."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=vocab.utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[PoLine]] = relationship(back_populates="po", order_by="PoLine.line_no",
                                               cascade="all, delete-orphan")
    delays: Mapped[list[DelayNotice]] = relationship(order_by="DelayNotice.id", cascade="all, delete-orphan")
    receipts: Mapped[list[Receipt]] = relationship(order_by="Receipt.id", cascade="all, delete-orphan")

    @property
    def supplier_name(self) -> str:
        return self.supplier.name

    @property
    def total(self) -> float:
        return round(sum(line.amount for line in self.lines), 2)


class PoLine(Base):
    __tablename__ = "po_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    po_no: Mapped[str] = mapped_column(ForeignKey("purchase_orders.po_no"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    material_code: Mapped[str] = mapped_column(ForeignKey("materials.code"), index=True)
    qty: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
    promised_date: Mapped[date] = mapped_column(Date)
    line_status: Mapped[str] = mapped_column(String(12), default=vocab.LINE_OPEN)
    confirmed_qty: Mapped[float | None] = mapped_column(Float, nullable=True)
    confirmed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_qty: Mapped[float] = mapped_column(Float, default=0)
    requisition_no: Mapped[str | None] = mapped_column(String(40), nullable=True)

    po: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    material: Mapped[Material] = relationship()

    @property
    def material_name(self) -> str:
        return self.material.name

    @property
    def uom(self) -> str:
        return self.material.uom

    @property
    def amount(self) -> float:
        return round(self.qty * self.unit_price, 2)

    @property
    def expected_qty(self) -> float:
        """What the supplier is bound to deliver: the confirmed qty once confirmed, else the ordered qty."""
        return self.confirmed_qty if self.confirmed_qty is not None else self.qty

    @property
    def open_qty(self) -> float:
        return max(self.expected_qty - self.received_qty, 0.0)

    @property
    def expected_date(self) -> date:
        return self.confirmed_date or self.promised_date


class DelayNotice(Base):
    __tablename__ = "delay_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    po_no: Mapped[str] = mapped_column(ForeignKey("purchase_orders.po_no"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    old_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    qty_affected: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(500))
    noticed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=vocab.utcnow)


class Receipt(Base):
    """Goods received against a PO, under the warehouse's receipt number (applied once)."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("po_no", "receipt_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    po_no: Mapped[str] = mapped_column(ForeignKey("purchase_orders.po_no"), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40))
    received_date: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(default=True)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    """[{lineNo, materialCode, qty, lot, location, discrepancy}] as recorded."""
