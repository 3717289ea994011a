"""Inventory: ``/api/inventory-value`` and ``/api/production-receipts``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.erp.api.common import ERRORS, created, out, outs
from mocks.erp.rules import archives, inventory
from mocks.erp.schemas import InventoryValueOut, ProductionReceiptIn, ProductionReceiptOut, StockLineOut

router = APIRouter(prefix="/api", tags=["inventory"], responses=ERRORS)


@router.get("/inventory-value", summary="Stock quantity and value (at standard cost) per material, and the total")
def inventory_value(session: SessionDep, material: str | None = None) -> InventoryValueOut:
    return InventoryValueOut.model_validate(inventory.inventory_value(session, material))


@router.get("/inventory-value/{material}", summary="Stock quantity and value of one material")
def material_value(material: str, session: SessionDep) -> StockLineOut:
    archives.get_material(session, material)
    return StockLineOut.model_validate(inventory.inventory_value(session, material)["items"][0])


@router.post("/production-receipts", status_code=201, summary="Receive finished production into stock",
             description="Adds qty_good × std_cost to stock value. One receipt per production order "
                         "(`order_ref`): a repeat answers 200 with the first. Only in-house materials.")
def post_production_receipt(body: ProductionReceiptIn, session: SessionDep, response: Response
                            ) -> ProductionReceiptOut:
    receipt, is_new = inventory.post_production_receipt(session, body)
    created(response, is_new)
    return out(ProductionReceiptOut, receipt)


@router.get("/production-receipts", summary="List production receipts")
def list_production_receipts(session: SessionDep) -> list[ProductionReceiptOut]:
    return outs(ProductionReceiptOut, inventory.list_production_receipts(session))
