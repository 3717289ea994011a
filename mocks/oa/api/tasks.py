"""``/api/tasks``: work routed to departments (complaints), and ``/api/routingrules``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.oa.api import ERRORS
from mocks.oa.rules import tasks
from mocks.oa.schemas import DbId, RoutingRuleOut, TaskCompleteIn, TaskIn, TaskOut

router = APIRouter(tags=["tasks"], responses=ERRORS)


@router.post("/api/tasks", status_code=201, response_model=TaskOut, summary="Route a task to a department",
             description="The routing table picks the department (complaints → 质量部; critical ones also "
                         "notify the GM); the department head is assigned; due in 24/48/72/120 h for "
                         "critical/high/medium/low. 201 when created; 200 with the existing task for a known "
                         "sourceType+sourceId.")
def create_task(body: TaskIn, session: SessionDep, response: Response) -> TaskOut:
    task, created = tasks.create(session, **body.model_dump())
    response.status_code = 201 if created else 200
    return TaskOut.of(task)


@router.get("/api/tasks", response_model=list[TaskOut], summary="List tasks")
def list_tasks(session: SessionDep, status: Literal["RUNNING", "COMPLETED"] | None = None,
               deptId: DbId | None = None, executorUserId: str | None = None,  # noqa: N803
               sourceId: str | None = None) -> list[TaskOut]:  # noqa: N803
    found = tasks.search(session, status=status, dept_id=deptId, executor_user_id=executorUserId,
                         source_id=sourceId)
    return [TaskOut.of(t) for t in found]


@router.get("/api/tasks/{taskId}", response_model=TaskOut, summary="One task")
def get_task(taskId: str, session: SessionDep) -> TaskOut:  # noqa: N803
    return TaskOut.of(tasks.get(session, taskId))


@router.post("/api/tasks/{taskId}/complete", response_model=TaskOut,
             summary="Complete a task with root cause and disposition (replace | credit | repair)")
def complete_task(taskId: str, body: TaskCompleteIn, session: SessionDep) -> TaskOut:  # noqa: N803
    return TaskOut.of(tasks.complete(session, taskId, user_id=body.user_id, root_cause=body.root_cause,
                                     disposition=body.disposition, remark=body.remark,
                                     corrective_action=body.corrective_action))


@router.get("/api/routingrules", response_model=list[RoutingRuleOut], summary="The task routing table")
def list_routing_rules(session: SessionDep) -> list[RoutingRuleOut]:
    return [RoutingRuleOut.of(r) for r in tasks.rules(session)]
