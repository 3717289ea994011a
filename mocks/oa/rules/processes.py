"""Approval workflows: the approver chain by amount, decisions by the current approver only.

- Below the process definition's threshold (company ``APPROVAL_THRESHOLD_CNY`` by
  default) one approver decides (the definition's first approver, e.g. the
  purchasing manager); at or above it, a second approver (the general manager)
  decides after the first, in sequence.
- Only the current approver may agree or refuse; a refusal needs a comment and
  ends the instance (``COMPLETED``/``refuse``); the last agreement completes it
  (``COMPLETED``/``agree``). Only the originator may terminate a running one.
- An amount above the available budget named in the form is flagged in
  ``budgetWarning``, never refused: the approvers decide.
- Starting the same ``processCode`` + ``businessId`` again while one is running
  or agreed returns that instance (the hub may retry); after a refusal or a
  termination it starts a new one (a resubmission).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.oa import events
from mocks.oa.clock import money, now, parse_money
from mocks.oa.models import ApprovalStep, ProcessDefinition, ProcessInstance
from mocks.oa.rules import directory, notifications

RUNNING, COMPLETED, TERMINATED = "RUNNING", "COMPLETED", "TERMINATED"
AGREE, REFUSE = "agree", "refuse"
FORM_AMOUNT = "金额"
FORM_BUDGET_CODE = "预算科目"
FORM_BUDGET_AVAILABLE = "可用预算"


def start(session: Session, *, process_code: str, business_id: str, title: str, originator_user_id: str,
          amount: Decimal | None, form: list[dict[str, str]], dept_id: int | None = None,
          ) -> tuple[ProcessInstance, bool]:
    """Start an approval (or return the live one for the same business key); ``True`` if new."""
    definition = session.get(ProcessDefinition, process_code)
    if definition is None:
        raise BusinessError("unknown_process", f"process {process_code!r} is not defined in OA",
                            field="processCode")
    originator = directory.user(session, originator_user_id, field="originatorUserId")
    dept = directory.department(session, dept_id) if dept_id is not None else originator.department
    existing = session.scalar(
        select(ProcessInstance)
        .where(ProcessInstance.process_code == process_code, ProcessInstance.business_id == business_id,
               or_(ProcessInstance.status == RUNNING,
                   and_(ProcessInstance.status == COMPLETED, ProcessInstance.result == AGREE)))
        .order_by(ProcessInstance.id.desc()))
    if existing is not None:
        return existing, False
    values = {c["name"]: c["value"] for c in form}
    value = _amount(amount, values)
    budget_code = values.get(FORM_BUDGET_CODE) or None
    available = _form_money(values, FORM_BUDGET_AVAILABLE)
    inst = ProcessInstance(
        process_instance_id=f"PROC-{uuid.uuid4()}", process_code=process_code, business_id=business_id,
        title=title, originator_user_id=originator.user_id, originator_dept_id=dept.dept_id,
        amount=money(value), form_component_values=form, status=RUNNING, result=None,
        approver_user_ids=approver_chain(definition, value), budget_code=budget_code,
        budget_available=money(available) if available is not None else None,
        budget_warning=budget_warning(value, available, budget_code), create_time=now())
    session.add(inst)
    session.flush()
    _open_step(session, inst, 1)
    return inst, True


def approver_chain(definition: ProcessDefinition, amount: Decimal) -> list[str]:
    """One approver below the threshold; at or above it the second follows the first."""
    if amount < definition.threshold:
        return [definition.first_approver_user_id]
    return list(dict.fromkeys([definition.first_approver_user_id, definition.second_approver_user_id]))


def budget_warning(amount: Decimal, available: Decimal | None, budget_code: str | None) -> str | None:
    if available is None or amount <= available:
        return None
    return (f"金额 {money(amount)} 超出可用预算 {money(available)}"
            f"（{budget_code or '未指定预算科目'}），超出 {money(amount - available)}")


def approve(session: Session, process_instance_id: str, user_id: str, remark: str | None) -> ProcessInstance:
    return _decide(session, process_instance_id, user_id, AGREE, remark)


def refuse(session: Session, process_instance_id: str, user_id: str, remark: str | None) -> ProcessInstance:
    return _decide(session, process_instance_id, user_id, REFUSE, remark)


def terminate(session: Session, process_instance_id: str, operating_user_id: str,
              remark: str | None) -> ProcessInstance:
    """The originator withdraws a running approval: it ends ``TERMINATED`` with no result."""
    inst = _running(session, process_instance_id)
    directory.user(session, operating_user_id, field="operatingUserId")
    if operating_user_id != inst.originator_user_id:
        raise BusinessError("not_originator", f"only the originator {inst.originator_user_id!r} may terminate "
                            f"{process_instance_id}", field="operatingUserId", status=403)
    at = now()
    step = inst.current_step
    if step is not None:
        step.status, step.finish_time, step.remark = "CANCELED", at, remark
        events.task_changed(session, inst, step, "cancel")
    inst.status, inst.result, inst.finish_time, inst.current_approver_user_id = TERMINATED, None, at, None
    events.instance_finished(session, inst, operating_user_id, remark)
    return inst


def get(session: Session, process_instance_id: str) -> ProcessInstance:
    inst = session.scalar(select(ProcessInstance)
                          .where(ProcessInstance.process_instance_id == process_instance_id))
    if inst is None:
        raise NotFound("process instance", process_instance_id, field="processInstanceId")
    return inst


def search(session: Session, *, process_code: str | None = None, business_id: str | None = None,
           status: str | None = None, originator_user_id: str | None = None,
           approver_user_id: str | None = None) -> list[ProcessInstance]:
    q = select(ProcessInstance).order_by(ProcessInstance.id)
    for column, value in ((ProcessInstance.process_code, process_code),
                          (ProcessInstance.business_id, business_id),
                          (ProcessInstance.status, status),
                          (ProcessInstance.originator_user_id, originator_user_id),
                          (ProcessInstance.current_approver_user_id, approver_user_id)):
        if value is not None:
            q = q.where(column == value)
    return list(session.scalars(q))


def definitions(session: Session) -> list[ProcessDefinition]:
    return list(session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_code)))


def definition(session: Session, process_code: str) -> ProcessDefinition:
    found = session.get(ProcessDefinition, process_code)
    if found is None:
        raise NotFound("process", process_code, field="processCode")
    return found


def configure(session: Session, process_code: str, *, name: str | None = None,
              first_approver_user_id: str | None = None, second_approver_user_id: str | None = None,
              threshold_amount: Decimal | None = None) -> ProcessDefinition:
    """Change a process's approvers or threshold; running instances keep their chain."""
    found = definition(session, process_code)
    if first_approver_user_id is not None:
        directory.user(session, first_approver_user_id, field="firstApproverUserId")
        found.first_approver_user_id = first_approver_user_id
    if second_approver_user_id is not None:
        directory.user(session, second_approver_user_id, field="secondApproverUserId")
        found.second_approver_user_id = second_approver_user_id
    if threshold_amount is not None:
        found.threshold_amount = money(threshold_amount)
    if name is not None:
        found.name = name
    return found


def _decide(session: Session, process_instance_id: str, user_id: str, result: str,
            remark: str | None) -> ProcessInstance:
    inst = _running(session, process_instance_id)
    directory.user(session, user_id, field="userId")
    step = inst.current_step
    if step is None or step.user_id != user_id:
        raise BusinessError("not_current_approver", f"{process_instance_id} awaits "
                            f"{inst.current_approver_user_id!r}, not {user_id!r}", field="userId", status=403)
    if result == REFUSE and not (remark or "").strip():
        raise BusinessError("remark_required", "a refusal needs a comment saying why", field="remark")
    step.status, step.result, step.remark, step.finish_time = COMPLETED, result, remark, now()
    events.task_changed(session, inst, step, "finish")
    if result == AGREE and step.step_no < len(inst.approver_user_ids):
        _open_step(session, inst, step.step_no + 1)
    else:
        _finish(session, inst, result, user_id, remark)
    return inst


def _running(session: Session, process_instance_id: str) -> ProcessInstance:
    inst = get(session, process_instance_id)
    if inst.status != RUNNING:
        raise BusinessError("instance_not_running", f"{process_instance_id} is already {inst.status}"
                            + (f" ({inst.result})" if inst.result else ""),
                            field="processInstanceId", status=409)
    return inst


def _open_step(session: Session, inst: ProcessInstance, step_no: int) -> None:
    approver = inst.approver_user_ids[step_no - 1]
    step = ApprovalStep(step_no=step_no, user_id=approver, status=RUNNING, create_time=now())
    inst.steps.append(step)
    inst.current_approver_user_id = approver
    session.flush()
    notifications.deliver(session, [approver], f"待审批：{inst.title}",
                          f"{inst.originator_user_id} 提交的 {inst.process_code} 等待您审批，金额 {inst.amount}",
                          f"/api/processinstances/{inst.process_instance_id}")
    events.task_changed(session, inst, step, "start")


def _finish(session: Session, inst: ProcessInstance, result: str, decider: str, remark: str | None) -> None:
    inst.status, inst.result, inst.finish_time, inst.current_approver_user_id = COMPLETED, result, now(), None
    word = "已通过" if result == AGREE else "被拒绝"
    notifications.deliver(session, [inst.originator_user_id], f"审批{word}：{inst.title}",
                          f"{decider} {word}" + (f"：{remark}" if remark else ""),
                          f"/api/processinstances/{inst.process_instance_id}")
    events.instance_finished(session, inst, decider, remark)


def _amount(amount: Decimal | None, values: dict[str, str]) -> Decimal:
    in_form = _form_money(values, FORM_AMOUNT)
    if amount is None:
        amount = in_form
    elif in_form is not None and in_form != amount:
        raise BusinessError("amount_mismatch", f"amount {money(amount)} differs from the form's "
                            f"{FORM_AMOUNT} {money(in_form)}", field="amount")
    if amount is None:
        raise BusinessError("amount_required", f"give amount or a {FORM_AMOUNT} form component", field="amount")
    if amount < 0:
        raise BusinessError("amount_negative", "the amount cannot be negative", field="amount")
    return amount


def _form_money(values: dict[str, str], name: str) -> Decimal | None:
    if name not in values or not values[name].strip():
        return None
    parsed = parse_money(values[name])
    if parsed is None:
        raise BusinessError("invalid_amount", f"form component {name} must be a number with at most two decimals, got {values[name]!r}",
                            field=f"formComponentValues.{name}")
    return parsed
