"""OA's request and response bodies, in its own camelCase vocabulary.

Python attributes are snake_case; on the wire every field is camelCase
(``originatorUserId``, ``formComponentValues``), times are ``YYYY-MM-DD HH:mm:ss``
(+08:00 implied) and amounts two-decimal strings. Unknown request fields are
refused, naming the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from mocks.oa.clock import MAX_AMOUNT, fmt_date, fmt_time
from mocks.oa.models import (
    MAX_DB_INT,
    ApprovalStep,
    Department,
    Notification,
    Onboarding,
    ProcessDefinition,
    ProcessInstance,
    RoutingRule,
    Task,
    User,
)

Severity = Literal["low", "medium", "high", "critical"]
Disposition = Literal["replace", "credit", "repair"]
USER_ID_PATTERN = r"^[a-z][a-z0-9_]{2,31}$"
DbId = Annotated[int, Field(ge=0, le=MAX_DB_INT)]
"""An integer id as SQLite can hold it (a larger one is a 422, not a crash)."""


class CamelIn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class CamelOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# ------------------------------------------------------------------ approvals
class FormComponent(CamelIn):
    name: str = Field(min_length=1, max_length=100, description="component label, e.g. 金额, 预算科目")
    value: str = Field(max_length=2000, description="always a string, e.g. \"12000.00\"")


class StartInstanceIn(CamelIn):
    """Start an approval. Well-known components: ``金额`` (amount, if ``amount`` is absent),
    ``预算科目`` (budget code) and ``可用预算`` (budget available): an amount above the
    available budget is flagged in ``budgetWarning``, not refused."""

    process_code: str = Field(min_length=1, max_length=50, examples=["PURCHASE_REQUISITION"])
    business_id: str = Field(min_length=1, max_length=100, examples=["PR-2026-0001"],
                             description="the requesting system's key; a RUNNING or agreed instance "
                                         "with the same processCode+businessId is returned, not duplicated")
    title: str = Field(min_length=1, max_length=200, examples=["采购申请 钢制桌腿 250 PCS"])
    originator_user_id: str = Field(min_length=1, examples=["liqiang"])
    amount: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT, decimal_places=2, examples=["12000.00"])
    dept_id: DbId | None = Field(default=None, description="originator's department; defaults to theirs")
    form_component_values: list[FormComponent] = Field(default_factory=list, examples=[[
        {"name": "金额", "value": "12000.00"}, {"name": "预算科目", "value": "PUR-2026-RM"},
        {"name": "可用预算", "value": "1650000.00"}]])


class DecisionIn(CamelIn):
    user_id: str = Field(min_length=1, examples=["liuyang"], description="must be the current approver")
    remark: str | None = Field(default=None, max_length=1000, examples=["同意"],
                               description="comment; required to refuse")


class TerminateIn(CamelIn):
    operating_user_id: str = Field(min_length=1, description="must be the originator")
    remark: str | None = Field(default=None, max_length=1000)


class ProcessDefinitionIn(CamelIn):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    first_approver_user_id: str | None = None
    second_approver_user_id: str | None = None
    threshold_amount: Decimal | None = Field(default=None, gt=0, le=MAX_AMOUNT, decimal_places=2)


class ApprovalStepOut(CamelOut):
    task_id: int
    step_no: int
    user_id: str
    status: str
    result: str | None
    remark: str | None
    create_time: str
    finish_time: str | None

    @classmethod
    def of(cls, s: ApprovalStep) -> ApprovalStepOut:
        return cls(task_id=s.task_id, step_no=s.step_no, user_id=s.user_id, status=s.status,
                   result=s.result, remark=s.remark, create_time=fmt_time(s.create_time) or "",
                   finish_time=fmt_time(s.finish_time))


class ProcessInstanceOut(CamelOut):
    process_instance_id: str
    process_code: str
    business_id: str
    title: str
    originator_user_id: str
    originator_dept_id: int
    amount: str
    form_component_values: list[dict[str, str]]
    status: Literal["RUNNING", "COMPLETED", "TERMINATED"]
    result: Literal["agree", "refuse"] | None
    approver_user_ids: list[str]
    current_approver_user_id: str | None
    budget_code: str | None
    budget_available: str | None
    budget_warning: str | None
    create_time: str
    finish_time: str | None
    tasks: list[ApprovalStepOut]

    @classmethod
    def of(cls, i: ProcessInstance) -> ProcessInstanceOut:
        return cls(
            process_instance_id=i.process_instance_id, process_code=i.process_code,
            business_id=i.business_id, title=i.title, originator_user_id=i.originator_user_id,
            originator_dept_id=i.originator_dept_id, amount=i.amount,
            form_component_values=list(i.form_component_values), status=i.status,  # type: ignore[arg-type]
            result=i.result, approver_user_ids=list(i.approver_user_ids),  # type: ignore[arg-type]
            current_approver_user_id=i.current_approver_user_id, budget_code=i.budget_code,
            budget_available=i.budget_available, budget_warning=i.budget_warning,
            create_time=fmt_time(i.create_time) or "", finish_time=fmt_time(i.finish_time),
            tasks=[ApprovalStepOut.of(s) for s in i.steps])


class ProcessDefinitionOut(CamelOut):
    process_code: str
    name: str
    first_approver_user_id: str
    second_approver_user_id: str
    threshold_amount: str

    @classmethod
    def of(cls, d: ProcessDefinition) -> ProcessDefinitionOut:
        return cls(process_code=d.process_code, name=d.name,
                   first_approver_user_id=d.first_approver_user_id,
                   second_approver_user_id=d.second_approver_user_id,
                   threshold_amount=d.threshold_amount)


# ---------------------------------------------------------------------- tasks
class TaskIn(CamelIn):
    source_type: str = Field(default="complaint", min_length=1, max_length=30)
    source_id: str = Field(min_length=1, max_length=100, examples=["CMP-2026-0001"],
                           description="the other system's key; the same sourceType+sourceId returns the existing task")
    title: str = Field(min_length=1, max_length=200, examples=["桌腿焊点开裂"])
    severity: Severity = Field(default="medium", description="sets the due time; critical also notifies the GM")
    description: str | None = Field(default=None, max_length=4000)
    customer: str | None = Field(default=None, max_length=100)
    order_no: str | None = Field(default=None, max_length=100)
    item: str | None = Field(default=None, max_length=100)
    lot: str | None = Field(default=None, max_length=100)
    dept_id: DbId | None = Field(default=None, description="route to this department instead of the routing rule's")
    handled_in: str | None = Field(
        default=None, max_length=30, examples=["MES"],
        description="the system where the department works the case (e.g. quality in MES): the task is "
                    "completed when that system's result arrives, never automatically")


class TaskCompleteIn(CamelIn):
    user_id: str = Field(min_length=1, description="the assignee or a member of the task's department")
    root_cause: str = Field(min_length=1, max_length=2000, examples=["焊接电流偏低导致虚焊"])
    corrective_action: str | None = Field(default=None, max_length=2000, examples=["调整焊接参数，焊点全检"],
                                          description="what changes so it does not happen again")
    disposition: Disposition
    remark: str | None = Field(default=None, max_length=1000)


class TaskOut(CamelOut):
    task_id: str
    source_type: str
    source_id: str
    title: str
    description: str | None
    severity: str
    customer: str | None
    order_no: str | None
    item: str | None
    lot: str | None
    handled_in: str | None
    dept_id: int
    dept_name: str
    executor_user_id: str
    notified_user_ids: list[str]
    due_time: str
    status: Literal["RUNNING", "COMPLETED"]
    root_cause: str | None
    corrective_action: str | None
    disposition: str | None
    remark: str | None
    completed_by_user_id: str | None
    create_time: str
    finish_time: str | None

    @classmethod
    def of(cls, t: Task) -> TaskOut:
        return cls(
            task_id=t.task_id, source_type=t.source_type, source_id=t.source_id, title=t.title,
            description=t.description, severity=t.severity, customer=t.customer, order_no=t.order_no,
            item=t.item, lot=t.lot, handled_in=t.handled_in, dept_id=t.dept_id, dept_name=t.department.name,
            executor_user_id=t.executor_user_id, notified_user_ids=list(t.notified_user_ids),
            due_time=fmt_time(t.due_time) or "", status=t.status,  # type: ignore[arg-type]
            root_cause=t.root_cause, corrective_action=t.corrective_action, disposition=t.disposition,
            remark=t.remark,
            completed_by_user_id=t.completed_by_user_id, create_time=fmt_time(t.create_time) or "",
            finish_time=fmt_time(t.finish_time))


class RoutingRuleOut(CamelOut):
    source_type: str
    severity: str | None
    dept_id: int
    notify_user_ids: list[str]

    @classmethod
    def of(cls, r: RoutingRule) -> RoutingRuleOut:
        return cls(source_type=r.source_type, severity=r.severity, dept_id=r.dept_id,
                   notify_user_ids=list(r.notify_user_ids))


# -------------------------------------------------------------- notifications
class NotificationIn(CamelIn):
    to_user_ids: list[str] = Field(default_factory=list, examples=[["liuyang"]])
    dept_id: DbId | None = Field(default=None, description="every member of this department")
    title: str = Field(min_length=1, max_length=200, examples=["采购订单延期"])
    content: str = Field(min_length=1, max_length=4000)
    link: str | None = Field(default=None, max_length=500)
    biz_id: str | None = Field(default=None, max_length=200,
                               description="sender's key; a message with a known bizId is not sent again")


class NotificationOut(CamelOut):
    notification_id: int
    msg_id: str
    biz_id: str | None
    user_id: str
    title: str
    content: str
    link: str | None
    read: bool
    create_time: str
    read_time: str | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(notification_id=n.notification_id, msg_id=n.msg_id, biz_id=n.biz_id, user_id=n.user_id,
                   title=n.title, content=n.content, link=n.link, read=n.read,
                   create_time=fmt_time(n.create_time) or "", read_time=fmt_time(n.read_time))


class MessageOut(CamelOut):
    msg_id: str
    biz_id: str | None
    recipient_user_ids: list[str]
    notifications: list[NotificationOut]

    @classmethod
    def of(cls, rows: list[Notification]) -> MessageOut:
        return cls(msg_id=rows[0].msg_id, biz_id=rows[0].biz_id,
                   recipient_user_ids=[n.user_id for n in rows],
                   notifications=[NotificationOut.of(n) for n in rows])


class ReadIn(CamelIn):
    user_id: str = Field(min_length=1, description="must be the recipient")


# ------------------------------------------------------------------ directory
class OnboardingIn(CamelIn):
    name: str = Field(min_length=1, max_length=100, examples=["赵磊"])
    dept_id: DbId = Field(examples=[103])
    position: str = Field(min_length=1, max_length=100, examples=["装配工"])
    manager_user_id: str | None = Field(default=None, description="defaults to the department head")
    start_date: date = Field(examples=["2026-04-01"])
    roles: list[str] = Field(default_factory=list, examples=[["operator"]])
    user_id: str | None = Field(default=None, pattern=USER_ID_PATTERN,
                                description="generated as emp0010, emp0011, … when absent")


class OnboardingOut(CamelOut):
    onboarding_id: str
    user_id: str
    name: str
    dept_id: int
    position: str
    manager_user_id: str | None
    start_date: str
    roles: list[str]
    status: str
    create_time: str

    @classmethod
    def of(cls, o: Onboarding) -> OnboardingOut:
        return cls(onboarding_id=o.onboarding_id, user_id=o.user_id, name=o.name, dept_id=o.dept_id,
                   position=o.position, manager_user_id=o.manager_user_id,
                   start_date=fmt_date(o.start_date) or "", roles=list(o.roles), status=o.status,
                   create_time=fmt_time(o.create_time) or "")


class UserOut(CamelOut):
    user_id: str
    job_number: str
    name: str
    dept_id: int
    dept_name: str
    position: str
    manager_user_id: str | None
    roles: list[str]
    hired_date: str | None
    active: bool

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(user_id=u.user_id, job_number=u.job_number, name=u.name, dept_id=u.dept_id,
                   dept_name=u.department.name, position=u.position, manager_user_id=u.manager_user_id,
                   roles=list(u.roles), hired_date=fmt_date(u.hired_date), active=u.active)


class DepartmentOut(CamelOut):
    dept_id: int
    name: str
    name_en: str | None
    source_identifier: str | None
    parent_id: int | None
    manager_user_id: str | None
    member_user_ids: list[str]

    @classmethod
    def of(cls, d: Department, members: list[str]) -> DepartmentOut:
        return cls(dept_id=d.dept_id, name=d.name, name_en=d.name_en,
                   source_identifier=d.source_identifier, parent_id=d.parent_id,
                   manager_user_id=d.manager_user_id, member_user_ids=members)


