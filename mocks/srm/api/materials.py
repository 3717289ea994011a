"""``/api/materials``: the material archive (fed by ``item.upserted``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from mocks.common import NotFound, SessionDep
from mocks.srm import schemas
from mocks.srm.api.errors import INVALID, NOT_FOUND
from mocks.srm.models import Material
from mocks.srm.rules import suppliers as rules

router = APIRouter(prefix="/api/materials", tags=["materials"])
MaterialCode = Annotated[str, Path(alias="materialCode", examples=["M-LEG-STL"])]


@router.get("", summary="List materials", response_model=list[schemas.MaterialOut])
def list_materials(session: SessionDep) -> list[Material]:
    return rules.list_materials(session)


@router.get("/{materialCode}", summary="Get one material", response_model=schemas.MaterialOut,
            responses=NOT_FOUND)
def get_material(code: MaterialCode, session: SessionDep) -> Material:
    material = session.get(Material, code)
    if material is None:
        raise NotFound("material", code, field="materialCode")
    return material


@router.put("/{materialCode}", summary="Create or update a material under its code",
            description="Idempotent upsert (the hub sends `item.upserted` here). 201 when created, 200 when updated.",
            response_model=schemas.MaterialOut, responses=INVALID)
def put_material(code: MaterialCode, body: schemas.MaterialIn, session: SessionDep, response: Response) -> Material:
    material, created = rules.upsert_material(session, code, body)
    response.status_code = 201 if created else 200
    return material
