"""Tasks routed to departments — customer complaints first of all.

The routing rule table picks the department by source type (and severity, a
rule naming the severity winning over the catch-all): complaints go to the
quality department; critical ones also notify the general manager. The task
is assigned to the department head, due :data:`DUE_HOURS_BY_SEVERITY` hours
later. The assignee — or a colleague of the department — completes it with a
root cause, a corrective action and a disposition (replace | credit | repair);
a task whose case is worked in another system (``handledIn``, e.g. quality in
MES) is completed when that system's finding arrives through the hub.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.oa import events
from mocks.oa.clock import now
from mocks.oa.models import TASK_PREFIX, RoutingRule, Task, number_of
from mocks.oa.rules import directory, notifications

DUE_HOURS_BY_SEVERITY: dict[str, int] = {"critical": 24, "high": 48, "medium": 72, "low": 120}
RUNNING, COMPLETED = "RUNNING", "COMPLETED"


def route(session: Session, source_type: str, severity: str) -> RoutingRule:
    """The most specific rule for ``source_type`` and ``severity`` (422 if none)."""
    rule = session.scalar(
        select(RoutingRule)
        .where(RoutingRule.source_type == source_type,
               or_(RoutingRule.severity == severity, RoutingRule.severity.is_(None)))
        .order_by(case((RoutingRule.severity.is_(None), 1), else_=0), RoutingRule.id))
    if rule is None:
        raise BusinessError("no_routing_rule", f"no routing rule for source type {source_type!r}",
                            field="sourceType")
    return rule


def create(session: Session, *, source_type: str, source_id: str, title: str, severity: str,
           description: str | None = None, customer: str | None = None, order_no: str | None = None,
           item: str | None = None, lot: str | None = None, dept_id: int | None = None,
           handled_in: str | None = None) -> tuple[Task, bool]:
    """Route and assign a task (or return the one already made for this source); ``True`` if new."""
    existing = session.scalar(select(Task).where(Task.source_type == source_type, Task.source_id == source_id))
    if existing is not None:
        return existing, False
    rule = route(session, source_type, severity) if dept_id is None else None
    dept = directory.department(session, dept_id if dept_id is not None else rule.dept_id)  # type: ignore[union-attr]
    if dept.manager_user_id is None:
        raise BusinessError("department_without_head", f"department {dept.name} has no head to assign to",
                            field="deptId")
    executor = directory.user(session, dept.manager_user_id, field="deptId")
    if rule is None:  # an explicit department still gets the notifications the rule table asks for
        rule = _rule_or_none(session, source_type, severity)
    notified = [u for u in (rule.notify_user_ids if rule else []) if u != executor.user_id]
    created = now()
    task = Task(source_type=source_type, source_id=source_id, title=title,
                description=description, severity=severity, customer=customer, order_no=order_no, item=item,
                lot=lot, handled_in=handled_in, dept_id=dept.dept_id, executor_user_id=executor.user_id,
                notified_user_ids=notified,
                due_time=created + timedelta(hours=DUE_HOURS_BY_SEVERITY[severity]), status=RUNNING,
                create_time=created, sim_ticks=0)
    session.add(task)
    session.flush()
    session.refresh(task)
    link = f"/api/tasks/{task.task_id}"
    notifications.deliver(session, [executor.user_id], f"新任务：{title}",
                          f"{source_type} {source_id}（{severity}）已分派给您，请于 "
                          f"{task.due_time:%Y-%m-%d %H:%M:%S} 前处理", link)
    if notified:
        notifications.deliver(session, notified, f"严重{source_type}：{title}",
                              f"{source_id} 已分派给 {dept.name} {executor.name}", link)
    events.task_assigned(session, task, executor)
    return task, True


def complete(session: Session, task_id: str, *, user_id: str, root_cause: str, disposition: str,
             remark: str | None = None, corrective_action: str | None = None) -> Task:
    task = get(session, task_id)
    if task.status != RUNNING:
        raise BusinessError("task_not_running", f"{task_id} is already {task.status}", field="taskId", status=409)
    user = directory.user(session, user_id, field="userId")
    if user.user_id != task.executor_user_id and user.dept_id != task.dept_id:
        raise BusinessError("not_task_member", f"{user_id!r} is neither the assignee {task.executor_user_id!r} "
                            f"nor in department {task.department.name}", field="userId", status=403)
    task.status, task.finish_time = COMPLETED, now()
    task.root_cause, task.disposition, task.remark, task.completed_by_user_id = root_cause, disposition, remark, user_id
    task.corrective_action = corrective_action
    events.task_completed(session, task)
    return task


def get(session: Session, task_id: str) -> Task:
    number = number_of(task_id, TASK_PREFIX)
    task = session.get(Task, number) if number is not None else None
    if task is None:
        raise NotFound("task", task_id, field="taskId")
    return task


def search(session: Session, *, status: str | None = None, dept_id: int | None = None,
           executor_user_id: str | None = None, source_id: str | None = None) -> list[Task]:
    q = select(Task).order_by(Task.id)
    for column, value in ((Task.status, status), (Task.dept_id, dept_id),
                          (Task.executor_user_id, executor_user_id), (Task.source_id, source_id)):
        if value is not None:
            q = q.where(column == value)
    return list(session.scalars(q))


def rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.id)))


def _rule_or_none(session: Session, source_type: str, severity: str) -> RoutingRule | None:
    try:
        return route(session, source_type, severity)
    except BusinessError:
        return None
