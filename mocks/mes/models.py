"""MES tables: parts, routings, BOM versions, operators, work orders and their
operations and reports, inspections, material delays and reschedules, and the
quality department's customer complaints.

Datetimes are naive plant time (see :mod:`mocks.mes.timefmt`). Status words
are the product's own: ``Released``, ``InProgress``, ``Completed``,
``Closed``, ``OnHold``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mocks.mes.timefmt import now_local


class Base(DeclarativeBase):
    """The MES's own tables (the base adds outbox and idempotency tables beside them)."""


class Part(Base):
    __tablename__ = "mes_parts"

    part_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(10))
    make_or_buy: Mapped[str] = mapped_column(String(4))  # Make | Buy
    external_item_no: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    routing: Mapped[list[RoutingStep]] = relationship(
        order_by="RoutingStep.operation_no", cascade="all, delete-orphan")


class RoutingStep(Base):
    __tablename__ = "mes_routing_steps"
    __table_args__ = (UniqueConstraint("part_no", "operation_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    operation_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    work_center: Mapped[str] = mapped_column(String(20))
    minutes_per_unit: Mapped[float] = mapped_column(Float)


class Bom(Base):
    __tablename__ = "mes_boms"
    __table_args__ = (UniqueConstraint("part_no", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bom_code: Mapped[str] = mapped_column(String(60))
    part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    version: Mapped[str] = mapped_column(String(10))
    base_qty: Mapped[float] = mapped_column(Float, default=1)
    effective_from: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)

    lines: Mapped[list[BomLine]] = relationship(order_by="BomLine.line_no", cascade="all, delete-orphan")


class BomLine(Base):
    __tablename__ = "mes_bom_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("mes_boms.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    component_part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    qty: Mapped[float] = mapped_column(Float)
    uom: Mapped[str] = mapped_column(String(10))


class Operator(Base):
    __tablename__ = "mes_operators"

    operator_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    employee_id: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str | None] = mapped_column(String(60), nullable=True)
    position: Mapped[str | None] = mapped_column(String(60), nullable=True)
    shift: Mapped[str] = mapped_column(String(10), default="Day")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)


class WorkOrder(Base):
    __tablename__ = "mes_work_orders"

    work_order_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    external_order_no: Mapped[str] = mapped_column(String(60), unique=True)
    part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    planned_qty: Mapped[int] = mapped_column(Integer)
    uom: Mapped[str] = mapped_column(String(10))
    bom_version: Mapped[str] = mapped_column(String(10))
    planned_start: Mapped[datetime] = mapped_column(DateTime)
    planned_end: Mapped[datetime] = mapped_column(DateTime)
    source_sales_order: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(12), default="Released", index=True)
    status_before_hold: Mapped[str | None] = mapped_column(String(12), nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    actual_start: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    actual_end: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    good_qty: Mapped[int] = mapped_column(Integer, default=0)
    scrap_qty: Mapped[int] = mapped_column(Integer, default=0)
    defect_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_local, onupdate=now_local, index=True)
    """Stamped at every change of the row: other systems read completed orders from this table
    after the last ``updated_at`` they saw (MES does not announce completions)."""

    operations: Mapped[list[WorkOrderOperation]] = relationship(
        order_by="WorkOrderOperation.operation_no", cascade="all, delete-orphan")
    reschedules: Mapped[list[Reschedule]] = relationship(
        order_by="Reschedule.id", cascade="all, delete-orphan")


class WorkOrderOperation(Base):
    __tablename__ = "mes_work_order_operations"
    __table_args__ = (UniqueConstraint("work_order_no", "operation_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_no: Mapped[str] = mapped_column(ForeignKey("mes_work_orders.work_order_no"))
    operation_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    work_center: Mapped[str] = mapped_column(String(20))
    minutes_per_unit: Mapped[float] = mapped_column(Float)
    good_qty: Mapped[int] = mapped_column(Integer, default=0)
    scrap_qty: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="Pending")  # Pending | InProgress | Completed


class ProgressReport(Base):
    __tablename__ = "mes_progress_reports"

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_no: Mapped[str] = mapped_column(ForeignKey("mes_work_orders.work_order_no"), index=True)
    operation_no: Mapped[int] = mapped_column(Integer)
    work_center: Mapped[str] = mapped_column(String(20))
    good_qty: Mapped[int] = mapped_column(Integer)
    scrap_qty: Mapped[int] = mapped_column(Integer)
    operator: Mapped[str] = mapped_column(ForeignKey("mes_operators.operator_no"))
    reported_at: Mapped[datetime] = mapped_column(DateTime)


class Inspection(Base):
    __tablename__ = "mes_inspections"

    inspection_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # Incoming | InProcess | Final
    ref_doc: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    lot: Mapped[str | None] = mapped_column(String(40), nullable=True)
    qty_inspected: Mapped[int] = mapped_column(Integer)
    qty_accepted: Mapped[int] = mapped_column(Integer)
    qty_rejected: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(12))  # Pass | Conditional | Fail
    inspector: Mapped[str | None] = mapped_column(String(20), nullable=True)
    remark: Mapped[str | None] = mapped_column(String(200), nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    inspected_at: Mapped[datetime] = mapped_column(DateTime)


class MaterialDelay(Base):
    __tablename__ = "mes_material_delays"

    delay_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    part_no: Mapped[str] = mapped_column(ForeignKey("mes_parts.part_no"))
    new_available_date: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ref: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    affected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Reschedule(Base):
    __tablename__ = "mes_reschedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_no: Mapped[str] = mapped_column(ForeignKey("mes_work_orders.work_order_no"), index=True)
    old_planned_start: Mapped[datetime] = mapped_column(DateTime)
    new_planned_start: Mapped[datetime] = mapped_column(DateTime)
    old_planned_end: Mapped[datetime] = mapped_column(DateTime)
    new_planned_end: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ref: Mapped[str | None] = mapped_column(String(80), nullable=True)
    rescheduled_at: Mapped[datetime] = mapped_column(DateTime)


class Complaint(Base):
    """A customer complaint the quality department investigates: linked to the work orders and
    inspections behind it, closed with a root cause, a corrective action and a disposition."""

    __tablename__ = "mes_complaints"

    complaint_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(80), unique=True)
    """The sender's complaint id (CRM's); one MES complaint each."""
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_sales_order: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    part_no: Mapped[str | None] = mapped_column(ForeignKey("mes_parts.part_no"), nullable=True)
    lot: Mapped[str | None] = mapped_column(String(40), nullable=True)
    severity: Mapped[str] = mapped_column(String(10))  # Low | Medium | High | Critical
    description: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="Open", index=True)  # Open | Investigating | Resolved
    work_orders: Mapped[list[str]] = mapped_column(JSON, default=list)
    inspections: Mapped[list[str]] = mapped_column(JSON, default=list)
    investigator: Mapped[str | None] = mapped_column(ForeignKey("mes_operators.operator_no"), nullable=True)
    root_cause: Mapped[str | None] = mapped_column(String(500), nullable=True)
    corrective_action: Mapped[str | None] = mapped_column(String(500), nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(10), nullable=True)  # Replace | Credit | Repair
    received_at: Mapped[datetime] = mapped_column(DateTime)
    investigation_started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
