"""``/api/suppliers``: suppliers, their price lists and their capacity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from mocks.common import SessionDep
from mocks.srm import schemas
from mocks.srm.api.errors import CONFLICT, INVALID, NOT_FOUND
from mocks.srm.models import PriceEntry, Supplier
from mocks.srm.rules import capacity as capacity_rules
from mocks.srm.rules import suppliers as rules
from mocks.srm.rules.common import get_supplier

router = APIRouter(prefix="/api/suppliers", tags=["suppliers"])
SupplierId = Annotated[str, Path(alias="supplierId", examples=["SUP-0001"])]


@router.get("", summary="List suppliers", response_model=list[schemas.SupplierOut])
def list_suppliers(session: SessionDep,
                   status: Annotated[str | None, Query(description="APPROVED, PENDING or BLOCKED")] = None,
                   ) -> list[Supplier]:
    return rules.list_suppliers(session, status)


@router.post("", status_code=201, summary="Create a supplier",
             description="New suppliers start PENDING unless a status is given. Emits `supplier.changed`.",
             response_model=schemas.SupplierOut, responses={**INVALID, **CONFLICT})
def create_supplier(body: schemas.SupplierIn, session: SessionDep) -> Supplier:
    return rules.create_supplier(session, body)


@router.get("/{supplierId}", summary="Get one supplier", response_model=schemas.SupplierOut, responses=NOT_FOUND)
def get_one(supplier_id: SupplierId, session: SessionDep) -> Supplier:
    return get_supplier(session, supplier_id)


@router.patch("/{supplierId}", summary="Change a supplier (qualification, rating, lead time, contact)",
              description="Emits `supplier.changed` with the changed fields when anything changed.",
              response_model=schemas.SupplierOut, responses={**NOT_FOUND, **INVALID})
def patch_supplier(supplier_id: SupplierId, body: schemas.SupplierPatch, session: SessionDep) -> Supplier:
    return rules.update_supplier(session, supplier_id, body)


@router.get("/{supplierId}/prices", summary="The supplier's price list",
            response_model=list[schemas.PriceOut], responses=NOT_FOUND)
def list_prices(supplier_id: SupplierId, session: SessionDep,
                material: Annotated[str | None, Query(description="Only this material code")] = None,
                ) -> list[PriceEntry]:
    return rules.list_prices(session, supplier_id, material)


@router.post("/{supplierId}/prices", status_code=201, summary="Add a price list entry",
             response_model=schemas.PriceOut, responses={**NOT_FOUND, **INVALID})
def add_price(supplier_id: SupplierId, body: schemas.PriceIn, session: SessionDep) -> PriceEntry:
    return rules.add_price(session, supplier_id, body)


@router.get("/{supplierId}/capacity", summary="What the supplier can deliver (supplier.capacity query)",
            description="Per material: lead time, open PO qty and in-transit (confirmed, not received) qty.",
            response_model=schemas.CapacityOut, responses={**NOT_FOUND, **INVALID})
def capacity(supplier_id: SupplierId, session: SessionDep,
             material: Annotated[str | None, Query(description="Material code; all the supplier's when absent",
                                                   examples=["M-LEG-STL"])] = None,
             ) -> schemas.CapacityOut:
    return capacity_rules.capacity(session, supplier_id, material)
