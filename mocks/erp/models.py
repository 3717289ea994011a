"""ERP tables: archives, sales and billing documents, purchasing, stock value, budgets.

Money columns are ``Numeric(14, 2)`` and quantities integers (every material
is counted in pieces). Document numbers (``so_number``, ``invoice_no`` …) are
set right after the row gets its id, see :mod:`mocks.erp.rules.numbers`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(14, 2)


class Base(DeclarativeBase):
    pass


# ------------------------------------------------------------------ archives
class ExternalRef(Base):
    """Another system's id of one of our archive records (``crm``/``CUS-000101`` → customer 100001)."""

    __tablename__ = "external_refs"
    __table_args__ = (UniqueConstraint("entity", "system", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # customer | vendor | employee | material
    system: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(80))
    local_key: Mapped[str] = mapped_column(String(40))


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 100001…
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tax_no: Mapped[str] = mapped_column(String(18), unique=True)
    credit_limit: Mapped[Decimal] = mapped_column(Money)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | blocked
    city: Mapped[str | None] = mapped_column(String(50), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    contact_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    ext_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    changed_on: Mapped[date] = mapped_column(Date)


class Material(Base):
    __tablename__ = "materials"

    material: Mapped[str] = mapped_column(String(8), primary_key=True)  # "100-0001"
    description: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    uom: Mapped[str] = mapped_column(String(5), default="PCS")
    procurement: Mapped[str] = mapped_column(String(8))  # in_house | external
    std_cost: Mapped[Decimal] = mapped_column(Money)
    list_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)  # None: not sold
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    lot_min: Mapped[int] = mapped_column(Integer, default=0)
    lot_multiple: Mapped[int] = mapped_column(Integer, default=0)
    batch_managed: Mapped[bool] = mapped_column(Boolean, default=False)
    warehouse: Mapped[str] = mapped_column(String(4))  # "1000" raw materials, "2000" finished goods
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | blocked
    ext_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    changed_on: Mapped[date] = mapped_column(Date)


class Vendor(Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 200001…
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tax_no: Mapped[str] = mapped_column(String(18), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | blocked
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 1), nullable=True)
    contact_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    ext_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    changed_on: Mapped[date] = mapped_column(Date)


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 90001…
    name: Mapped[str] = mapped_column(String(50))
    department: Mapped[str] = mapped_column(String(10))
    position: Mapped[str | None] = mapped_column(String(50), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | left
    ext_refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    changed_on: Mapped[date] = mapped_column(Date)


# --------------------------------------------------------------------- sales
class SalesOrder(Base):
    __tablename__ = "sales_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    so_number: Mapped[str] = mapped_column(String(20), unique=True, default="")
    ext_ref: Mapped[str | None] = mapped_column(String(60), unique=True, nullable=True)
    ext_system: Mapped[str | None] = mapped_column(String(20), nullable=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    sales_rep: Mapped[str | None] = mapped_column(String(50), nullable=True)
    order_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))  # blocked | released | partially_delivered | completed | cancelled
    credit_status: Mapped[str] = mapped_column(String(10))  # passed | blocked | released (manually)
    credit_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    credit_exposure: Mapped[Decimal] = mapped_column(Money)
    credit_limit: Mapped[Decimal] = mapped_column(Money)
    overdue_amount: Mapped[Decimal] = mapped_column(Money)
    credit_approver: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

    items: Mapped[list[SalesOrderItem]] = relationship(
        back_populates="order", order_by="SalesOrderItem.line_no", cascade="all, delete-orphan")
    customer: Mapped[Customer] = relationship()


class SalesOrderItem(Base):
    __tablename__ = "sales_order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"))
    line_no: Mapped[int] = mapped_column(Integer)  # 10, 20, …
    material: Mapped[str] = mapped_column(ForeignKey("materials.material"))
    qty: Mapped[int] = mapped_column(Integer)
    req_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    promised_date: Mapped[date] = mapped_column(Date)
    list_price: Mapped[Decimal] = mapped_column(Money)
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)
    delivered_qty: Mapped[int] = mapped_column(Integer, default=0)
    invoiced_net: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    invoiced_tax: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    order: Mapped[SalesOrder] = relationship(back_populates="items")

    @property
    def unit_price(self) -> Decimal:
        return (self.net / self.qty).quantize(Decimal("0.01"))

    @property
    def open_qty(self) -> int:
        return self.qty - self.delivered_qty


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    shipment_no: Mapped[str] = mapped_column(String(60), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"))
    ship_date: Mapped[date] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(50), nullable=True)
    tracking_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{line_no, material, qty, lot}]
    invoice_no: Mapped[str | None] = mapped_column(String(20), nullable=True)

    order: Mapped[SalesOrder] = relationship()

    @property
    def so_number(self) -> str:
        return self.order.so_number

    @property
    def ext_ref(self) -> str | None:
        return self.order.ext_ref


class Invoice(Base):
    """A customer invoice; its open amount *is* the receivable."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id"), nullable=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(10))  # sales | opening (balance carried over at seed)
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | paid
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    order: Mapped[SalesOrder | None] = relationship()
    delivery: Mapped[Delivery | None] = relationship()

    @property
    def open_amount(self) -> Decimal:
        return self.gross - self.paid

    @property
    def overdue(self) -> bool:
        return self.status == "open" and self.due_date < date.today()

    @property
    def so_number(self) -> str | None:
        return self.order.so_number if self.order else None

    @property
    def ext_ref(self) -> str | None:
        return self.order.ext_ref if self.order else None

    @property
    def shipment_no(self) -> str | None:
        return self.delivery.shipment_no if self.delivery else None


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    bank_ref: Mapped[str | None] = mapped_column(String(60), unique=True, nullable=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[date] = mapped_column(Date)

    invoice: Mapped[Invoice] = relationship()

    @property
    def invoice_no(self) -> str:
        return self.invoice.invoice_no

    @property
    def customer_id(self) -> int:
        return self.invoice.customer_id

    @property
    def so_number(self) -> str | None:
        return self.invoice.so_number

    @property
    def ext_ref(self) -> str | None:
        return self.invoice.ext_ref

    @property
    def invoice_open_amount(self) -> Decimal:
        return self.invoice.open_amount

    @property
    def invoice_status(self) -> str:
        return self.invoice.status


# ---------------------------------------------------------------- purchasing
class Budget(Base):
    __tablename__ = "budgets"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Money)
    used: Mapped[Decimal] = mapped_column(Money)  # goods received (net) against it


class PurchaseCommitment(Base):
    """A purchase order issued (in SRM) as ERP records it: an obligation that consumes budget."""

    __tablename__ = "purchase_commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    po_number: Mapped[str] = mapped_column(String(40), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    budget_code: Mapped[str] = mapped_column(ForeignKey("budgets.code"))
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[date] = mapped_column(Date)
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))  # open | partially_received | received | closed
    over_budget: Mapped[bool] = mapped_column(Boolean, default=False)
    pr_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """When every receipt of the order was in and the commitment was closed."""
    closed_receipts: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The warehouse's receipt numbers the closing named."""

    items: Mapped[list[CommitmentItem]] = relationship(
        back_populates="commitment", order_by="CommitmentItem.line_no", cascade="all, delete-orphan")
    delays: Mapped[list[PurchaseDelay]] = relationship(
        back_populates="commitment", order_by="PurchaseDelay.id", cascade="all, delete-orphan")


class CommitmentItem(Base):
    __tablename__ = "commitment_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("purchase_commitments.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    material: Mapped[str] = mapped_column(ForeignKey("materials.material"))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    net: Mapped[Decimal] = mapped_column(Money)
    promised_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_qty: Mapped[int] = mapped_column(Integer, default=0)
    delayed_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The delivery date the supplier's latest delay gives (None: as promised)."""

    commitment: Mapped[PurchaseCommitment] = relationship(back_populates="items")

    @property
    def open_qty(self) -> int:
        return max(self.qty - self.received_qty, 0)

    @property
    def expected_date(self) -> date | None:
        return self.delayed_to or self.promised_date


class PurchaseDelay(Base):
    """A supplier's delay of one purchase-order line, as ERP records it against the commitment."""

    __tablename__ = "purchase_delays"
    __table_args__ = (UniqueConstraint("commitment_id", "line_no", "new_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delay_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    commitment_id: Mapped[int] = mapped_column(ForeignKey("purchase_commitments.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    material: Mapped[str] = mapped_column(String(20))
    old_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_date: Mapped[date] = mapped_column(Date)
    days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """new_date − the line's promised date."""
    qty_affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    recorded_on: Mapped[date] = mapped_column(Date)

    commitment: Mapped[PurchaseCommitment] = relationship(back_populates="delays")

    @property
    def po_number(self) -> str:
        return self.commitment.po_number


class GoodsReceipt(Base):
    __tablename__ = "goods_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gr_number: Mapped[str] = mapped_column(String(20), unique=True, default="")
    receipt_no: Mapped[str] = mapped_column(String(60), unique=True)  # the warehouse's receipt number
    po_number: Mapped[str] = mapped_column(String(40))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    receipt_date: Mapped[date] = mapped_column(Date)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    discrepancy: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # [{line_no, material, qty, unit_price, value (qty × PO price), stock_value (qty × std_cost),
    #   price_variance, over_qty}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    payable_no: Mapped[str | None] = mapped_column(String(20), nullable=True)


class Payable(Base):
    __tablename__ = "payables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payable_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    po_number: Mapped[str] = mapped_column(String(40))
    gr_number: Mapped[str] = mapped_column(String(20))
    posting_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    gross: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(10))  # open | on_hold (receipt flagged) | paid
    hold_released_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    payment_no: Mapped[str | None] = mapped_column(String(20), nullable=True)


class VendorPayment(Base):
    """Money paid to a vendor for one payable (alone, or in a payment run)."""

    __tablename__ = "vendor_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    payable_id: Mapped[int] = mapped_column(ForeignKey("payables.id"), unique=True)
    """One payment per payable: a payable is never paid twice."""
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    bank_ref: Mapped[str | None] = mapped_column(String(60), unique=True, nullable=True)
    run_no: Mapped[str | None] = mapped_column(String(20), nullable=True)

    payable: Mapped[Payable] = relationship()

    @property
    def payable_no(self) -> str:
        return self.payable.payable_no

    @property
    def po_number(self) -> str:
        return self.payable.po_number

    @property
    def gr_number(self) -> str:
        return self.payable.gr_number


class PaymentRun(Base):
    """Finance's payment run: every open payable due by a date paid at once, each exactly once."""

    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    run_ref: Mapped[str] = mapped_column(String(60), unique=True)
    due_by: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date] = mapped_column(Date)
    vendor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    total: Mapped[Decimal] = mapped_column(Money)
    paid: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The vendor payment numbers it made."""
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{payable_no, reason}]: payables due by the date it could not pay (on hold)."""


class PurchaseRequisition(Base):
    __tablename__ = "purchase_requisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pr_number: Mapped[str] = mapped_column(String(20), unique=True, default="")
    budget_code: Mapped[str] = mapped_column(ForeignKey("budgets.code"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    created_on: Mapped[date] = mapped_column(Date)
    estimated_amount: Mapped[Decimal] = mapped_column(Money)
    budget_available: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{material, qty, need_by, est_price, est_value}]


# ------------------------------------------------------------------ inventory
class StockValue(Base):
    """Book stock of one material, valued at standard cost."""

    __tablename__ = "stock_values"

    material: Mapped[str] = mapped_column(ForeignKey("materials.material"), primary_key=True)
    qty: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))


class StockMovement(Base):
    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material: Mapped[str] = mapped_column(ForeignKey("materials.material"))
    kind: Mapped[str] = mapped_column(String(20))  # opening | goods_receipt | production_receipt | delivery
    qty: Mapped[int] = mapped_column(Integer)  # signed
    value: Mapped[Decimal] = mapped_column(Money)  # signed
    ref_doc: Mapped[str] = mapped_column(String(60))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProductionReceipt(Base):
    __tablename__ = "production_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True, default="")
    order_ref: Mapped[str] = mapped_column(String(60), unique=True)  # the MES production order
    material: Mapped[str] = mapped_column(ForeignKey("materials.material"))
    qty_good: Mapped[int] = mapped_column(Integer)
    qty_scrap: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(Money)
    posting_date: Mapped[date] = mapped_column(Date)
    so_ref: Mapped[str | None] = mapped_column(String(60), nullable=True)
