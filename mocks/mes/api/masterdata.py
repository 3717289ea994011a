"""Master data: ``/api/Parts`` (item.upserted), ``/api/Boms`` (bom.released),
``/api/Operators`` (employee.onboarded) — upserts, so retries are harmless."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.mes.rules import masterdata
from mocks.mes.schemas import BomIn, BomOut, OperatorIn, OperatorOut, PartIn, PartOut

router = APIRouter(prefix="/api", tags=["MasterData"])
UPSERT = {200: {"description": "Updated an existing record"},
          422: {"description": "A field breaks a rule; `error.field` names it"}}


@router.post("/Parts", response_model=PartOut, status_code=201, responses=UPSERT,
             summary="Create or update a part")
def upsert_part(body: PartIn, session: SessionDep, response: Response) -> PartOut:
    """Found by PartNo, else ExternalItemNo (the ERP item code); new parts without a PartNo are
    numbered `P-<ExternalItemNo>`. 201 when created, 200 when updated."""
    part, created = masterdata.upsert_part(session, **dict(body))
    response.status_code = 201 if created else 200
    return PartOut.model_validate(part)


@router.get("/Parts", response_model=list[PartOut], summary="List parts with their routings")
def list_parts(session: SessionDep) -> list[PartOut]:
    return [PartOut.model_validate(p) for p in masterdata.list_parts(session)]


@router.get("/Parts/{PartNo}", response_model=PartOut, summary="One part with its routing",
            responses={404: {"description": "No such part"}})
def get_part(PartNo: str, session: SessionDep) -> PartOut:  # noqa: N803
    return PartOut.model_validate(masterdata.get_part_by_path(session, PartNo))


@router.post("/Boms", response_model=BomOut, status_code=201, responses=UPSERT,
             summary="Release a BOM version")
def upsert_bom(body: BomIn, session: SessionDep, response: Response) -> BomOut:
    """Keyed by (PartNo, Version): a repeat replaces the lines. Parent and components must be
    known parts. 201 when created, 200 when replaced."""
    bom, created = masterdata.upsert_bom(
        session, bom_code=body.bom_code, part_no=body.part_no, version=body.version, base_qty=body.base_qty,
        effective_from=body.effective_from,
        lines=[masterdata.BomLineSpec(line.component_part_no, line.qty, line.uom, line.line_no)
               for line in body.lines])
    response.status_code = 201 if created else 200
    return BomOut.model_validate(bom)


@router.get("/Boms", response_model=list[BomOut], summary="List BOM versions")
def list_boms(session: SessionDep, part_no: str | None = Query(None, alias="PartNo")) -> list[BomOut]:
    return [BomOut.model_validate(b) for b in masterdata.list_boms(session, part_no)]


@router.get("/Boms/{PartNo}/{Version}", response_model=BomOut, summary="One BOM version",
            responses={404: {"description": "No such BOM version"}})
def get_bom(PartNo: str, Version: str, session: SessionDep) -> BomOut:  # noqa: N803
    return BomOut.model_validate(masterdata.get_bom(session, PartNo, Version))


@router.post("/Operators", response_model=OperatorOut, status_code=201, responses=UPSERT,
             summary="Create or update an operator")
def upsert_operator(body: OperatorIn, session: SessionDep, response: Response) -> OperatorOut:
    """Keyed by EmployeeId (the OA id), else OperatorNo; new operators are numbered `OP-nnn`."""
    op, created = masterdata.upsert_operator(session, **dict(body))
    response.status_code = 201 if created else 200
    return OperatorOut.model_validate(op)


@router.get("/Operators", response_model=list[OperatorOut], summary="List operators")
def list_operators(session: SessionDep) -> list[OperatorOut]:
    return [OperatorOut.model_validate(o) for o in masterdata.list_operators(session)]


@router.get("/Operators/{OperatorNo}", response_model=OperatorOut, summary="One operator",
            responses={404: {"description": "No such operator"}})
def get_operator(OperatorNo: str, session: SessionDep) -> OperatorOut:  # noqa: N803
    return OperatorOut.model_validate(masterdata.get_operator_by_path(session, OperatorNo))
