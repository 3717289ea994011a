"""Planning inputs: the stock snapshot, demands and open supplies.

Each write is idempotent in effect, because the hub may retry: stock is a
snapshot per item (PUT), a demand is keyed by (source ref, line), a supply by
(order ref, line). Every change marks the plan dirty; whether it re-plans at
once is the caller's choice (auto-planning).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mrp.dates import stamp
from mocks.mrp.models import Demand, PlannedOrder, Stock, Supply
from mocks.mrp.rules.master import get_item, require_item
from mocks.mrp.rules.meta import mark_dirty
from mocks.mrp.schemas import DemandIn, DemandLineIn, StockIn, SupplyIn

EPSILON = 1e-9


# ------------------------------------------------------------------ stock
def set_stock(session: Session, item_code: str, data: StockIn) -> Stock:
    """Replace the item's on-hand snapshot (WMS reports levels, not deltas)."""
    get_item(session, item_code)
    stock = session.get(Stock, item_code) or Stock(item=item_code)
    if stock.on_hand != data.on_hand:
        mark_dirty(session, f"stock {item_code}")
    stock.on_hand = data.on_hand
    stock.warehouse = data.warehouse
    stock.ref_doc = data.ref_doc
    stock.updated = stamp()
    session.add(stock)
    session.flush()
    return stock


def on_hand(session: Session) -> dict[str, float]:
    return dict(session.execute(select(Stock.item, Stock.on_hand)).all())


# ---------------------------------------------------------------- demands
def upsert_demand(session: Session, data: DemandIn) -> tuple[Demand, str]:
    """Record one demand line; returns (demand, "created" | "updated" | "unchanged")."""
    return _upsert_line(session, data.source_ref, data.source_kind, data, field_prefix="")


def replace_demands(session: Session, source_ref: str, source_kind: str,
                    lines: list[DemandLineIn]) -> tuple[list[Demand], bool]:
    """Make the open demand of ``source_ref`` exactly ``lines`` (missing lines are cancelled)."""
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if line.line_no in seen:
            raise BusinessError("duplicate_line", f"line {line.line_no} is listed twice", field=f"lines.{i}.line_no")
        seen.add(line.line_no)
    changed = False
    for i, line in enumerate(lines):
        _, outcome = _upsert_line(session, source_ref, source_kind, line, field_prefix=f"lines.{i}.")
        changed |= outcome != "unchanged"
    for d in demands_of(session, source_ref):
        if d.line_no not in seen and d.status == "open":
            d.status, d.note, d.updated = "cancelled", "line removed from the order", stamp()
            changed = True
    if changed:
        mark_dirty(session, f"demand {source_ref}")
    session.flush()
    return demands_of(session, source_ref), changed


def _upsert_line(session: Session, source_ref: str, source_kind: str, line: DemandLineIn,
                 field_prefix: str) -> tuple[Demand, str]:
    require_item(session, line.item, f"{field_prefix}item")
    d = session.scalar(select(Demand).where(Demand.source_ref == source_ref, Demand.line_no == line.line_no))
    if d is not None and (d.item, d.qty, d.due_date, d.status, d.source_kind) == (
            line.item, line.qty, line.due_date, "open", source_kind):
        return d, "unchanged"
    outcome = "updated" if d is not None else "created"
    if d is None:
        d = Demand(source_ref=source_ref, line_no=line.line_no)
        session.add(d)
    d.source_kind, d.item, d.qty, d.due_date = source_kind, line.item, line.qty, line.due_date
    d.status, d.note, d.updated = "open", None, stamp()
    mark_dirty(session, f"demand {source_ref}")
    session.flush()
    return d, outcome


def demands_of(session: Session, source_ref: str) -> list[Demand]:
    return list(session.scalars(select(Demand).where(Demand.source_ref == source_ref).order_by(Demand.line_no)))


def close_demands(session: Session, source_ref: str, status: str, reason: str | None) -> list[Demand]:
    """Cancel (order cancelled) or fulfil (shipped) every open line of ``source_ref``."""
    lines = demands_of(session, source_ref)
    if not lines:
        raise NotFound("demand", source_ref, field="source_ref")
    for d in lines:
        if d.status == "open":
            d.status, d.note, d.updated = status, reason, stamp()
            mark_dirty(session, f"demand {source_ref}")
    session.flush()
    return lines


# --------------------------------------------------------------- supplies
def upsert_supply(session: Session, data: SupplyIn) -> tuple[Supply, str]:
    """Record an open purchase/production order line; a requisition it names is converted.

    A converted requisition no longer counts as supply: the order does, so
    nothing is counted twice.
    """
    require_item(session, data.item, "item")
    if data.requisition_ref:
        _convert_requisition(session, data)
    s = session.scalar(select(Supply).where(Supply.ref == data.ref, Supply.line_no == data.line_no))
    if s is not None and (s.kind, s.item, s.qty, s.due_date, s.supplier, s.requisition_ref) == (
            data.kind, data.item, data.qty, data.due_date, data.supplier, data.requisition_ref):
        return s, "unchanged"
    outcome = "updated" if s is not None else "created"
    if s is None:
        s = Supply(ref=data.ref, line_no=data.line_no, received_qty=0, original_due_date=data.due_date,
                   status="open")
        session.add(s)
    s.kind, s.item, s.qty, s.due_date = data.kind, data.item, data.qty, data.due_date
    s.supplier, s.requisition_ref, s.updated = data.supplier, data.requisition_ref, stamp()
    if s.received_qty >= s.qty - EPSILON:
        s.status = "closed"
    mark_dirty(session, f"supply {data.ref}")
    session.flush()
    return s, outcome


def _convert_requisition(session: Session, data: SupplyIn) -> None:
    pr = session.scalar(select(PlannedOrder).where(PlannedOrder.order_no == data.requisition_ref))
    if pr is None or pr.action != "buy":
        raise BusinessError("unknown_requisition", f"requisition {data.requisition_ref!r} was not raised by MRP",
                            field="requisition_ref")
    if pr.item != data.item:
        raise BusinessError("requisition_item_mismatch",
                            f"requisition {pr.order_no} is for item {pr.item}, not {data.item}", field="item")
    if pr.status in ("released", "firmed"):
        pr.status = "converted"


def supplies_of(session: Session, ref: str) -> list[Supply]:
    return list(session.scalars(select(Supply).where(Supply.ref == ref).order_by(Supply.line_no)))


def receive(session: Session, ref: str, qty: float, line_no: int | None) -> tuple[list[Supply], PlannedOrder | None]:
    """Book a receipt against an open supply, or against a released MO/PR of ours, by its number.

    Fully received lines close; a fully completed production order is ``completed``.
    """
    lines = supplies_of(session, ref)
    if lines:
        open_lines = [s for s in lines if s.status == "open" and (line_no is None or s.line_no == line_no)]
        if not open_lines:
            raise BusinessError("supply_closed", f"{ref} has no open line"
                                + (f" {line_no}" if line_no else ""), field="line_no", status=409)
        s = open_lines[0]
        s.received_qty = round(s.received_qty + qty, 6)
        if s.received_qty >= s.qty - EPSILON:
            s.status = "closed"
        s.updated = stamp()
        mark_dirty(session, f"receipt {ref}")
        session.flush()
        return lines, None
    po = session.scalar(select(PlannedOrder).where(PlannedOrder.order_no == ref))
    if po is None:
        raise NotFound("supply", ref, field="ref")
    if po.status != "released":
        raise BusinessError("order_not_open", f"{ref} is {po.status}, it cannot receive", field="ref", status=409)
    po.received_qty = round(po.received_qty + qty, 6)
    if po.received_qty >= po.qty - EPSILON:
        po.status = "completed"
    mark_dirty(session, f"receipt {ref}")
    session.flush()
    return [], po
