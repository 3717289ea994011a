"""MRP's tables: item master, BOMs, stock snapshot, demands, supplies, runs, planned orders.

Dates are stored as ``YYYYMMDD`` strings (they sort as dates); quantities as
floats, since BOM quantities may be fractional.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """MRP's own tables (the base adds outbox and idempotency tables beside them)."""


class Item(Base):
    __tablename__ = "mrp_items"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(10), default="PCS")
    supply: Mapped[str] = mapped_column(String(4))  # make | buy
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[float] = mapped_column(Float, default=0)
    lot_min: Mapped[float] = mapped_column(Float, default=0)
    lot_multiple: Mapped[float] = mapped_column(Float, default=0)
    std_cost: Mapped[float] = mapped_column(Float, default=0)
    item_class: Mapped[str] = mapped_column(String(2), default="RM")  # RM | FG: picks the budget
    low_level_code: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[str] = mapped_column(String(14))


class Bom(Base):
    __tablename__ = "mrp_boms"
    __table_args__ = (UniqueConstraint("parent_item", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_item: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    base_qty: Mapped[float] = mapped_column(Float, default=1)
    effective_from: Mapped[str | None] = mapped_column(String(8), nullable=True)
    updated: Mapped[str] = mapped_column(String(14))
    lines: Mapped[list[BomLine]] = relationship(
        back_populates="bom", cascade="all, delete-orphan", order_by="BomLine.line_no", lazy="selectin")


class BomLine(Base):
    __tablename__ = "mrp_bom_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("mrp_boms.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    component: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"))
    qty: Mapped[float] = mapped_column(Float)
    bom: Mapped[Bom] = relationship(back_populates="lines")


class Stock(Base):
    __tablename__ = "mrp_stock"

    item: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"), primary_key=True)
    on_hand: Mapped[float] = mapped_column(Float, default=0)
    warehouse: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ref_doc: Mapped[str | None] = mapped_column(String(60), nullable=True)
    updated: Mapped[str] = mapped_column(String(14))


class Demand(Base):
    __tablename__ = "mrp_demands"
    __table_args__ = (UniqueConstraint("source_ref", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(60), index=True)
    line_no: Mapped[int] = mapped_column(Integer, default=1)
    source_kind: Mapped[str] = mapped_column(String(20), default="sales_order")
    item: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"))
    qty: Mapped[float] = mapped_column(Float)
    due_date: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | cancelled | fulfilled
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated: Mapped[str] = mapped_column(String(14))


class Supply(Base):
    __tablename__ = "mrp_supplies"
    __table_args__ = (UniqueConstraint("ref", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), index=True)
    line_no: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(12))  # purchase | production
    item: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"))
    qty: Mapped[float] = mapped_column(Float)
    received_qty: Mapped[float] = mapped_column(Float, default=0)
    due_date: Mapped[str] = mapped_column(String(8))
    original_due_date: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    supplier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    requisition_ref: Mapped[str | None] = mapped_column(String(20), nullable=True)
    updated: Mapped[str] = mapped_column(String(14))


class Run(Base):
    __tablename__ = "mrp_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_date: Mapped[str] = mapped_column(String(8))
    bucket_days: Mapped[int] = mapped_column(Integer)
    horizon: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(20))  # manual | auto | delay | simulation
    status: Mapped[str] = mapped_column(String(12), default="completed")  # completed | superseded
    planned_count: Mapped[int] = mapped_column(Integer, default=0)
    late_count: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[str] = mapped_column(String(14))


class PlannedOrder(Base):
    __tablename__ = "mrp_planned_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("mrp_runs.id"), index=True)
    item: Mapped[str] = mapped_column(ForeignKey("mrp_items.code"))
    action: Mapped[str] = mapped_column(String(4))  # make | buy
    qty: Mapped[float] = mapped_column(Float)
    received_qty: Mapped[float] = mapped_column(Float, default=0)
    due_date: Mapped[str] = mapped_column(String(8))
    release_date: Mapped[str] = mapped_column(String(8))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # planned → firmed → released → (converted | completed); planned → replaced by a re-run
    status: Mapped[str] = mapped_column(String(10), default="planned", index=True)
    order_no: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    bom_version: Mapped[str | None] = mapped_column(String(20), nullable=True)
    origin_ref: Mapped[str | None] = mapped_column(String(60), nullable=True)
    released: Mapped[str | None] = mapped_column(String(14), nullable=True)


class Meta(Base):
    """Key/value state of the planner: number sequences and the re-plan ("dirty") flag."""

    __tablename__ = "mrp_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
