"""``/api/runs``, ``/api/planned-orders`` and ``/api/settings``: the planning run and its result."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from mocks.common import SessionDep
from mocks.mrp.api.deps import PlanningDep
from mocks.mrp.models import PlannedOrder, Run
from mocks.mrp.rules import orders, runs
from mocks.mrp.schemas import PlannedOrderOut, RunIn, RunOut, SettingsDoc

router = APIRouter(prefix="/api")

_RUN_EXAMPLE = {"start_date": "20270104", "bucket_days": 7, "horizon": 8}


def _run_doc(session: SessionDep, run: Run) -> RunOut:
    return RunOut.of(run, runs.planned_docs(session, runs.orders_of_run(session, run.id)))


@router.get("/runs", tags=["runs"], summary="List planning runs, newest first")
def list_runs(session: SessionDep) -> list[RunOut]:
    return [_run_doc(session, r) for r in session.scalars(select(Run).order_by(Run.id.desc()))]


@router.get("/runs/{run_id}", tags=["runs"], summary="One run with its planned orders")
def get_run(run_id: int, session: SessionDep) -> RunOut:
    return _run_doc(session, runs.get_run(session, run_id))


@router.post("/runs", tags=["runs"], status_code=201, summary="Run MRP",
             description="Nets every item in low-level-code order over `horizon` buckets of `bucket_days` from "
                         "`start_date`; replaces unfirmed planned orders of earlier runs; emits `run.completed`.",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": _RUN_EXAMPLE}}}})
def post_run(body: RunIn, session: SessionDep) -> RunOut:
    run, _ = runs.run_mrp(session, start_date=body.start_date, bucket_days=body.bucket_days,
                          horizon=body.horizon, trigger="manual")
    return _run_doc(session, run)


@router.post("/runs/{run_id}/release", tags=["runs"], summary="Release every open planned order of a run")
def release_run(run_id: int, session: SessionDep) -> RunOut:
    orders.release_run(session, run_id)
    return _run_doc(session, runs.get_run(session, run_id))


@router.get("/planned-orders", tags=["planned orders"], summary="List planned orders")
def list_planned_orders(session: SessionDep, run_id: int | None = None, item: str | None = None,
                        status: str | None = None, action: str | None = None,
                        order_no: str | None = None) -> list[PlannedOrderOut]:
    q = select(PlannedOrder).order_by(PlannedOrder.id)
    for column, value in ((PlannedOrder.run_id, run_id), (PlannedOrder.item, item),
                          (PlannedOrder.status, status), (PlannedOrder.action, action),
                          (PlannedOrder.order_no, order_no)):
        if value is not None:
            q = q.where(column == value)
    return runs.planned_docs(session, list(session.scalars(q)))


@router.get("/planned-orders/{planned_order_id}", tags=["planned orders"], summary="One planned order")
def get_planned_order(planned_order_id: int, session: SessionDep) -> PlannedOrderOut:
    return runs.planned_docs(session, [orders.get_planned_order(session, planned_order_id)])[0]


@router.post("/planned-orders/{planned_order_id}/firm", tags=["planned orders"],
             summary="Firm a planned order (a re-run keeps it)")
def firm(planned_order_id: int, session: SessionDep) -> PlannedOrderOut:
    return runs.planned_docs(session, [orders.firm(session, planned_order_id)])[0]


@router.post("/planned-orders/{planned_order_id}/release", tags=["planned orders"],
             summary="Release a planned order as production order (MO-…) or purchase requisition (PR-…)",
             description="Emits `planned_order.released` (make) or `requisition.created` (buy). "
                         "Releasing a released order changes nothing.")
def release(planned_order_id: int, session: SessionDep) -> PlannedOrderOut:
    return runs.planned_docs(session, [orders.release(session, planned_order_id)])[0]


@router.get("/settings", tags=["settings"], summary="The planner's runtime settings")
def get_settings(planning: PlanningDep) -> SettingsDoc:
    return SettingsDoc(auto_plan=planning.auto_plan)


@router.put("/settings", tags=["settings"], summary="Turn auto-planning on or off")
def put_settings(body: SettingsDoc, planning: PlanningDep) -> SettingsDoc:
    planning.auto_plan = body.auto_plan
    return SettingsDoc(auto_plan=planning.auto_plan)
