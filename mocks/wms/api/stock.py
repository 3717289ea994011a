"""Stock, availability, the movements ledger, and issues of free stock."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from mocks.common import SessionDep
from mocks.wms.models import Bin, Movement, Warehouse
from mocks.wms.rules import stock
from mocks.wms.rules.util import known, sku_row
from mocks.wms.schemas import AvailabilityOut, BinOut, IssueIn, IssueOut, MovementOut

router = APIRouter(prefix="/api", tags=["stock"])


@router.get("/stock", summary="Stock per sku, warehouse, location and lot", response_model=list[BinOut])
def list_stock(session: SessionDep, sku: str | None = None, wh: str | None = None, loc: str | None = None,
               lot: str | None = None,
               zero: bool = Query(False, description="include emptied bins")) -> list[Bin]:
    return stock.list_bins(session, sku, wh, loc, lot, nonzero=not zero)


@router.get("/availability", summary="Is it in stock? (inventory.availability)", response_model=AvailabilityOut)
def availability(session: SessionDep, sku: str = Query(examples=["SKU-DESK-1200"]),
                 wh: str | None = Query(None, description="omit for all warehouses")) -> dict[str, Any]:
    """On hand, reserved, available, and the open ASN lines still to arrive (``incoming``)."""
    sku_row(session, sku)
    if wh:
        known(session, Warehouse, wh, field="wh", what="warehouse")
    return stock.availability(session, sku, wh)


@router.get("/movements", summary="The movements ledger, oldest first", response_model=list[MovementOut])
def movements(session: SessionDep, sku: str | None = None, wh: str | None = None,
              ref: str | None = Query(None, description="WMS document or external reference"),
              type: str | None = None, limit: int = Query(500, le=5000)) -> list[Movement]:
    return stock.list_movements(session, sku, wh, ref, type, limit)


@router.post("/stock/issue", summary="Issue free stock (e.g. material to production)", response_model=IssueOut)
def issue(body: IssueIn, session: SessionDep) -> dict[str, Any]:
    """Takes oldest lots first; asking for more than is available is refused with 409."""
    return stock.issue_stock(session, body.sku, body.wh, body.qty, body.ref)
