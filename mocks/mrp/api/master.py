"""``/api/items`` and ``/api/boms``: the item master with planning parameters, and BOM versions."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from mocks.common import SessionDep
from mocks.mrp.models import Bom, Item
from mocks.mrp.rules import master
from mocks.mrp.schemas import BomIn, BomOut, ItemIn, ItemOut

router = APIRouter(prefix="/api")


@router.get("/items", tags=["items"], summary="List items with planning parameters and low-level codes")
def list_items(session: SessionDep, supply: str | None = None) -> list[ItemOut]:
    q = select(Item).order_by(Item.low_level_code, Item.code)
    if supply:
        q = q.where(Item.supply == supply)
    return [ItemOut.of(i) for i in session.scalars(q)]


@router.get("/items/{code}", tags=["items"], summary="One item")
def get_item(code: str, session: SessionDep) -> ItemOut:
    return ItemOut.of(master.get_item(session, code))


@router.put("/items/{code}", tags=["items"], summary="Create or update an item (idempotent)",
            description="From ERP's item master (`item.upserted`). 201 when created, 200 otherwise.")
def put_item(code: str, body: ItemIn, session: SessionDep, response: Response) -> ItemOut:
    item, created = master.upsert_item(session, code, body)
    response.status_code = 201 if created else 200
    return ItemOut.of(item)


@router.get("/boms", tags=["boms"], summary="List BOM versions")
def list_boms(session: SessionDep, parent_item: str | None = None) -> list[BomOut]:
    q = select(Bom).order_by(Bom.parent_item, Bom.version)
    if parent_item:
        q = q.where(Bom.parent_item == parent_item)
    uoms = master.uoms(session)
    return [BomOut.of(b, uoms) for b in session.scalars(q)]


@router.get("/boms/{bom_id}", tags=["boms"], summary="One BOM version")
def get_bom(bom_id: int, session: SessionDep) -> BomOut:
    return BomOut.of(master.get_bom(session, bom_id), master.uoms(session))


@router.post("/boms", tags=["boms"], summary="Save a BOM version (upsert by parent_item + version)",
             description="Refuses unknown items, bought parents, duplicate components and cycles "
                         "(an item that would become its own component) with 422 naming the component. "
                         "Emits `bom.saved` when created or changed. 201 when created, 200 otherwise.")
def post_bom(body: BomIn, session: SessionDep, response: Response) -> BomOut:
    bom, outcome = master.save_bom(session, body)
    response.status_code = 201 if outcome == "created" else 200
    return BomOut.of(bom, master.uoms(session))
