"""The CRM's tables: customers with contacts and addresses, products, salespeople,
opportunities, sales orders with lines and a timeline, complaints and stock alerts.

Business keys (``customer_id``, ``order_no``…) are the CRM's own string ids and
are what the API shows; integer primary keys stay internal. What other
systems call a record is kept in ``external_refs`` (``{"erp": "100001"}``) so a
flow can be traced across systems.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """The CRM's own tables (the outbox and idempotency tables come from the common base)."""


class Salesperson(Base):
    __tablename__ = "crm_salespeople"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(20), unique=True)
    employee_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Base):
    __tablename__ = "crm_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    credit_limit: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False), default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    owner_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    external_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Address.id")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id")


class Address(Base):
    __tablename__ = "crm_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("crm_customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    province: Mapped[str | None] = mapped_column(String(100), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class Contact(Base):
    __tablename__ = "crm_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("crm_customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    mobile: Mapped[str | None] = mapped_column(String(50), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Product(Base):
    __tablename__ = "crm_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    uom: Mapped[str] = mapped_column(String(10), default="PCS")
    list_price: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Opportunity(Base):
    __tablename__ = "crm_opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customers.customer_id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    stage: Mapped[str] = mapped_column(String(20), default="prospect")
    owner_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    expected_close_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    lost_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SalesOrder(Base):
    __tablename__ = "crm_sales_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customers.customer_id"), index=True)
    salesperson_id: Mapped[str] = mapped_column(ForeignKey("crm_salespeople.user_id"))
    opportunity_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    customer_po_no: Mapped[str | None] = mapped_column(String(50), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total_amount: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False), default=0)
    remarks: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # what ERP says about credit
    credit_status: Mapped[str] = mapped_column(String(20), default="notChecked")
    credit_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    credit_exposure: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False), nullable=True)
    credit_limit: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False), nullable=True)
    overdue_amount: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False), nullable=True)
    credit_checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # what MES says about production
    production_status: Mapped[str] = mapped_column(String(20), default="notStarted")
    # what WMS says about the shipment
    shipment_no: Mapped[str | None] = mapped_column(String(50), nullable=True)
    carrier: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tracking_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # what ERP says about invoice and payment
    invoice_no: Mapped[str | None] = mapped_column(String(50), nullable=True)
    invoice_total: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False), nullable=True)
    invoice_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_amount: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False), default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    customer: Mapped[Customer] = relationship()
    salesperson: Mapped[Salesperson] = relationship()
    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="SalesOrderLine.line_no")
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="TimelineEntry.id")
    production_runs: Mapped[list[ProductionRun]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="ProductionRun.id")
    quality_inspections: Mapped[list[QualityInspection]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="QualityInspection.id")

    @property
    def customer_name(self) -> str:
        return self.customer.name

    @property
    def salesperson_name(self) -> str:
        return self.salesperson.name

    @property
    def produced_qty(self) -> float:
        """Good units MES reported over all production orders of this sales order."""
        return round(sum(run.qty_good for run in self.production_runs), 3)

    @property
    def scrap_qty(self) -> float:
        return round(sum(run.qty_scrap for run in self.production_runs), 3)

    @property
    def defect_rate(self) -> float | None:
        """Scrap share of everything completed (MES's own rate when there is one completion)."""
        done = [run for run in self.production_runs if run.status == "completed"]
        if len(done) == 1 and done[0].defect_rate is not None:
            return done[0].defect_rate
        made = sum(run.qty_good + run.qty_scrap for run in done)
        return round(sum(run.qty_scrap for run in done) / made, 6) if made else None

    @property
    def quality_result(self) -> str | None:
        """The worst result among the order's inspections (what a customer asking about quality hears first)."""
        results = {i.result for i in self.quality_inspections}
        return next((r for r in ("fail", "conditional", "pass") if r in results), None)

    @property
    def paid(self) -> bool:
        return self.invoice_total is not None and round(self.paid_amount, 2) >= round(self.invoice_total, 2)


class SalesOrderLine(Base):
    __tablename__ = "crm_sales_order_lines"
    __table_args__ = (UniqueConstraint("order_pk", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("crm_sales_orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_code: Mapped[str] = mapped_column(String(40))
    product_name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    unit_price: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    line_amount: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    required_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    promised_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class ProductionRun(Base):
    """One production order (MES's number) working for a sales order, as MES reported it."""

    __tablename__ = "crm_production_runs"
    __table_args__ = (UniqueConstraint("order_pk", "production_order_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("crm_sales_orders.id", ondelete="CASCADE"))
    production_order_no: Mapped[str] = mapped_column(String(50))
    operation: Mapped[str | None] = mapped_column(String(50), nullable=True)
    work_center: Mapped[str | None] = mapped_column(String(50), nullable=True)
    qty_good: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False), default=0)
    qty_scrap: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False), default=0)
    defect_rate: Mapped[float | None] = mapped_column(Numeric(8, 6, asdecimal=False), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="inProgress")
    """planned (only rescheduled so far) → inProgress → completed."""
    reported_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    planned_end: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    order: Mapped[SalesOrder] = relationship(back_populates="production_runs")


class QualityInspection(Base):
    """A quality inspection of the order's production, as MES recorded it (shown, never judged)."""

    __tablename__ = "crm_quality_inspections"
    __table_args__ = (UniqueConstraint("order_pk", "inspection_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("crm_sales_orders.id", ondelete="CASCADE"))
    inspection_no: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    """incoming | inProcess | final."""
    production_order_no: Mapped[str | None] = mapped_column(String(50), nullable=True)
    product_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lot: Mapped[str | None] = mapped_column(String(50), nullable=True)
    qty_inspected: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    qty_accepted: Mapped[float | None] = mapped_column(Numeric(14, 3, asdecimal=False), nullable=True)
    qty_rejected: Mapped[float | None] = mapped_column(Numeric(14, 3, asdecimal=False), nullable=True)
    result: Mapped[str] = mapped_column(String(20))
    """pass | conditional (accepted with a concession) | fail."""
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    inspected_at: Mapped[datetime] = mapped_column(DateTime)

    order: Mapped[SalesOrder] = relationship(back_populates="quality_inspections")


class TimelineEntry(Base):
    """One thing that happened to a sales order; ``ref`` makes a repeated report a no-op."""

    __tablename__ = "crm_order_timeline"
    __table_args__ = (UniqueConstraint("order_pk", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("crm_sales_orders.id", ondelete="CASCADE"))
    ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)

    order: Mapped[SalesOrder] = relationship(back_populates="timeline")


class Complaint(Base):
    __tablename__ = "crm_complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("crm_customers.customer_id"), index=True)
    order_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    product_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lot: Mapped[str | None] = mapped_column(String(50), nullable=True)
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    reported_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    department: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    root_cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrective_action: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(10), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    customer: Mapped[Customer] = relationship()

    @property
    def customer_name(self) -> str:
        return self.customer.name


class StockAlert(Base):
    """A safety-stock shortfall that WMS reported, shown to sales with substitutes to promote."""

    __tablename__ = "crm_stock_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(20), unique=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("crm_products.product_code"), index=True)
    warehouse: Mapped[str] = mapped_column(String(40))
    available: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    safety_stock: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    shortfall: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    suggested_qty: Mapped[float | None] = mapped_column(Numeric(14, 3, asdecimal=False), nullable=True)
    substitutes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Snapshot of each substitute product ({productCode, name, listPrice}) when the alert came in."""
    source_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    product: Mapped[Product] = relationship()

    @property
    def product_name(self) -> str:
        return self.product.name
