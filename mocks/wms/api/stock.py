"""Stock, availability, the movements ledger (also by stock change, page by page), and issues of free stock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query

from mocks.common import SessionDep
from mocks.wms.models import Bin, Movement, StockChange, Warehouse
from mocks.wms.rules import stock
from mocks.wms.rules.util import known, sku_row
from mocks.wms.schemas import AvailabilityOut, BinOut, IssueIn, IssueOut, LedgerPageOut, MovementOut

router = APIRouter(prefix="/api", tags=["stock"])
LEDGER_PAGE = 100
LEDGER_PAGE_MAX = 1000


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


@router.get("/ledger", summary="Stock changes booked since a time, oldest first, page by page",
            response_model=LedgerPageOut)
def ledger(session: SessionDep,
           since: datetime | None = Query(None, description="entries booked after this time (ISO 8601; "
                                                            "without an offset: UTC)"),
           cursor: int | None = Query(None, ge=0, description="the previous page's `next`"),
           limit: int = Query(LEDGER_PAGE, ge=1, le=LEDGER_PAGE_MAX)) -> dict[str, Any]:
    """One entry per sku and warehouse per stock operation, with the totals after it: what used to be
    announced as ``inventory/changed``. A page as long as ``limit`` has a ``next`` cursor."""
    since_ms = None if since is None else int((since if since.tzinfo else since.replace(tzinfo=UTC))
                                              .timestamp() * 1000)
    rows = stock.ledger(session, since_ms, cursor, limit)
    return {"items": [_entry(r) for r in rows],
            "next": str(rows[-1].seq) if len(rows) == limit else None}


def _entry(row: StockChange) -> dict[str, Any]:
    booked_at = datetime.fromtimestamp(row.booked / 1000, UTC).isoformat(timespec="milliseconds")
    return {"seq": row.seq, "booked_at": booked_at, "sku": row.sku, "wh": row.wh, "on_hand": row.on_hand,
            "reserved": row.reserved, "available": row.available, "delta": row.delta, "reason": row.reason,
            "ref": row.ref, "ext": row.ext, "mvs": list(row.mvs), "ts": row.ts}


@router.post("/stock/issue", summary="Issue free stock (e.g. material to production)", response_model=IssueOut)
def issue(body: IssueIn, session: SessionDep) -> dict[str, Any]:
    """Takes oldest lots first; asking for more than is available is refused with 409."""
    return stock.issue_stock(session, body.sku, body.wh, body.qty, body.ref)
