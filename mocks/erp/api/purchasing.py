"""Purchasing: ``/api/purchase-commitments``, ``/api/goods-receipts``, ``/api/payables``, ``/api/budgets``,
``/api/purchase-requisitions``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.erp.api.common import ERRORS, IdQuery, created, out, outs
from mocks.erp.rules import purchasing
from mocks.erp.schemas import (
    BudgetOut, CommitmentIn, CommitmentOut, GoodsReceiptIn, GoodsReceiptOut, PayableOut, RequisitionIn,
    RequisitionOut,
)

router = APIRouter(prefix="/api", responses=ERRORS)


@router.post("/purchase-commitments", tags=["purchasing"], status_code=201,
             summary="Record the commitment of an issued purchase order",
             description="Consumes budget (net). Upsert by `po_number`: a repeat answers 200; changed lines "
                         "replace the old ones until goods are received (then 409). A blocked vendor → 422.")
def record_commitment(body: CommitmentIn, session: SessionDep, response: Response) -> CommitmentOut:
    commitment, is_new = purchasing.record_commitment(session, body)
    created(response, is_new)
    return out(CommitmentOut, commitment)


@router.get("/purchase-commitments", tags=["purchasing"], summary="List purchase commitments")
def list_commitments(session: SessionDep, vendor_id: IdQuery = None, status: str | None = None
                     ) -> list[CommitmentOut]:
    return outs(CommitmentOut, purchasing.list_commitments(session, vendor_id=vendor_id, status=status))


@router.get("/purchase-commitments/{po_number}", tags=["purchasing"], summary="One purchase commitment")
def get_commitment(po_number: str, session: SessionDep) -> CommitmentOut:
    return out(CommitmentOut, purchasing.get_commitment(session, po_number))


@router.post("/goods-receipts", tags=["purchasing"], status_code=201, summary="Post a goods receipt against a PO",
             description="Creates a payable at PO price and raises stock value at standard cost (the difference "
                         "is the line's price_variance). Quantity above the open commitment is accepted but "
                         "flagged, and its payable put on hold. One receipt per `receipt_no`.")
def post_goods_receipt(body: GoodsReceiptIn, session: SessionDep, response: Response) -> GoodsReceiptOut:
    receipt, is_new = purchasing.post_goods_receipt(session, body)
    created(response, is_new)
    return out(GoodsReceiptOut, receipt)


@router.get("/goods-receipts", tags=["purchasing"], summary="List goods receipts")
def list_goods_receipts(session: SessionDep, po_number: str | None = None) -> list[GoodsReceiptOut]:
    return outs(GoodsReceiptOut, purchasing.list_goods_receipts(session, po_number=po_number))


@router.get("/goods-receipts/{key}", tags=["purchasing"], summary="One goods receipt, by gr_number or receipt_no")
def get_goods_receipt(key: str, session: SessionDep) -> GoodsReceiptOut:
    return out(GoodsReceiptOut, purchasing.get_goods_receipt(session, key))


@router.get("/payables", tags=["purchasing"], summary="List payables")
def list_payables(session: SessionDep, vendor_id: IdQuery = None, status: str | None = None) -> list[PayableOut]:
    return outs(PayableOut, purchasing.list_payables(session, vendor_id=vendor_id, status=status))


@router.get("/budgets", tags=["budgets"], summary="List budgets with used, committed and available")
def list_budgets(session: SessionDep) -> list[BudgetOut]:
    return [BudgetOut.model_validate(b) for b in purchasing.list_budgets(session)]


@router.get("/budgets/{code}", tags=["budgets"], summary="One budget: amount, used, committed, available")
def get_budget(code: str, session: SessionDep) -> BudgetOut:
    return BudgetOut.model_validate(purchasing.budget_view(session, purchasing.get_budget(session, code)))


@router.post("/purchase-requisitions", tags=["purchasing"], status_code=201, summary="Raise a purchase requisition",
             description="Estimated at standard cost; refused (422 on `budget_code`) if the estimate exceeds the "
                         "budget's availability. Emits `pr.created`.")
def raise_requisition(body: RequisitionIn, session: SessionDep) -> RequisitionOut:
    return out(RequisitionOut, purchasing.raise_requisition(session, body))


@router.get("/purchase-requisitions", tags=["purchasing"], summary="List purchase requisitions")
def list_requisitions(session: SessionDep) -> list[RequisitionOut]:
    return outs(RequisitionOut, purchasing.list_requisitions(session))


@router.get("/purchase-requisitions/{pr_number}", tags=["purchasing"], summary="One purchase requisition")
def get_requisition(pr_number: str, session: SessionDep) -> RequisitionOut:
    return out(RequisitionOut, purchasing.get_requisition(session, pr_number))
