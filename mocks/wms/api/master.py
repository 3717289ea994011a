"""Master data: skus, customers, suppliers, warehouses (upserts keyed by the WMS's own code)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select

from mocks.common import SessionDep
from mocks.wms.models import Customer, Supplier
from mocks.wms.rules import master
from mocks.wms.rules.util import get_or_404
from mocks.wms.schemas import (
    CustomerIn,
    CustomerOut,
    SkuIn,
    SkuOut,
    SupplierIn,
    SupplierOut,
    WarehouseOut,
)

router = APIRouter(prefix="/api", tags=["master data"])


def _created(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.get("/skus", summary="List skus", response_model=list[SkuOut])
def list_skus(session: SessionDep, cls: str | None = None) -> list[dict[str, Any]]:
    return master.list_skus(session, cls)


@router.get("/skus/{sku}", summary="One sku", response_model=SkuOut)
def get_sku(sku: str, session: SessionDep) -> dict[str, Any]:
    return master.get_sku(session, sku)


@router.put("/skus/{sku}", summary="Create or replace a sku (item.upserted)", response_model=SkuOut,
            responses={201: {"description": "created"}})
def put_sku(sku: str, body: SkuIn, session: SessionDep, response: Response) -> dict[str, Any]:
    """Safety stock, lot rules and substitutes included; a changed safety stock is checked at once."""
    view, created = master.upsert_sku(session, sku, body)
    _created(response, created)
    return view


@router.get("/customers", summary="List customers", response_model=list[CustomerOut])
def list_customers(session: SessionDep) -> list[Customer]:
    return list(session.scalars(select(Customer).order_by(Customer.cust)))


@router.get("/customers/{cust}", summary="One customer", response_model=CustomerOut)
def get_customer(cust: str, session: SessionDep) -> Customer:
    return get_or_404(session, Customer, cust, what="customer", field="cust")


@router.put("/customers/{cust}", summary="Create or replace a customer (party.customer.upserted)",
            response_model=CustomerOut)
def put_customer(cust: str, body: CustomerIn, session: SessionDep, response: Response) -> Customer:
    row, created = master.upsert_customer(session, cust, body)
    _created(response, created)
    return row


@router.get("/suppliers", summary="List suppliers", response_model=list[SupplierOut])
def list_suppliers(session: SessionDep) -> list[Supplier]:
    return list(session.scalars(select(Supplier).order_by(Supplier.supplier)))


@router.get("/suppliers/{code}", summary="One supplier", response_model=SupplierOut)
def get_supplier(code: str, session: SessionDep) -> Supplier:
    return get_or_404(session, Supplier, code, what="supplier", field="supplier")


@router.put("/suppliers/{code}", summary="Create or replace a supplier (party.supplier.upserted)",
            response_model=SupplierOut)
def put_supplier(code: str, body: SupplierIn, session: SessionDep, response: Response) -> Supplier:
    row, created = master.upsert_supplier(session, code, body)
    _created(response, created)
    return row


@router.get("/warehouses", summary="Warehouses and their locations", response_model=list[WarehouseOut])
def list_warehouses(session: SessionDep) -> list[dict[str, Any]]:
    return master.list_warehouses(session)
