"""``/api/requisitions``: requisitions in (``purchase_requisition.raised``) and their approval."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from mocks.common import SessionDep
from mocks.srm import schemas
from mocks.srm.api.errors import CONFLICT, INVALID, NOT_FOUND
from mocks.srm.models import Requisition
from mocks.srm.rules import requisitions as rules

router = APIRouter(prefix="/api/requisitions", tags=["requisitions"])
RequisitionNo = Annotated[str, Path(alias="requisitionNo", examples=["PR-MRP-000123"])]


@router.get("", summary="List requisitions", response_model=list[schemas.RequisitionOut])
def list_requisitions(session: SessionDep,
                      status: Annotated[str | None, Query(examples=["AWAITING_APPROVAL"])] = None,
                      ) -> list[Requisition]:
    return rules.list_requisitions(session, status)


@router.post("", summary="Hand in a purchase requisition (upsert by requisitionNo)",
             description="Stored AWAITING_APPROVAL. 201 when new; 200 when it replaces a waiting one or repeats a "
                         "decided one unchanged; 409 when a decided one would change.",
             response_model=schemas.RequisitionOut, status_code=201, responses={**INVALID, **CONFLICT})
def submit(body: schemas.RequisitionIn, session: SessionDep, response: Response) -> Requisition:
    req, created = rules.submit(session, body)
    response.status_code = 201 if created else 200
    return req


@router.get("/{requisitionNo}", summary="Get one requisition, with its sourcing result",
            response_model=schemas.RequisitionOut, responses=NOT_FOUND)
def get_one(requisition_no: RequisitionNo, session: SessionDep) -> Requisition:
    return rules.get_requisition(session, requisition_no)


@router.post("/{requisitionNo}/approval", summary="Apply the approval decision (approval.decided)",
             description="approved → suppliers chosen and POs issued (`po.issued`), or NO_SOURCE with a reason; "
                         "rejected/cancelled → nothing ordered. A repeated decision changes nothing.",
             response_model=schemas.RequisitionOut, responses={**NOT_FOUND, **INVALID, **CONFLICT})
def approval(requisition_no: RequisitionNo, body: schemas.ApprovalIn, session: SessionDep) -> Requisition:
    return rules.decide(session, requisition_no, body)
