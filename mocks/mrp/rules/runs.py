"""The planning run over the database: gather inputs, call the engine, store and announce.

A run first replaces every unfirmed (``planned``) order of earlier runs;
firmed and released orders stay, count as supply at their due date, and —
for make orders — still demand their components at their release date. Open
demands, the stock snapshot and open supplies (less what was received) are
the other inputs. The engine is :mod:`mocks.mrp.rules.engine`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import NotFound
from mocks.mrp import events
from mocks.mrp.dates import fmt_date, parse_date, stamp, today
from mocks.mrp.models import Bom, Demand, Item, PlannedOrder, Run, Supply
from mocks.mrp.rules import engine
from mocks.mrp.rules.inputs import on_hand
from mocks.mrp.rules.master import bom_in_effect, refresh_low_level_codes
from mocks.mrp.rules.meta import clear_dirty
from mocks.mrp.schemas import PlannedOrderOut

AUTO_PLAN_HORIZON_DAYS = 180
"""Auto-planning runs daily buckets from today over this many days."""
FIRM_STATUSES = ("firmed", "released")
"""Planned orders a re-run keeps: they count as supply."""


def run_mrp(session: Session, *, start_date: str | None = None, bucket_days: int = 1,
            horizon: int = AUTO_PLAN_HORIZON_DAYS, trigger: str = "manual") -> tuple[Run, list[PlannedOrder]]:
    """Plan from ``start_date`` (default today) in ``horizon`` buckets of ``bucket_days``."""
    start = start_date or fmt_date(today())
    refresh_low_level_codes(session)
    for old in session.scalars(select(PlannedOrder).where(PlannedOrder.status == "planned")):
        old.status = "replaced"
    for earlier in session.scalars(select(Run).where(Run.status == "completed")):
        earlier.status = "superseded"

    lines = engine.plan(build_input(session, start, bucket_days, horizon))
    run = Run(start_date=start, bucket_days=bucket_days, horizon=horizon, trigger=trigger, status="completed",
              planned_count=len(lines), late_count=sum(1 for ln in lines if ln.late), created=stamp())
    session.add(run)
    session.flush()
    rows = [PlannedOrder(run_id=run.id, item=ln.item, action=ln.action, qty=ln.qty, received_qty=0,
                         due_date=fmt_date(ln.due_date), release_date=fmt_date(ln.release_date), late=ln.late,
                         status="planned", bom_version=ln.bom_version, origin_ref=ln.origin) for ln in lines]
    session.add_all(rows)
    session.flush()
    clear_dirty(session)
    events.run_completed(session, run, planned_docs(session, rows))
    return run, rows


def build_input(session: Session, start: str, bucket_days: int, horizon: int) -> engine.PlanInput:
    items = {i.code: i for i in session.scalars(select(Item))}
    inp = engine.PlanInput(
        start=parse_date(start), bucket_days=bucket_days, horizon=horizon,
        items={c: engine.PlanItem(c, i.supply, i.lead_time_days, i.safety_stock, i.lot_min, i.lot_multiple,
                                  i.low_level_code) for c, i in items.items()},
        on_hand=on_hand(session))
    for code, item in items.items():
        if item.supply == "make" and (bom := bom_in_effect(session, code, start)) is not None:
            inp.structures[code] = _structure(bom)
    for d in session.scalars(select(Demand).where(Demand.status == "open")):
        inp.requirements.append(engine.Requirement(
            d.item, parse_date(d.due_date), d.qty, d.source_ref if d.source_kind == "sales_order" else None))
    for s in session.scalars(select(Supply).where(Supply.status == "open")):
        if s.qty - s.received_qty > 0:
            inp.receipts.append(engine.Receipt(s.item, parse_date(s.due_date), s.qty - s.received_qty))
    for po in session.scalars(select(PlannedOrder).where(PlannedOrder.status.in_(FIRM_STATUSES))):
        remaining = po.qty - po.received_qty
        if remaining <= 0:
            continue
        inp.receipts.append(engine.Receipt(po.item, parse_date(po.due_date), remaining))
        structure = structure_of(session, po)
        if po.action == "make" and structure is not None:
            inp.requirements.extend(engine.explode(structure, remaining, parse_date(po.release_date), po.origin_ref))
    return inp


def structure_of(session: Session, po: PlannedOrder) -> engine.Structure | None:
    """The BOM a make order was planned with (or the one in effect at its release)."""
    bom = None
    if po.bom_version:
        bom = session.scalar(select(Bom).where(Bom.parent_item == po.item, Bom.version == po.bom_version))
    bom = bom or bom_in_effect(session, po.item, po.release_date)
    return _structure(bom) if bom else None


def _structure(bom: Bom) -> engine.Structure:
    return engine.Structure(bom.version, tuple(engine.Component(ln.component, ln.qty / bom.base_qty)
                                               for ln in bom.lines))


def get_run(session: Session, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound("run", run_id, field="run_id")
    return run


def planned_docs(session: Session, orders: list[PlannedOrder]) -> list[PlannedOrderOut]:
    uoms = dict(session.execute(select(Item.code, Item.uom)).all())
    return [PlannedOrderOut.of(po, uoms.get(po.item, "PCS")) for po in orders]


def orders_of_run(session: Session, run_id: int) -> list[PlannedOrder]:
    return list(session.scalars(select(PlannedOrder).where(PlannedOrder.run_id == run_id).order_by(PlannedOrder.id)))
