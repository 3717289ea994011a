"""OA's webhook events: their native names, the envelope they travel in, and emitters.

Envelope (DingTalk-like)::

    {"msgType": "bpms_instance_finished", "bizId": "PROC-…", "eventTime": 1767225600000,
     "corpId": "hengjia", "content": {…}}

``bizId`` is the key of the record the event is about (instance, task or user).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.oa.clock import fmt_date, fmt_time
from mocks.oa.models import ApprovalStep, Department, Onboarding, ProcessInstance, Task, User

CORP_ID = "hengjia"

BPMS_TASK_CHANGE = "bpms_task_change"
"""An approver's task started or was decided (one per approval step)."""
BPMS_INSTANCE_FINISHED = "bpms_instance_finished"
"""An approval ended: agreed, refused or terminated (→ ``approval.decided``)."""
TASK_ASSIGNED = "task_assigned"
"""A routed task got its department and assignee (→ ``complaint.assigned``)."""
TASK_COMPLETED = "task_completed"
"""A routed task was completed with root cause and disposition (→ ``complaint.resolved``)."""
USER_ONBOARDED = "user_onboarded"
"""A new employee's user exists (→ ``employee.onboarded``)."""

BIZ_ID_FIELD: dict[str, str] = {
    BPMS_TASK_CHANGE: "processInstanceId",
    BPMS_INSTANCE_FINISHED: "processInstanceId",
    TASK_ASSIGNED: "taskId",
    TASK_COMPLETED: "taskId",
    USER_ONBOARDED: "userId",
}


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """OA's native webhook body; the event id travels in the ``webhook-id`` header."""
    return {
        "msgType": event_type,
        "bizId": data.get(BIZ_ID_FIELD.get(event_type, ""), event_id),
        "eventTime": int(occurred_at.timestamp() * 1000),
        "corpId": CORP_ID,
        "content": data,
    }


def task_changed(session: Session, inst: ProcessInstance, step: ApprovalStep, change: str) -> None:
    """``change`` is ``start`` (task created), ``finish`` (decided) or ``cancel`` (terminated)."""
    emit(session, BPMS_TASK_CHANGE, {
        "processInstanceId": inst.process_instance_id,
        "processCode": inst.process_code,
        "businessId": inst.business_id,
        "title": inst.title,
        "taskId": step.task_id,
        "stepNo": step.step_no,
        "staffId": step.user_id,
        "type": change,
        "result": step.result,
        "remark": step.remark,
        "createTime": fmt_time(step.create_time),
        "finishTime": fmt_time(step.finish_time),
    })


def instance_finished(session: Session, inst: ProcessInstance, decider: str, remark: str | None) -> None:
    emit(session, BPMS_INSTANCE_FINISHED, {
        "processInstanceId": inst.process_instance_id,
        "processCode": inst.process_code,
        "businessId": inst.business_id,
        "title": inst.title,
        "originatorUserId": inst.originator_user_id,
        "amount": inst.amount,
        "type": "terminate" if inst.status == "TERMINATED" else "finish",
        "status": inst.status,
        "result": inst.result,
        "staffId": decider,
        "remark": remark,
        "budgetWarning": inst.budget_warning,
        "createTime": fmt_time(inst.create_time),
        "finishTime": fmt_time(inst.finish_time),
    })


def task_assigned(session: Session, task: Task, executor: User) -> None:
    emit(session, TASK_ASSIGNED, {
        **_task_keys(task),
        "title": task.title,
        "severity": task.severity,
        "executorUserId": task.executor_user_id,
        "executorName": executor.name,
        "notifiedUserIds": list(task.notified_user_ids),
        "dueTime": fmt_time(task.due_time),
        "createTime": fmt_time(task.create_time),
    })


def task_completed(session: Session, task: Task) -> None:
    emit(session, TASK_COMPLETED, {
        **_task_keys(task),
        "executorUserId": task.executor_user_id,
        "completedByUserId": task.completed_by_user_id,
        "rootCause": task.root_cause,
        "correctiveAction": task.corrective_action,
        "disposition": task.disposition,
        "remark": task.remark,
        "finishTime": fmt_time(task.finish_time),
    })


def user_onboarded(session: Session, onboarding: Onboarding, user: User, dept: Department) -> None:
    emit(session, USER_ONBOARDED, {
        "onboardingId": onboarding.onboarding_id,
        "userId": user.user_id,
        "jobNumber": user.job_number,
        "name": user.name,
        "deptId": dept.dept_id,
        "deptName": dept.name,
        "deptSourceIdentifier": dept.source_identifier,
        "position": user.position,
        "managerUserId": user.manager_user_id,
        "hiredDate": fmt_date(user.hired_date),
        "roles": list(user.roles),
        "createTime": fmt_time(onboarding.create_time),
    })


def _task_keys(task: Task) -> dict[str, Any]:
    return {
        "taskId": task.task_id,
        "sourceType": task.source_type,
        "sourceId": task.source_id,
        "deptId": task.dept_id,
        "deptName": task.department.name,
        "deptSourceIdentifier": task.department.source_identifier,
    }
