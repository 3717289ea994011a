"""``/api/purchaseOrders``: issue, confirm, delay, receive and close purchase orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from mocks.common import SessionDep
from mocks.srm import schemas
from mocks.srm.api.errors import CONFLICT, INVALID, NOT_FOUND
from mocks.srm.models import PurchaseOrder
from mocks.srm.rules import orders as rules
from mocks.srm.rules.common import get_po

router = APIRouter(prefix="/api/purchaseOrders", tags=["purchase orders"])
PoNo = Annotated[str, Path(alias="poNo", examples=["PO-2026-0001"])]
ANSWERS = {**NOT_FOUND, **INVALID, **CONFLICT}


@router.get("", summary="List purchase orders", response_model=list[schemas.PurchaseOrderOut])
def list_pos(session: SessionDep,
             status: Annotated[str | None, Query(examples=["ISSUED"])] = None,
             supplier_id: Annotated[str | None, Query(alias="supplierId")] = None,
             requisition_no: Annotated[str | None, Query(alias="requisitionNo")] = None,
             ) -> list[PurchaseOrder]:
    return rules.list_pos(session, status=status, supplier_id=supplier_id, requisition_no=requisition_no)


@router.post("", status_code=201, summary="Issue a purchase order directly",
             description="Only to APPROVED suppliers (BLOCKED → 422 on supplierId). Unit prices default to the "
                         "supplier's valid price list. A repeat with the same externalRef answers 200 with the "
                         "existing PO. Emits `po.issued`.",
             response_model=schemas.PurchaseOrderOut, responses={**INVALID})
def create_po(body: schemas.PurchaseOrderIn, session: SessionDep, response: Response) -> PurchaseOrder:
    po, created = rules.create_po(session, body)
    response.status_code = 201 if created else 200
    return po


@router.get("/{poNo}", summary="Get one purchase order, with its delay notices and receipts",
            response_model=schemas.PurchaseOrderOut, responses=NOT_FOUND)
def get_one(po_no: PoNo, session: SessionDep) -> PurchaseOrder:
    return get_po(session, po_no)


@router.post("/{poNo}/confirm", summary="The supplier's confirmation, line by line",
             description="ISSUED → CONFIRMED (all accepted as ordered), CHANGED (a qty or date differs, or some "
                         "lines rejected) or REJECTED (all rejected). Emits `po.confirmed`.",
             response_model=schemas.PurchaseOrderOut, responses=ANSWERS)
def confirm(po_no: PoNo, body: schemas.ConfirmIn, session: SessionDep) -> PurchaseOrder:
    return rules.confirm(session, po_no, body)


@router.post("/{poNo}/delay", summary="A delay notice from the supplier for one line",
             description="Moves the line's expected date to newDate (must be later). Emits `po.delayed`.",
             response_model=schemas.PurchaseOrderOut, responses=ANSWERS)
def delay(po_no: PoNo, body: schemas.DelayIn, session: SessionDep) -> PurchaseOrder:
    rules.delay(session, po_no, body)
    return get_po(session, po_no)


@router.post("/{poNo}/receipts", summary="Goods received against the PO (goods.received)",
             description="Applied once per receiptNo. Over-receipts are accepted and flagged. Updates the "
                         "supplier's rating (on time +0.1, late −0.3).",
             response_model=schemas.PurchaseOrderOut, responses=ANSWERS)
def receipts(po_no: PoNo, body: schemas.ReceiptIn, session: SessionDep) -> PurchaseOrder:
    return rules.receive(session, po_no, body)


@router.post("/{poNo}/close", summary="Close a received, short-received or rejected PO",
             response_model=schemas.PurchaseOrderOut, responses=ANSWERS)
def close(po_no: PoNo, session: SessionDep) -> PurchaseOrder:
    return rules.close(session, po_no)
