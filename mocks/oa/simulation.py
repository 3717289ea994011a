"""OA acting on its own: approvers decide and departments close their tasks.

Each tick (seeded, so a given seed replays the same remarks and root causes):

- every RUNNING approval gets one decision from its current approver. Below
  ``MOCK_OA_AUTO_APPROVE_BELOW`` (default: the company approval threshold) the
  approver agrees. At or above it the approvers agree step by step too — but
  refuse, stating the reason, when the amount exceeds the available budget.
- every open task ages one tick; after :data:`TASK_TICKS_TO_COMPLETE` ticks its
  assignee completes it with a plausible root cause and disposition — except a
  task worked in another system (``handledIn``), which waits for that system.
"""

from __future__ import annotations

import os
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.oa.rules import processes, tasks

AUTO_APPROVE_ENV = "MOCK_OA_AUTO_APPROVE_BELOW"
DEFAULT_AUTO_APPROVE_BELOW = Decimal(str(company.APPROVAL_THRESHOLD_CNY))
TASK_TICKS_TO_COMPLETE = 2
AGREE_REMARKS = ("同意", "同意，按计划执行", "已核对，同意", "情况属实，同意")
RESOLUTIONS: tuple[tuple[str, str], ...] = (
    ("焊接电流偏低导致桌腿虚焊，已调整焊接参数", "repair"),
    ("封边胶温度不足导致桌面板开胶", "replace"),
    ("运输包装缓冲不足造成磕碰", "credit"),
    ("螺栓批次硬度不达标，已隔离该批次", "replace"),
    ("安装说明不清导致客户装配错误，已上门调整", "repair"),
)


def auto_approve_below() -> Decimal:
    """The amount below which approvals are agreed without a budget check (env or default)."""
    raw = os.environ.get(AUTO_APPROVE_ENV)
    if not raw:
        return DEFAULT_AUTO_APPROVE_BELOW
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"{AUTO_APPROVE_ENV} must be a number, got {raw!r}") from exc


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    limit = auto_approve_below()
    agreed: list[str] = []
    refused: list[str] = []
    for inst in processes.search(session, status=processes.RUNNING):
        approver = inst.current_approver_user_id
        if approver is None:
            continue
        overdue = _overdue_amount(inst.form_component_values)
        if inst.amount_value >= limit and inst.budget_warning:
            processes.refuse(session, inst.process_instance_id, approver, f"超出可用预算，不予批准：{inst.budget_warning}")
            refused.append(inst.process_instance_id)
        elif overdue > 0:
            processes.refuse(session, inst.process_instance_id, approver,
                             f"客户有逾期应收 {overdue:.2f}，先回款再放行 (overdue receivables: collect first)")
            refused.append(inst.process_instance_id)
        else:
            processes.approve(session, inst.process_instance_id, approver, rng.choice(AGREE_REMARKS))
            agreed.append(inst.process_instance_id)
    completed: list[str] = []
    for task in tasks.search(session, status=tasks.RUNNING):
        if task.handled_in:
            continue  # worked in another system: completed when its finding arrives
        task.sim_ticks += 1
        if task.sim_ticks >= TASK_TICKS_TO_COMPLETE:
            cause, disposition = rng.choice(RESOLUTIONS)
            tasks.complete(session, task.task_id, user_id=task.executor_user_id, root_cause=cause,
                           disposition=disposition, remark="自动处理（模拟）")
            completed.append(task.task_id)
    return {"agreed": agreed, "refused": refused, "tasksCompleted": completed}


OVERDUE_FIELD = "逾期金额"


def _overdue_amount(form: list[dict[str, str]]) -> float:
    """A credit-release request's overdue amount: approvers never release a customer who owes overdue money."""
    for component in form or []:
        if component.get("name") == OVERDUE_FIELD:
            try:
                return float(component.get("value") or 0)
            except ValueError:
                return 0.0
    return 0.0
