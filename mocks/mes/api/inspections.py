"""``/api/Inspections``: quality inspections, recorded and queried."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.mes.rules import quality
from mocks.mes.schemas import InspectionIn, InspectionKind, InspectionOut, InspectionResult

router = APIRouter(prefix="/api", tags=["Inspections"])


@router.post("/Inspections", response_model=InspectionOut, status_code=201,
             responses={200: {"description": "Same ExternalRef as before: the first record", "model": InspectionOut},
                        422: {"description": "A field breaks a rule; `error.field` names it"}},
             summary="Record a quality inspection")
def record(body: InspectionIn, session: SessionDep, response: Response) -> InspectionOut:
    """QtyAccepted + QtyRejected must equal QtyInspected. InProcess and Final inspections refer
    to a work order (RefDoc) of the same part. Result: Pass (none rejected), Conditional (≤ 5 %
    rejected), Fail. Emits `InspectionRecorded`."""
    insp, created = quality.record_inspection(session, **dict(body))
    if not created:
        response.status_code = 200
    return InspectionOut.model_validate(insp)


@router.get("/Inspections", response_model=list[InspectionOut], summary="List inspections")
def list_inspections(session: SessionDep, ref_doc: str | None = Query(None, alias="RefDoc"),
                     part_no: str | None = Query(None, alias="PartNo"),
                     kind: InspectionKind | None = Query(None, alias="Kind"),
                     result: InspectionResult | None = Query(None, alias="Result")) -> list[InspectionOut]:
    return [InspectionOut.model_validate(i) for i in quality.list_inspections(
        session, ref_doc=ref_doc, part_no=part_no, kind=kind, result=result)]


@router.get("/Inspections/{InspectionNo}", response_model=InspectionOut, summary="One inspection",
            responses={404: {"description": "No such inspection"}})
def get_inspection(InspectionNo: str, session: SessionDep) -> InspectionOut:  # noqa: N803
    return InspectionOut.model_validate(quality.get_inspection(session, InspectionNo))
