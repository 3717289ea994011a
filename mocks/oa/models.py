"""OA's tables: directory (departments, users, onboardings), approvals, tasks, notifications.

Amounts are stored as two-decimal strings (what the forms carry, and exact in
SQLite); times are naive local (+08:00) wall-clock times, see :mod:`mocks.oa.clock`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

TASK_PREFIX = "TASK-"
ONBOARDING_PREFIX = "ONB-"
MAX_DB_INT = 2**63 - 1


class Base(DeclarativeBase):
    pass


def number_of(key: str, prefix: str) -> int | None:
    """``TASK-000012`` → 12; ``None`` for anything else (so a lookup answers 404, not 500)."""
    digits = key.removeprefix(prefix) if key.startswith(prefix) else ""
    return int(digits) if digits.isdigit() and int(digits) <= MAX_DB_INT else None


# ------------------------------------------------------------------ directory
class Department(Base):
    __tablename__ = "departments"

    dept_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_identifier: Mapped[str | None] = mapped_column(String(50), unique=True, nullable=True)
    """The company-wide department key (``QA``), as DingTalk's ``sourceIdentifier``."""
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    manager_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The department head: tasks routed here are assigned to them."""


class User(Base):
    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.dept_id"))
    position: Mapped[str] = mapped_column(String(100))
    manager_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    hired_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship(lazy="joined")


class Onboarding(Base):
    __tablename__ = "onboardings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"))
    name: Mapped[str] = mapped_column(String(100))
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.dept_id"))
    position: Mapped[str] = mapped_column(String(100))
    manager_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start_date: Mapped[date] = mapped_column(Date)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="COMPLETED")
    create_time: Mapped[datetime] = mapped_column(DateTime)

    @property
    def onboarding_id(self) -> str:
        return f"{ONBOARDING_PREFIX}{self.id:05d}"


# ------------------------------------------------------------------ approvals
class ProcessDefinition(Base):
    """An approval form: who approves it, and from which amount a second approver is needed."""

    __tablename__ = "process_definitions"

    process_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    first_approver_user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"))
    second_approver_user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"))
    threshold_amount: Mapped[str] = mapped_column(String(24))

    @property
    def threshold(self) -> Decimal:
        return Decimal(self.threshold_amount)


class ProcessInstance(Base):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_instance_id: Mapped[str] = mapped_column(String(64), unique=True)
    process_code: Mapped[str] = mapped_column(ForeignKey("process_definitions.process_code"))
    business_id: Mapped[str] = mapped_column(String(100), index=True)
    """The requesting system's key (e.g. the requisition number): how flows are traced."""
    title: Mapped[str] = mapped_column(String(200))
    originator_user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"))
    originator_dept_id: Mapped[int] = mapped_column(Integer)
    amount: Mapped[str] = mapped_column(String(24))
    form_component_values: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="RUNNING", index=True)
    result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    approver_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_approver_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    budget_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    budget_available: Mapped[str | None] = mapped_column(String(24), nullable=True)
    budget_warning: Mapped[str | None] = mapped_column(Text, nullable=True)
    create_time: Mapped[datetime] = mapped_column(DateTime)
    finish_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="instance", order_by="ApprovalStep.step_no", cascade="all, delete-orphan")

    @property
    def amount_value(self) -> Decimal:
        return Decimal(self.amount)

    @property
    def current_step(self) -> ApprovalStep | None:
        return next((s for s in self.steps if s.status == "RUNNING"), None)


class ApprovalStep(Base):
    """One approver's task in an instance, and what they decided: the audit trail."""

    __tablename__ = "approval_steps"

    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    step_no: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="RUNNING")
    result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    create_time: Mapped[datetime] = mapped_column(DateTime)
    finish_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    instance: Mapped[ProcessInstance] = relationship(back_populates="steps")


# ---------------------------------------------------------------------- tasks
class RoutingRule(Base):
    """Which department gets a task of a source type (and severity), and who else is told."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_type: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """``None`` matches every severity; a rule naming the severity wins over it."""
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.dept_id"))
    notify_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("source_type", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(100))
    """The other system's key (the CRM complaint id)."""
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    severity: Mapped[str] = mapped_column(String(16))
    customer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    order_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    item: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lot: Mapped[str | None] = mapped_column(String(100), nullable=True)
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.dept_id"))
    executor_user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"))
    notified_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_time: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="RUNNING", index=True)
    handled_in: Mapped[str | None] = mapped_column(String(30), nullable=True)
    """The system where the department works the case; such a task waits for its result."""
    root_cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrective_action: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(16), nullable=True)
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_by_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    create_time: Mapped[datetime] = mapped_column(DateTime)
    finish_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sim_ticks: Mapped[int] = mapped_column(Integer, default=0)
    """Simulation ticks this task has stayed open (the simulation completes it after a couple)."""

    department: Mapped[Department] = relationship(lazy="joined")

    @property
    def task_id(self) -> str:
        return f"{TASK_PREFIX}{self.id:06d}"


# -------------------------------------------------------------- notifications
class Notification(Base):
    """One recipient's copy of a message (a message to a department fans out to its members)."""

    __tablename__ = "notifications"

    notification_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    msg_id: Mapped[str] = mapped_column(String(40), index=True)
    biz_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    """The sender's key for the message, so a re-sent message is not delivered twice."""
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    create_time: Mapped[datetime] = mapped_column(DateTime)
    read_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
