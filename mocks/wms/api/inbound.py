"""Inbound: ASNs (expected receipts), receipts, put-away, production receipts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select

from mocks.common import SessionDep
from mocks.wms.models import Asn, ProductionReceipt, Receipt
from mocks.wms.rules import inbound
from mocks.wms.rules.util import get_or_404
from mocks.wms.schemas import (
    AsnIn,
    AsnOut,
    AsnPatch,
    ProductionReceiptIn,
    ProductionReceiptOut,
    PutawayIn,
    PutawayOut,
    PutawayTaskOut,
    ReceiptIn,
    ReceiptOut,
)

router = APIRouter(prefix="/api", tags=["inbound"])


@router.post("/asn", summary="Expect a purchase order's delivery (purchase_order.issued)", response_model=AsnOut,
             status_code=201, responses={200: {"description": "already known: updated while open"}})
def post_asn(body: AsnIn, session: SessionDep, response: Response) -> Asn:
    """Upsert by PO number (``ref``): a repeated PO returns the same ASN."""
    row, created = inbound.upsert_asn(session, body)
    response.status_code = 201 if created else 200
    return row


@router.get("/asn", summary="List ASNs", response_model=list[AsnOut])
def list_asn(session: SessionDep, status: str | None = None, ref: str | None = None) -> list[Asn]:
    q = select(Asn).order_by(Asn.asn)
    if status:
        q = q.where(Asn.status == status)
    if ref:
        q = q.where(Asn.ref == ref)
    return list(session.scalars(q))


@router.get("/asn/{key}", summary="One ASN, by ASN or PO number", response_model=AsnOut)
def get_asn(key: str, session: SessionDep) -> Asn:
    return inbound.find_asn(session, key)


@router.patch("/asn/{key}", summary="Confirmed quantities or a new eta (purchase_order.confirmed / .delayed)",
              response_model=AsnOut)
def patch_asn(key: str, body: AsnPatch, session: SessionDep) -> Asn:
    return inbound.patch_asn(session, key, body)


@router.post("/asn/{key}/cancel", summary="The purchase order was cancelled", response_model=AsnOut)
def cancel_asn(key: str, session: SessionDep) -> Asn:
    return inbound.cancel_asn(session, key)


@router.post("/receipts", summary="Receive goods against an ASN (scanned quantities)", response_model=ReceiptOut,
             status_code=201)
def post_receipt(body: ReceiptIn, session: SessionDep) -> Receipt:
    """Closes the ASN; lines that differ are flagged ``short N`` / ``over N``; emits ``receipt/completed``."""
    return inbound.receive(session, body)


@router.get("/receipts", summary="List receipts", response_model=list[ReceiptOut])
def list_receipts(session: SessionDep, ref: str | None = None, status: str | None = None) -> list[Receipt]:
    q = select(Receipt).order_by(Receipt.rcv)
    if ref:
        q = q.where(Receipt.ref == ref)
    if status:
        q = q.where(Receipt.status == status)
    return list(session.scalars(q))


@router.get("/receipts/{rcv}", summary="One receipt", response_model=ReceiptOut)
def get_receipt(rcv: str, session: SessionDep) -> Receipt:
    return get_or_404(session, Receipt, rcv, what="receipt", field="rcv")


@router.get("/putaway", summary="Stock waiting to be put away, with suggested locations",
            response_model=list[PutawayTaskOut])
def putaway_tasks(session: SessionDep) -> list[dict[str, Any]]:
    return inbound.putaway_tasks(session)


@router.post("/putaway", summary="Move free stock from receiving to storage", response_model=PutawayOut)
def putaway(body: PutawayIn, session: SessionDep) -> dict[str, Any]:
    return inbound.putaway(session, body)


@router.post("/production-receipts", summary="Take in finished goods (production_order.completed)",
             response_model=ProductionReceiptOut, status_code=201,
             responses={200: {"description": "this production order was already received"}})
def post_production_receipt(body: ProductionReceiptIn, session: SessionDep, response: Response) -> ProductionReceipt:
    """Upsert by production order number; the new stock is reserved for backordered outbound orders."""
    row, created = inbound.production_receipt(session, body)
    response.status_code = 201 if created else 200
    return row


@router.get("/production-receipts", summary="List production receipts", response_model=list[ProductionReceiptOut])
def list_production_receipts(session: SessionDep, ref: str | None = None) -> list[ProductionReceipt]:
    q = select(ProductionReceipt).order_by(ProductionReceipt.prc)
    if ref:
        q = q.where(ProductionReceipt.ref == ref)
    return list(session.scalars(q))


@router.get("/production-receipts/{prc}", summary="One production receipt", response_model=ProductionReceiptOut)
def get_production_receipt(prc: str, session: SessionDep) -> ProductionReceipt:
    return get_or_404(session, ProductionReceipt, prc, what="production receipt", field="prc")
