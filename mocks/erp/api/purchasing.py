"""Purchasing: ``/api/purchase-commitments``, ``/api/goods-receipts``, ``/api/payables``, ``/api/budgets``,
``/api/purchase-requisitions``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import SessionDep
from mocks.erp.api.common import ERRORS, IdQuery, created, out, outs
from mocks.erp.rules import payables, purchasing
from mocks.erp.schemas import (
    BudgetOut,
    CommitmentCloseIn,
    CommitmentIn,
    CommitmentOut,
    DelayIn,
    DelayOut,
    GoodsReceiptIn,
    GoodsReceiptOut,
    PayableOut,
    PayablePaymentIn,
    PayableReleaseIn,
    PaymentRunIn,
    PaymentRunOut,
    RequisitionIn,
    RequisitionOut,
    VendorPaymentOut,
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


@router.post("/purchase-commitments/{po_number}/close", tags=["purchasing"],
             summary="Close the commitment of a fully received purchase order",
             description="Every line received: the commitment is closed (it no longer counts against the budget); "
                         "again answers 200 with the same. A line still open → 409 `not_fully_received`. "
                         "From `purchase_order.fully_received`.")
def close_commitment(po_number: str, body: CommitmentCloseIn, session: SessionDep) -> CommitmentOut:
    return out(CommitmentOut, purchasing.close_commitment(session, po_number, body))


@router.post("/purchase-commitments/{po_number}/delays", tags=["purchasing"], status_code=201,
             summary="Record a supplier's delay of one purchase-order line",
             description="The line's `expected_date` becomes `new_date` (its promised date is kept); the delay is "
                         "listed on the commitment with the days late. Only an open line, only to a date after "
                         "its promised date (422 naming the field). The same line and date again answers 200 "
                         "with the first record. From `purchase_order.delayed`.")
def record_delay(po_number: str, body: DelayIn, session: SessionDep, response: Response) -> DelayOut:
    delay, is_new = purchasing.record_delay(session, po_number, body)
    created(response, is_new)
    return out(DelayOut, delay)


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


@router.post("/payables/{payable_no}/release", tags=["payables"], summary="Release the hold of a flagged payable",
             description="A finance manager (`approved_by`) clears the hold: on_hold → open. An open payable "
                         "stays open; a paid one is a 409.")
def release_payable(payable_no: str, body: PayableReleaseIn, session: SessionDep) -> PayableOut:
    return out(PayableOut, payables.release_hold(session, payable_no, body))


@router.post("/payables/{payable_no}/payment", tags=["payables"], status_code=201, summary="Pay one payable in full",
             description="Only an open payable (received, not on hold: 422 `payable_on_hold`), approved by a "
                         "finance manager; paid once (again: 409 `already_paid`; the same `bank_ref` answers "
                         "200 with the first payment). Emits `vendor_payment.posted`.")
def pay_payable(payable_no: str, body: PayablePaymentIn, session: SessionDep, response: Response
                ) -> VendorPaymentOut:
    payment, is_new = payables.pay_payable(session, payable_no, body)
    created(response, is_new)
    return out(VendorPaymentOut, payment)


@router.post("/payment-runs", tags=["payables"], status_code=201, summary="Run payments: pay every open payable due",
             description="Pays every open payable due on or before `due_by` (of `vendor_id`, if given), each "
                         "exactly once, approved by a finance manager; due payables on hold are listed in "
                         "`skipped` with the reason. One run per `run_ref` (a repeat answers 200 with the first "
                         "run). Emits `vendor_payment.posted` per payment.")
def run_payments(body: PaymentRunIn, session: SessionDep, response: Response) -> PaymentRunOut:
    run, is_new = payables.run_payments(session, body)
    created(response, is_new)
    return out(PaymentRunOut, run)


@router.get("/payment-runs", tags=["payables"], summary="List payment runs")
def list_runs(session: SessionDep) -> list[PaymentRunOut]:
    return outs(PaymentRunOut, payables.list_runs(session))


@router.get("/payment-runs/{key}", tags=["payables"], summary="One payment run, by run_no or run_ref")
def get_run(key: str, session: SessionDep) -> PaymentRunOut:
    return out(PaymentRunOut, payables.get_run(session, key))


@router.get("/vendor-payments", tags=["payables"], summary="List payments to vendors")
def list_vendor_payments(session: SessionDep, vendor_id: IdQuery = None, po_number: str | None = None
                         ) -> list[VendorPaymentOut]:
    return outs(VendorPaymentOut, payables.list_vendor_payments(session, vendor_id=vendor_id, po_number=po_number))


@router.get("/vendor-payments/{payment_no}", tags=["payables"], summary="One payment to a vendor")
def get_vendor_payment(payment_no: str, session: SessionDep) -> VendorPaymentOut:
    return out(VendorPaymentOut, payables.get_vendor_payment(session, payment_no))


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
