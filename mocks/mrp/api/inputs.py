"""``/api/stock``, ``/api/demands``, ``/api/supplies``: what the planner nets."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from mocks.common import NotFound, SessionDep
from mocks.mrp.api.deps import PlanningDep
from mocks.mrp.models import Demand, Stock, Supply
from mocks.mrp.rules import delays, inputs
from mocks.mrp.rules.master import get_item
from mocks.mrp.rules.orders import auto_plan
from mocks.mrp.rules.runs import planned_docs
from mocks.mrp.schemas import (
    DelayIn,
    DelayOut,
    DemandCloseIn,
    DemandIn,
    DemandOut,
    DemandSetIn,
    PlannedOrderOut,
    ReceiptIn,
    StockIn,
    StockOut,
    SupplyIn,
    SupplyOut,
)

router = APIRouter(prefix="/api")


# ------------------------------------------------------------------ stock
@router.get("/stock", tags=["stock"], summary="On-hand snapshot of every item")
def list_stock(session: SessionDep) -> list[StockOut]:
    return [StockOut.of(s) for s in session.scalars(select(Stock).order_by(Stock.item))]


@router.get("/stock/{item}", tags=["stock"], summary="On-hand snapshot of one item")
def get_stock(item: str, session: SessionDep) -> StockOut:
    get_item(session, item)
    stock = session.get(Stock, item)
    if stock is None:  # a known item nobody has reported yet holds nothing
        return StockOut(item=item, on_hand=0, warehouse=None, ref_doc=None, updated=None)
    return StockOut.of(stock)


@router.put("/stock/{item}", tags=["stock"], summary="Replace an item's on-hand quantity",
            description="From WMS `inventory.level_changed`: the new level, not a delta.")
def put_stock(item: str, body: StockIn, session: SessionDep) -> StockOut:
    return StockOut.of(inputs.set_stock(session, item, body))


# ---------------------------------------------------------------- demands
@router.get("/demands", tags=["demands"], summary="List demands")
def list_demands(session: SessionDep, source_ref: str | None = None, item: str | None = None,
                 status: str | None = None) -> list[DemandOut]:
    q = select(Demand).order_by(Demand.due_date, Demand.id)
    for column, value in ((Demand.source_ref, source_ref), (Demand.item, item), (Demand.status, status)):
        if value:
            q = q.where(column == value)
    return [DemandOut.of(d) for d in session.scalars(q)]


@router.post("/demands", tags=["demands"], summary="Record a demand line (upsert by source_ref + line_no)",
             description="E.g. a confirmed sales order line. 201 when created, 200 when updated or unchanged. "
                         "With auto-planning on, a new or changed demand runs MRP and releases the result.")
def post_demand(body: DemandIn, session: SessionDep, planning: PlanningDep, response: Response) -> DemandOut:
    demand, outcome = inputs.upsert_demand(session, body)
    if outcome != "unchanged" and planning.auto_plan:
        auto_plan(session, "demand")
    response.status_code = 201 if outcome == "created" else 200
    return DemandOut.of(demand)


@router.put("/demands/{source_ref}", tags=["demands"], summary="Replace all demand lines of a source document",
            description="From `sales_order.confirmed`: lines not listed are cancelled. Auto-plans on change.")
def put_demands(source_ref: str, body: DemandSetIn, session: SessionDep, planning: PlanningDep) -> list[DemandOut]:
    lines, changed = inputs.replace_demands(session, source_ref, body.source_kind, body.lines)
    if changed and planning.auto_plan:
        auto_plan(session, "demand")
    return [DemandOut.of(d) for d in lines]


@router.post("/demands/{source_ref}/cancel", tags=["demands"], summary="Cancel a document's open demand",
             description="From `sales_order.cancelled`. Already-released orders stay; the next run sees less demand.")
def cancel_demands(source_ref: str, body: DemandCloseIn, session: SessionDep) -> list[DemandOut]:
    return [DemandOut.of(d) for d in inputs.close_demands(session, source_ref, "cancelled", body.reason)]


@router.post("/demands/{source_ref}/fulfil", tags=["demands"], summary="Mark a document's demand as shipped",
             description="After shipment the stock snapshot already shows the goods gone; the demand must go too.")
def fulfil_demands(source_ref: str, body: DemandCloseIn, session: SessionDep) -> list[DemandOut]:
    return [DemandOut.of(d) for d in inputs.close_demands(session, source_ref, "fulfilled", body.reason)]


# --------------------------------------------------------------- supplies
@router.get("/supplies", tags=["supplies"], summary="List supplies (open purchase and production orders)")
def list_supplies(session: SessionDep, item: str | None = None, status: str | None = None) -> list[SupplyOut]:
    q = select(Supply).order_by(Supply.due_date, Supply.id)
    if item:
        q = q.where(Supply.item == item)
    if status:
        q = q.where(Supply.status == status)
    return [SupplyOut.of(s) for s in session.scalars(q)]


@router.get("/supplies/{ref}", tags=["supplies"], summary="The lines of one supply document")
def get_supply(ref: str, session: SessionDep) -> list[SupplyOut]:
    lines = inputs.supplies_of(session, ref)
    if not lines:
        raise NotFound("supply", ref, field="ref")
    return [SupplyOut.of(s) for s in lines]


@router.post("/supplies", tags=["supplies"], summary="Record an open supply line (upsert by ref + line_no)",
             description="From `purchase_order.issued`. Naming `requisition_ref` converts that MRP requisition, "
                         "so it stops counting as supply itself. 201 when created, 200 otherwise.")
def post_supply(body: SupplyIn, session: SessionDep, response: Response) -> SupplyOut:
    supply, outcome = inputs.upsert_supply(session, body)
    response.status_code = 201 if outcome == "created" else 200
    return SupplyOut.of(supply)


@router.post("/supplies/{ref}/delay", tags=["supplies"], summary="Move a supply's due date and re-plan",
             description="From `purchase_order.delayed`. Reschedules released make orders whose material now "
                         "arrives late, emits `supply.delayed_replanned`, and (auto-plan) re-plans and releases.")
def delay_supply(ref: str, body: DelayIn, session: SessionDep, planning: PlanningDep) -> DelayOut:
    return delays.delay_supply(session, ref, body, auto=planning.auto_plan)


@router.post("/supplies/{ref}/receipt", tags=["supplies"], summary="Book a receipt against a supply",
             description="`ref` is a supply (PO number) or a released MO of ours (from `goods.received` / "
                         "`production_order.completed`). Fully received lines close.")
def receive(ref: str, body: ReceiptIn, session: SessionDep) -> list[SupplyOut] | PlannedOrderOut:
    lines, order = inputs.receive(session, ref, body.qty, body.line_no)
    if order is not None:
        return planned_docs(session, [order])[0]
    return [SupplyOut.of(s) for s in lines]
