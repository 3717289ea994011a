"""``/api/processinstances`` (approvals) and ``/api/processes`` (their definitions)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.oa.api import ERRORS
from mocks.oa.rules import processes
from mocks.oa.schemas import (
    DecisionIn,
    ProcessDefinitionIn,
    ProcessDefinitionOut,
    ProcessInstanceOut,
    StartInstanceIn,
    TerminateIn,
)

router = APIRouter(tags=["approvals"], responses=ERRORS)


@router.post("/api/processinstances", status_code=201, response_model=ProcessInstanceOut,
             summary="Start an approval",
             description="Builds the approver chain from the amount (second approver at/above the process "
                         "threshold), flags an amount above the form's 可用预算 in `budgetWarning`. "
                         "201 when started; 200 with the existing instance when one for the same "
                         "processCode+businessId is RUNNING or agreed.")
def start_instance(body: StartInstanceIn, session: SessionDep, response: Response) -> ProcessInstanceOut:
    inst, created = processes.start(
        session, process_code=body.process_code, business_id=body.business_id, title=body.title,
        originator_user_id=body.originator_user_id, amount=body.amount, dept_id=body.dept_id,
        form=[c.model_dump() for c in body.form_component_values])
    response.status_code = 201 if created else 200
    return ProcessInstanceOut.of(inst)


@router.get("/api/processinstances", response_model=list[ProcessInstanceOut], summary="List approvals")
def list_instances(session: SessionDep, processCode: str | None = None, businessId: str | None = None,  # noqa: N803
                   status: Literal["RUNNING", "COMPLETED", "TERMINATED"] | None = None,
                   originatorUserId: str | None = None,  # noqa: N803
                   approverUserId: str | None = None,  # noqa: N803
                   ) -> list[ProcessInstanceOut]:
    """``approverUserId`` lists what awaits that user's decision now."""
    found = processes.search(session, process_code=processCode, business_id=businessId, status=status,
                             originator_user_id=originatorUserId, approver_user_id=approverUserId)
    return [ProcessInstanceOut.of(i) for i in found]


@router.get("/api/processinstances/{processInstanceId}", response_model=ProcessInstanceOut,
            summary="One approval with every step and decision")
def get_instance(processInstanceId: str, session: SessionDep) -> ProcessInstanceOut:  # noqa: N803
    return ProcessInstanceOut.of(processes.get(session, processInstanceId))


@router.post("/api/processinstances/{processInstanceId}/approve", response_model=ProcessInstanceOut,
             summary="The current approver agrees",
             description="Moves to the next approver, or completes the instance (result `agree`) at the last.")
def approve(processInstanceId: str, body: DecisionIn, session: SessionDep) -> ProcessInstanceOut:  # noqa: N803
    return ProcessInstanceOut.of(processes.approve(session, processInstanceId, body.user_id, body.remark))


@router.post("/api/processinstances/{processInstanceId}/refuse", response_model=ProcessInstanceOut,
             summary="The current approver refuses (a remark is required)",
             description="Ends the instance: status `COMPLETED`, result `refuse`.")
def refuse(processInstanceId: str, body: DecisionIn, session: SessionDep) -> ProcessInstanceOut:  # noqa: N803
    return ProcessInstanceOut.of(processes.refuse(session, processInstanceId, body.user_id, body.remark))


@router.post("/api/processinstances/{processInstanceId}/terminate", response_model=ProcessInstanceOut,
             summary="The originator withdraws a running approval (status `TERMINATED`)")
def terminate(processInstanceId: str, body: TerminateIn, session: SessionDep) -> ProcessInstanceOut:  # noqa: N803
    return ProcessInstanceOut.of(processes.terminate(session, processInstanceId, body.operating_user_id,
                                                     body.remark))


@router.get("/api/processes", response_model=list[ProcessDefinitionOut], summary="Approval definitions")
def list_processes(session: SessionDep) -> list[ProcessDefinitionOut]:
    return [ProcessDefinitionOut.of(d) for d in processes.definitions(session)]


@router.get("/api/processes/{processCode}", response_model=ProcessDefinitionOut, summary="One definition")
def get_process(processCode: str, session: SessionDep) -> ProcessDefinitionOut:  # noqa: N803
    return ProcessDefinitionOut.of(processes.definition(session, processCode))


@router.put("/api/processes/{processCode}", response_model=ProcessDefinitionOut,
            summary="Configure a definition's approvers or threshold (new instances only)")
def configure_process(processCode: str, body: ProcessDefinitionIn,  # noqa: N803
                      session: SessionDep) -> ProcessDefinitionOut:
    return ProcessDefinitionOut.of(processes.configure(
        session, processCode, name=body.name, first_approver_user_id=body.first_approver_user_id,
        second_approver_user_id=body.second_approver_user_id, threshold_amount=body.threshold_amount))
