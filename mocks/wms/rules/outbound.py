"""Goods going out: outbound orders reserve → pick → ship.

An outbound order (from a confirmed sales order) reserves what is free and
backorders the rest (or, with ``partial: false``, is refused unless all of
it can be reserved). Picking turns reservations into picked stock, moved to
the warehouse's dock when it has one. Shipping issues only picked stock —
what was not picked cannot ship. Stock arriving later (a production or
purchase receipt) is reserved for backorders, oldest order first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.wms import events
from mocks.wms.models import DOCK, Allocation, Location, Outbound, OutboundLine, Shipment, ShipmentLine
from mocks.wms.rules.stock import StockBook, free_qty, insufficient
from mocks.wms.rules.util import customer, get_or_404, next_no, now_ms, sku_row, warehouse
from mocks.wms.schemas import OutboundIn, PickIn, ShipIn

CLOSED = ("SHIPPED", "CANCELLED")


def find_outbound(session: Session, key: str) -> Outbound:
    """An outbound order by its number or by its sales order number (404 if neither)."""
    row = session.scalar(select(Outbound).where(or_(Outbound.ob == key, Outbound.ref == key)))
    return row if row is not None else get_or_404(session, Outbound, key, what="outbound order", field="ob")


def list_outbound(session: Session, status: str | None = None, cust: str | None = None) -> list[Outbound]:
    q = select(Outbound).order_by(Outbound.ob)
    if status:
        q = q.where(Outbound.status == status)
    if cust:
        q = q.where(Outbound.cust == cust)
    return list(session.scalars(q))


def status_of(ob: Outbound) -> str:
    if ob.status == "CANCELLED":
        return "CANCELLED"
    qty = sum(ln.qty for ln in ob.lines)
    alloc = sum(ln.alloc for ln in ob.lines)
    picked = sum(ln.picked for ln in ob.lines)
    shipped = sum(ln.shipped for ln in ob.lines)
    if shipped == qty:
        return "SHIPPED"
    if alloc < qty:
        return "BACKORDER"
    if picked == alloc and picked > shipped:
        return "PICKED"
    return "PART_SHIPPED" if shipped else "ALLOCATED"


def _refresh(ob: Outbound) -> None:
    ob.status = status_of(ob)
    ob.upd = now_ms()


def create_outbound(session: Session, body: OutboundIn) -> tuple[Outbound, bool]:
    """Create the outbound order of a sales order and reserve; a repeat of the order changes nothing."""
    existing = session.scalar(select(Outbound).where(Outbound.ref == body.ref))
    if existing is not None:
        return existing, False
    customer(session, body.cust)
    warehouse(session, body.wh)
    seen: set[int] = set()
    need: dict[str, int] = defaultdict(int)
    for i, line in enumerate(body.lines):
        sku_row(session, line.sku, field=f"lines.{i}.sku")
        if line.ln in seen:
            raise BusinessError("duplicate_line", f"line {line.ln} appears twice", field=f"lines.{i}.ln")
        seen.add(line.ln)
        need[line.sku] += line.qty
        if not body.partial and need[line.sku] > (free := free_qty(session, line.sku, body.wh)):
            raise insufficient(line.sku, body.wh, need[line.sku], free, field=f"lines.{i}.qty",
                               what="reserve")
    ts = now_ms()
    ob = Outbound(ob=next_no(session, "OB"), ref=body.ref, cust=body.cust, wh=body.wh, ship_to=body.ship_to,
                  partial=body.partial, status="BACKORDER", ts=ts, upd=ts,
                  lines=[OutboundLine(ln=ln.ln, sku=ln.sku, qty=ln.qty, alloc=0, picked=0, shipped=0)
                         for ln in body.lines])
    session.add(ob)
    session.flush()
    book = StockBook(session, "reserve", ref=ob.ob, ext=ob.ref)
    for line in ob.lines:
        _reserve(book, ob, line)
    _refresh(ob)
    book.close()
    return ob, True


def _reserve(book: StockBook, ob: Outbound, line: OutboundLine) -> None:
    if line.backorder <= 0:
        return
    for t in book.reserve(line.sku, ob.wh, line.backorder):
        line.allocs.append(Allocation(loc=t.loc, lot=t.lot, qty=t.qty, state="RESERVED"))
        line.alloc += t.qty


def fill_backorders(session: Session, skus: Iterable[str], wh: str) -> list[str]:
    """Reserve newly arrived stock of ``skus`` in ``wh`` for backordered orders, oldest first."""
    skus = set(skus)
    filled: list[str] = []
    for ob in session.scalars(select(Outbound).where(Outbound.wh == wh, Outbound.status == "BACKORDER")
                              .order_by(Outbound.ts, Outbound.ob)):
        lines = [ln for ln in ob.lines if ln.sku in skus and ln.backorder > 0]
        if not lines or not any(free_qty(session, ln.sku, wh) > 0 for ln in lines):
            continue
        book = StockBook(session, "reserve", ref=ob.ob, ext=ob.ref)
        for line in lines:
            _reserve(book, ob, line)
        _refresh(ob)
        book.close()
        filled.append(ob.ob)
    return filled


def _dock(session: Session, wh: str) -> str | None:
    return session.scalar(select(Location.loc).where(Location.wh == wh, Location.kind == DOCK)
                          .order_by(Location.loc))


def pick(session: Session, key: str, body: PickIn | None = None) -> Outbound:
    """Pick reserved stock (all of it, or the given quantities per line) to the dock."""
    ob = find_outbound(session, key)
    if ob.status in CLOSED:
        raise BusinessError("outbound_closed", f"{ob.ob} is {ob.status}", field="ob", status=409)
    by_ln = {ln.ln: ln for ln in ob.lines}
    wanted: list[tuple[OutboundLine, int]] = []
    if body is not None and body.lines:
        for i, pl in enumerate(body.lines):
            line = by_ln.get(pl.ln)
            if line is None:
                raise BusinessError("unknown_line", f"{ob.ob} has no line {pl.ln}", field=f"lines.{i}.ln")
            if pl.qty > (open_qty := line.alloc - line.picked):
                raise BusinessError(
                    "exceeds_reservation",
                    f"cannot pick {pl.qty} of {line.sku} on {ob.ob} line {line.ln}: only {open_qty} reserved",
                    field=f"lines.{i}.qty", status=409)
            wanted.append((line, pl.qty))
    else:
        wanted = [(ln, ln.alloc - ln.picked) for ln in ob.lines if ln.alloc > ln.picked]
    if not any(q for _, q in wanted):
        raise BusinessError("nothing_to_pick", f"{ob.ob} has no reserved stock left to pick", field="ob",
                            status=409)
    dock = _dock(session, ob.wh)
    book = StockBook(session, "pick", ref=ob.ob, ext=ob.ref)
    for line, qty in wanted:
        left = qty
        for a in [a for a in line.allocs if a.state == "RESERVED"]:
            if left <= 0:
                break
            n = min(left, a.qty)
            target = a
            if n < a.qty:
                a.qty -= n
                target = Allocation(loc=a.loc, lot=a.lot, qty=n, state="RESERVED")
                line.allocs.append(target)
            if dock and target.loc != dock:
                book.transfer(line.sku, ob.wh, target.lot, target.loc, dock, n, reserved=True, type="PICK")
                target.loc = dock
            else:
                book.note("PICK", line.sku, ob.wh, target.loc, target.lot, n)
            target.state = "PICKED"
            line.picked += n
            left -= n
    _refresh(ob)
    book.close()
    return ob


def waybill_for(carrier: str, shp_no: str, ts: int) -> str:
    """A carrier-style tracking number: carrier code + 12 digits (time and shipment sequence)."""
    return f"{carrier.upper()[:4]}{ts % 10**7:07d}{int(shp_no[3:]) % 10**5:05d}"


def ship(session: Session, key: str, body: ShipIn) -> Shipment:
    """Ship everything picked; refuses when nothing was picked. Emits ``shipment/dispatched``."""
    ob = find_outbound(session, key)
    if ob.status == "CANCELLED":
        raise BusinessError("outbound_closed", f"{ob.ob} is CANCELLED", field="ob", status=409)
    picked = [(ln, a) for ln in ob.lines for a in ln.allocs if a.state == "PICKED"]
    if not picked:
        raise BusinessError("nothing_picked", f"cannot ship {ob.ob}: nothing has been picked", field="ob",
                            status=409)
    shp_no = next_no(session, "SHP")
    book = StockBook(session, "ship", ref=shp_no, ext=ob.ref)
    qty_by: dict[tuple[int, str, str], int] = defaultdict(int)
    for line, a in picked:
        book.ship(line.sku, ob.wh, a.loc, a.lot, a.qty)
        a.state = "SHIPPED"
        line.shipped += a.qty
        qty_by[(line.ln, line.sku, a.lot)] += a.qty
    shp = Shipment(shp=shp_no, ob=ob.ob, ref=ob.ref, cust=ob.cust, wh=ob.wh, carrier=body.carrier,
                   waybill=body.waybill or waybill_for(body.carrier, shp_no, book.ts), ts=book.ts,
                   lines=[ShipmentLine(ln=ln, sku=sku, qty=q, lot=lot) for (ln, sku, lot), q in qty_by.items()])
    session.add(shp)
    _refresh(ob)
    session.flush()
    book.close()
    events.shipment_dispatched(session, shp)
    return shp


def cancel(session: Session, key: str, reason: str | None) -> Outbound:
    """Cancel what is not shipped yet and give its reservations back; shipped orders cannot be cancelled."""
    ob = find_outbound(session, key)
    if ob.status == "CANCELLED":
        return ob
    if ob.status == "SHIPPED":
        raise BusinessError("outbound_shipped", f"{ob.ob} is already shipped", field="ob", status=409)
    book = StockBook(session, "release", ref=ob.ob, ext=ob.ref)
    for line in ob.lines:
        for a in line.allocs:
            if a.state in ("RESERVED", "PICKED"):
                book.release(line.sku, ob.wh, a.loc, a.lot, a.qty)
                if a.state == "PICKED":
                    line.picked -= a.qty
                line.alloc -= a.qty
                a.state = "RELEASED"
    ob.status, ob.note, ob.upd = "CANCELLED", reason, now_ms()
    book.close()
    return ob


def list_shipments(session: Session, ref: str | None = None, ob: str | None = None) -> list[Shipment]:
    q = select(Shipment).order_by(Shipment.shp)
    if ref:
        q = q.where(Shipment.ref == ref)
    if ob:
        q = q.where(Shipment.ob == ob)
    return list(session.scalars(q))


def get_shipment(session: Session, shp: str) -> Shipment:
    return get_or_404(session, Shipment, shp, what="shipment", field="shp")
