"""``/api/Complaints``: customer complaints the quality department investigates and resolves."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.mes.rules import complaints
from mocks.mes.schemas import ComplaintIn, ComplaintOut, ComplaintStatus, InvestigationIn, ResolutionIn

router = APIRouter(prefix="/api", tags=["Complaints"])


@router.post("/Complaints", response_model=ComplaintOut, status_code=201,
             responses={200: {"description": "Same ExternalRef as before: the first record", "model": ComplaintOut},
                        422: {"description": "A field breaks a rule (unknown PartNo); `error.field` names it"}},
             summary="Hand a customer complaint to the quality department")
def open_complaint(body: ComplaintIn, session: SessionDep, response: Response) -> ComplaintOut:
    """Links the work orders of the sales order (of the part, if named) or of the lot, and their
    inspections. One complaint per ExternalRef. From `complaint.opened`."""
    complaint, created = complaints.open_complaint(session, **dict(body))
    if not created:
        response.status_code = 200
    return ComplaintOut.model_validate(complaint)


@router.get("/Complaints", response_model=list[ComplaintOut], summary="List complaints")
def list_complaints(session: SessionDep, status: ComplaintStatus | None = Query(None, alias="Status"),
                    source_sales_order: str | None = Query(None, alias="SourceSalesOrder"),
                    external_ref: str | None = Query(None, alias="ExternalRef")) -> list[ComplaintOut]:
    return [ComplaintOut.model_validate(c) for c in complaints.list_complaints(
        session, status=status, source_sales_order=source_sales_order, external_ref=external_ref)]


@router.get("/Complaints/{ComplaintNo}", response_model=ComplaintOut, summary="One complaint",
            responses={404: {"description": "No such complaint"}})
def get_complaint(ComplaintNo: str, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.get_complaint(session, ComplaintNo))


@router.post("/Complaints/{ComplaintNo}/Investigation", response_model=ComplaintOut,
             responses={404: {"description": "No such complaint"},
                        409: {"description": "Not Open (the message names the status)"},
                        422: {"description": "The investigator is unknown or not quality staff"}},
             summary="Start the investigation (Open → Investigating)")
def start_investigation(ComplaintNo: str, body: InvestigationIn, session: SessionDep) -> ComplaintOut:  # noqa: N803
    return ComplaintOut.model_validate(complaints.start_investigation(session, ComplaintNo,
                                                                      investigator=body.investigator))


@router.post("/Complaints/{ComplaintNo}/Resolution", response_model=ComplaintOut,
             responses={404: {"description": "No such complaint"},
                        409: {"description": "Already resolved with another finding"},
                        422: {"description": "A field is missing or the investigator is not quality staff"}},
             summary="Resolve with root cause, corrective action and disposition")
def resolve(ComplaintNo: str, body: ResolutionIn, session: SessionDep) -> ComplaintOut:  # noqa: N803
    """→ Resolved; emits `ComplaintResolved` (the hub takes it to OA, which closes the complaint's task,
    and on to CRM). The same finding again changes nothing."""
    return ComplaintOut.model_validate(complaints.resolve(
        session, ComplaintNo, root_cause=body.root_cause, corrective_action=body.corrective_action,
        disposition=body.disposition, investigator=body.investigator))
