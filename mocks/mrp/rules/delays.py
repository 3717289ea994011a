"""A supply arriving later: move it, find the make orders now short, reschedule them, re-plan.

A firmed or released make order is *affected* when the delayed material
would have covered its need at its start (release) date before the delay and
no longer does. Needs are served first come, first served in date order
(independent demands of the material too); safety stock may be used up. An
affected order moves to the first receipt date that covers its need again,
keeping its duration: ``new_end = new_start + (old_end − old_start)``. Only
direct consumers are rescheduled; unfirmed planned orders are simply
re-planned by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mrp import events
from mocks.mrp.dates import add_days, days_between, stamp
from mocks.mrp.models import Demand, PlannedOrder, Stock, Supply
from mocks.mrp.rules.inputs import supplies_of
from mocks.mrp.rules.meta import mark_dirty
from mocks.mrp.rules.orders import auto_plan
from mocks.mrp.rules.runs import FIRM_STATUSES, structure_of
from mocks.mrp.schemas import AffectedOrder, DelayIn, DelayOut, SupplyOut

EPSILON = 1e-9


@dataclass
class _Need:
    date: str
    qty: float
    order: PlannedOrder | None  # None: an independent demand


def delay_supply(session: Session, ref: str, data: DelayIn, *, auto: bool) -> DelayOut:
    """Move the open line(s) of ``ref`` to ``data.new_due_date``; reschedule and (auto) re-plan."""
    lines = supplies_of(session, ref)
    if not lines:
        raise NotFound("supply", ref, field="ref")
    if data.line_no is not None and all(s.line_no != data.line_no for s in lines):
        raise BusinessError("unknown_line", f"{ref} has no line {data.line_no}", field="line_no")
    targets = [s for s in lines if s.status == "open" and data.line_no in (None, s.line_no)]
    if not targets:
        raise BusinessError("supply_closed", f"{ref} has no open line to delay", field="ref", status=409)

    old_dates = [s.due_date for s in targets]
    items = sorted({s.item for s in targets})
    before = {item: _receipts(session, item) for item in items}
    for s in targets:
        s.due_date, s.updated = data.new_due_date, stamp()
    session.flush()
    affected: list[AffectedOrder] = []
    for item in items:
        affected += _reschedule(session, item, before[item], _receipts(session, item), data.new_due_date)
    mark_dirty(session, f"delay {ref}")
    run_id = auto_plan(session, "delay").id if auto else None
    docs = [SupplyOut.of(s) for s in targets]
    events.supply_delayed(session, ref=ref, new_due_date=data.new_due_date, reason=data.reason,
                          supplies=docs, old_due_dates=old_dates, affected=affected, run_id=run_id)
    return DelayOut(ref=ref, new_due_date=data.new_due_date, reason=data.reason, supplies=docs,
                    affected_orders=affected, run_id=run_id)


def _receipts(session: Session, item: str) -> list[tuple[str, float]]:
    """(date, qty) of everything that will add to ``item``'s stock, on-hand first."""
    stock = session.get(Stock, item)
    out = [("00000000", stock.on_hand if stock else 0.0)]
    for s in session.scalars(select(Supply).where(Supply.item == item, Supply.status == "open")):
        out.append((s.due_date, s.qty - s.received_qty))
    for po in session.scalars(select(PlannedOrder).where(PlannedOrder.item == item,
                                                         PlannedOrder.status.in_(FIRM_STATUSES))):
        out.append((po.due_date, po.qty - po.received_qty))
    return sorted(out)


def _needs(session: Session, item: str) -> list[_Need]:
    """Independent demands of ``item`` and firm make orders consuming it, in date order."""
    needs = [_Need(d.due_date, d.qty, None) for d in session.scalars(
        select(Demand).where(Demand.item == item, Demand.status == "open"))]
    for po in session.scalars(select(PlannedOrder).where(PlannedOrder.action == "make",
                                                         PlannedOrder.status.in_(FIRM_STATUSES))):
        structure = structure_of(session, po)
        per = sum(c.qty_per for c in structure.components if c.item == item) if structure else 0
        if per and po.qty > po.received_qty:
            needs.append(_Need(po.release_date, (po.qty - po.received_qty) * per, po))
    return sorted(needs, key=lambda n: (n.date, n.order.id if n.order else 0))


def _available(receipts: list[tuple[str, float]], on: str) -> float:
    return sum(q for d, q in receipts if d <= on)


def _reschedule(session: Session, item: str, before: list[tuple[str, float]],
                after: list[tuple[str, float]], fallback: str) -> list[AffectedOrder]:
    affected: list[AffectedOrder] = []
    cumulative = 0.0
    for need in _needs(session, item):
        cumulative += need.qty
        po = need.order
        if po is None:
            continue
        covered_before = _available(before, need.date) >= cumulative - EPSILON
        covered_after = _available(after, need.date) >= cumulative - EPSILON
        if not covered_before or covered_after:
            continue
        new_start = next((d for d, _ in after if d > need.date and _available(after, d) >= cumulative - EPSILON),
                         max(fallback, need.date))
        duration = days_between(po.release_date, po.due_date)
        old_start, old_end = po.release_date, po.due_date
        po.release_date, po.due_date = new_start, add_days(new_start, duration)
        affected.append(AffectedOrder(planned_order_id=po.id, order_no=po.order_no, item=po.item,
                                      old_start=old_start, new_start=po.release_date,
                                      old_end=old_end, new_end=po.due_date, origin_ref=po.origin_ref))
    return affected
