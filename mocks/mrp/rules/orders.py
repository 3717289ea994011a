"""Firming and releasing planned orders, and auto-planning.

Firming protects a planned order from the next re-run. Releasing turns a
make order into a production order (``MO-000001``) and a buy order into a
purchase requisition (``PR-000001``) and announces it. Both are idempotent
in effect: releasing a released order changes nothing and emits nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mrp import events
from mocks.mrp.dates import stamp
from mocks.mrp.models import Item, PlannedOrder, Run
from mocks.mrp.rules.meta import next_number
from mocks.mrp.rules.runs import get_run, orders_of_run, run_mrp

NUMBER_PREFIX = {"make": "MO", "buy": "PR"}


def get_planned_order(session: Session, order_id: int) -> PlannedOrder:
    po = session.get(PlannedOrder, order_id)
    if po is None:
        raise NotFound("planned order", order_id, field="planned_order_id")
    return po


def firm(session: Session, order_id: int) -> PlannedOrder:
    """Keep a planned order through re-runs (it then counts as supply)."""
    po = get_planned_order(session, order_id)
    if po.status == "planned":
        po.status = "firmed"
    elif po.status not in ("firmed", "released"):
        raise _not_open(po)
    return po


def release(session: Session, order_id: int) -> PlannedOrder:
    """Release one planned or firmed order; emits the production order / requisition."""
    return _release(session, get_planned_order(session, order_id))


def release_run(session: Session, run_id: int) -> list[PlannedOrder]:
    """Release every still-open order of a run (a superseded run has nothing left to release)."""
    run = get_run(session, run_id)
    if run.status == "superseded":
        raise BusinessError("run_superseded", f"run {run_id} was superseded by a later run; release that one",
                            field="run_id", status=409)
    orders = orders_of_run(session, run_id)
    for po in orders:
        if po.status in ("planned", "firmed"):
            _release(session, po)
    return orders


def _release(session: Session, po: PlannedOrder) -> PlannedOrder:
    if po.status == "released":
        return po
    if po.status not in ("planned", "firmed"):
        raise _not_open(po)
    po.order_no = next_number(session, NUMBER_PREFIX[po.action])
    po.status = "released"
    po.released = stamp()
    session.flush()
    item = session.get(Item, po.item)
    assert item is not None  # planned orders reference the item master (foreign key)
    if po.action == "make":
        events.production_released(session, po, item)
    else:
        events.requisition_created(session, po, item)
    return po


def _not_open(po: PlannedOrder) -> BusinessError:
    return BusinessError("planned_order_not_open", f"planned order {po.id} is {po.status}",
                         field="planned_order_id", status=409)


def auto_plan(session: Session, trigger: str) -> Run:
    """Re-plan now (daily buckets from today) and release the result: the flows' hands-off mode."""
    run, _ = run_mrp(session, trigger=trigger)
    release_run(session, run.id)
    return run
