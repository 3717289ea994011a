"""The stock book: the only code that changes stock.

A business operation (a receipt, a pick, a shipment…) opens one
:class:`StockBook`, makes its changes through it and closes it. Every change
writes a :class:`~mocks.wms.models.Movement`; nothing is taken beyond what
is free (``on_hand − reserved``), so stock never goes negative. ``close()``
books one ledger entry (:class:`~mocks.wms.models.StockChange`) per sku+wh
touched, with the aggregate figures, and checks safety stock (one alert per
downward crossing). Stock changes are not pushed: readers poll the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.wms import events
from mocks.wms.models import (
    DOCK,
    RECEIVING,
    STORAGE,
    Asn,
    AsnLine,
    Bin,
    Location,
    Movement,
    SafetyState,
    Sku,
    StockChange,
    Substitute,
)
from mocks.wms.rules.util import next_no, now_ms, sku_row, warehouse

PICK_ORDER = {STORAGE: 0, RECEIVING: 1, DOCK: 2}
"""Which stock is taken first: stored stock, then stock still at receiving, then the dock."""


@dataclass
class Taken:
    """A quantity taken from (or held at) one bin."""

    loc: str
    lot: str
    qty: int


@dataclass
class _Touch:
    delta: int = 0
    mvs: list[str] = field(default_factory=list)


def totals(session: Session, sku: str, wh: str | None = None) -> tuple[int, int]:
    """(on_hand, reserved) of ``sku``, in ``wh`` or in every warehouse."""
    q = select(func.coalesce(func.sum(Bin.on_hand), 0), func.coalesce(func.sum(Bin.reserved), 0)) \
        .where(Bin.sku == sku)
    if wh is not None:
        q = q.where(Bin.wh == wh)
    on_hand, reserved = session.execute(q).one()
    return int(on_hand), int(reserved)


def free_qty(session: Session, sku: str, wh: str) -> int:
    on_hand, reserved = totals(session, sku, wh)
    return on_hand - reserved


def insufficient(sku: str, wh: str, wanted: int, free: int, *, field: str, what: str = "take") -> BusinessError:
    return BusinessError(
        "insufficient_stock",
        f"cannot {what} {wanted} of {sku} in {wh}: only {free} available",
        field=field, status=409)


class StockBook:
    """One operation's stock changes; see the module docstring."""

    def __init__(self, session: Session, reason: str, ref: str | None, ext: str | None = None):
        self.session = session
        self.reason = reason
        self.ref = ref
        self.ext = ext
        self.ts = now_ms()
        self._touched: dict[tuple[str, str], _Touch] = {}
        self.mvs: list[str] = []
        """The movement numbers written so far, in order."""

    # ---------------------------------------------------------------- reading
    def bin(self, sku: str, wh: str, loc: str, lot: str, *, create: bool = False) -> Bin | None:
        row = self.session.scalar(select(Bin).where(Bin.sku == sku, Bin.loc == loc, Bin.lot == lot))
        if row is None and create:
            row = Bin(sku=sku, wh=wh, loc=loc, lot=lot, on_hand=0, reserved=0, ts=self.ts)
            self.session.add(row)
        return row

    def free_bins(self, sku: str, wh: str) -> list[Bin]:
        """Bins with free stock, in the order they are taken from (stored first, then by lot: FIFO)."""
        kind_order = case(PICK_ORDER, value=Location.kind, else_=9)
        return list(self.session.scalars(
            select(Bin).join(Location, Location.loc == Bin.loc)
            .where(Bin.sku == sku, Bin.wh == wh, Bin.on_hand > Bin.reserved)
            .order_by(kind_order, Bin.lot, Bin.id)))

    # --------------------------------------------------------------- changing
    def receive(self, sku: str, wh: str, loc: str, lot: str, qty: int, *, type: str = "RECEIPT") -> None:
        """Put ``qty`` new pieces at a bin (a receipt or a production receipt)."""
        row = self.bin(sku, wh, loc, lot, create=True)
        assert row is not None
        row.on_hand += qty
        row.ts = self.ts
        self._record(type, sku, wh, lot, qty, None, loc, qty, 0)

    def issue(self, sku: str, wh: str, qty: int, *, field: str = "qty") -> list[Taken]:
        """Take ``qty`` free pieces out of the warehouse (FIFO), or refuse with 409."""
        free = free_qty(self.session, sku, wh)
        if qty > free:
            raise insufficient(sku, wh, qty, free, field=field, what="issue")
        taken = self._take_free(sku, wh, qty)
        for t in taken:
            row = self.bin(sku, wh, t.loc, t.lot)
            assert row is not None
            row.on_hand -= t.qty
            row.ts = self.ts
            self._record("ISSUE", sku, wh, t.lot, t.qty, t.loc, None, -t.qty, 0)
        return taken

    def reserve(self, sku: str, wh: str, qty: int) -> list[Taken]:
        """Hold up to ``qty`` free pieces; returns what was held (may be less: the rest is backordered)."""
        taken = self._take_free(sku, wh, qty)
        for t in taken:
            row = self.bin(sku, wh, t.loc, t.lot)
            assert row is not None
            row.reserved += t.qty
            row.ts = self.ts
            self._record("RESERVE", sku, wh, t.lot, t.qty, t.loc, t.loc, 0, t.qty)
        return taken

    def release(self, sku: str, wh: str, loc: str, lot: str, qty: int) -> None:
        """Give held pieces back to free stock."""
        row = self.bin(sku, wh, loc, lot)
        if row is None or row.reserved < qty:
            raise BusinessError("reservation_missing", f"{qty} of {sku} are not reserved at {loc}/{lot}",
                                field="qty", status=409)
        row.reserved -= qty
        row.ts = self.ts
        self._record("RELEASE", sku, wh, lot, qty, loc, loc, 0, -qty)

    def transfer(self, sku: str, wh: str, lot: str, from_loc: str, to_loc: str, qty: int, *,
                 reserved: bool = False, type: str = "PUTAWAY", field: str = "qty") -> None:
        """Move ``qty`` within the warehouse; ``reserved`` moves held stock (a pick), else free stock."""
        src = self.bin(sku, wh, from_loc, lot)
        have = 0 if src is None else (src.reserved if reserved else src.available)
        if qty > have or src is None:
            raise insufficient(sku, wh, qty, have, field=field, what=f"move from {from_loc}/{lot}")
        dst = self.bin(sku, wh, to_loc, lot, create=True)
        assert dst is not None
        src.on_hand -= qty
        dst.on_hand += qty
        if reserved:
            src.reserved -= qty
            dst.reserved += qty
        src.ts = dst.ts = self.ts
        self._record(type, sku, wh, lot, qty, from_loc, to_loc, 0, 0)

    def ship(self, sku: str, wh: str, loc: str, lot: str, qty: int) -> None:
        """Issue held (picked) pieces to a shipment."""
        row = self.bin(sku, wh, loc, lot)
        if row is None or row.reserved < qty:
            raise BusinessError("not_picked", f"{qty} of {sku} are not held at {loc}/{lot}",
                                field="qty", status=409)
        row.on_hand -= qty
        row.reserved -= qty
        row.ts = self.ts
        self._record("SHIP", sku, wh, lot, qty, loc, None, -qty, -qty)

    def note(self, type: str, sku: str, wh: str, loc: str, lot: str, qty: int) -> None:
        """A ledger line for a change of state without a quantity change (a pick in place)."""
        self._record(type, sku, wh, lot, qty, loc, loc, 0, 0)

    def close(self) -> None:
        """Book one ledger entry per sku+wh touched, then check their safety stock."""
        booked = now_ms()
        for (sku, wh), touch in self._touched.items():
            on_hand, reserved = totals(self.session, sku, wh)
            self.session.add(StockChange(
                sku=sku, wh=wh, on_hand=on_hand, reserved=reserved, available=on_hand - reserved,
                delta=touch.delta, reason=self.reason, ref=self.ref, ext=self.ext, mvs=touch.mvs,
                ts=self.ts, booked=booked))
        for sku, wh in self._touched:
            check_safety(self.session, sku, wh, self.ts)
        self._touched.clear()

    # --------------------------------------------------------------- internals
    def _take_free(self, sku: str, wh: str, qty: int) -> list[Taken]:
        taken: list[Taken] = []
        left = qty
        for row in self.free_bins(sku, wh):
            if left <= 0:
                break
            n = min(left, row.available)
            taken.append(Taken(row.loc, row.lot, n))
            left -= n
        return taken

    def _record(self, type: str, sku: str, wh: str, lot: str, qty: int, from_loc: str | None,
                to_loc: str | None, on_hand_delta: int, reserved_delta: int) -> None:
        mv = next_no(self.session, "MV")
        self.session.add(Movement(mv=mv, type=type, sku=sku, wh=wh, from_loc=from_loc, to_loc=to_loc,
                                  lot=lot, qty=qty, on_hand_delta=on_hand_delta,
                                  reserved_delta=reserved_delta, ref=self.ref, ext=self.ext, ts=self.ts))
        touch = self._touched.setdefault((sku, wh), _Touch())
        touch.delta += on_hand_delta
        touch.mvs.append(mv)
        self.mvs.append(mv)


# ------------------------------------------------------------ safety stock
def lot_size(qty: int, lot_min: int, lot_mult: int) -> int:
    """What to order for a shortfall of ``qty``: at least ``lot_min``, rounded up to ``lot_mult``."""
    qty = max(qty, lot_min)
    if lot_mult > 0:
        qty = -(-qty // lot_mult) * lot_mult
    return qty


def check_safety(session: Session, sku: str, wh: str, ts: int) -> None:
    """Alert once when available stock falls below safety stock; re-arm when it recovers."""
    item = session.get(Sku, sku)
    if item is None or item.wh != wh:
        return
    state = session.get(SafetyState, (sku, wh))
    if state is None:
        state = SafetyState(sku=sku, wh=wh, below=False, alerts=0)
        session.add(state)
    available = free_qty(session, sku, wh)
    if item.safety > 0 and available < item.safety:
        if not state.below:
            state.below, state.ts = True, ts
            state.alerts += 1
            events.below_safety(session, below_safety_data(session, item, available, ts))
    elif state.below:
        state.below, state.ts = False, ts


def below_safety_data(session: Session, item: Sku, available: int, ts: int) -> dict[str, Any]:
    shortfall = item.safety - available
    return {
        "sku": item.sku, "wh": item.wh, "available": available, "safety": item.safety,
        "shortfall": shortfall, "suggested": lot_size(shortfall, item.lot_min, item.lot_mult),
        "incoming": sum(i["qty"] for i in incoming(session, item.sku, item.wh)),
        "subs": substitutes(session, item.sku), "ts": ts,
    }


def substitutes(session: Session, sku: str) -> list[dict[str, Any]]:
    """The substitutes of ``sku``, best first, with what is available of each in its home warehouse."""
    out = []
    for sub in session.scalars(select(Substitute).where(Substitute.sku == sku).order_by(Substitute.rank)):
        item = session.get(Sku, sub.sub)
        if item is not None:
            out.append({"sku": item.sku, "name": item.name, "wh": item.wh,
                        "available": free_qty(session, item.sku, item.wh)})
    return out


# ------------------------------------------------------------ availability
def incoming(session: Session, sku: str, wh: str | None = None) -> list[dict[str, Any]]:
    """Open ASN lines of ``sku``: what suppliers are expected to deliver, soonest first."""
    q = (select(Asn, AsnLine).join(AsnLine, AsnLine.asn == Asn.asn)
         .where(AsnLine.sku == sku, Asn.status == "OPEN", AsnLine.qty > AsnLine.received)
         .order_by(Asn.eta, Asn.asn))
    if wh is not None:
        q = q.where(Asn.wh == wh)
    return [{"asn": a.asn, "ln": ln.ln, "ref": a.ref, "supplier": a.supplier, "wh": a.wh,
             "qty": ln.qty - ln.received, "eta": a.eta} for a, ln in session.execute(q)]


def availability(session: Session, sku: str, wh: str | None) -> dict[str, Any]:
    on_hand, reserved = totals(session, sku, wh)
    return {"sku": sku, "wh": wh or "ALL", "on_hand": on_hand, "reserved": reserved,
            "available": on_hand - reserved, "incoming": incoming(session, sku, wh), "ts": now_ms()}


# ------------------------------------------------------------ queries and issues
def list_bins(session: Session, sku: str | None = None, wh: str | None = None, loc: str | None = None,
              lot: str | None = None, nonzero: bool = True) -> list[Bin]:
    q = select(Bin).order_by(Bin.wh, Bin.sku, Bin.loc, Bin.lot)
    for col, value in ((Bin.sku, sku), (Bin.wh, wh), (Bin.loc, loc), (Bin.lot, lot)):
        if value:
            q = q.where(col == value)
    if nonzero:
        q = q.where(Bin.on_hand > 0)
    return list(session.scalars(q))


def list_movements(session: Session, sku: str | None = None, wh: str | None = None, ref: str | None = None,
                   type: str | None = None, limit: int = 500) -> list[Movement]:
    """The ledger, oldest first; ``ref`` matches the WMS document or the other system's reference."""
    q = select(Movement).order_by(Movement.mv).limit(limit)
    for col, value in ((Movement.sku, sku), (Movement.wh, wh), (Movement.type, type)):
        if value:
            q = q.where(col == value)
    if ref:
        q = q.where((Movement.ref == ref) | (Movement.ext == ref))
    return list(session.scalars(q))


def ledger(session: Session, since_ms: int | None, after: int | None, limit: int) -> list[StockChange]:
    """Ledger entries booked after ``since_ms`` and numbered after ``after``, oldest first."""
    q = select(StockChange).order_by(StockChange.seq).limit(limit)
    if since_ms is not None:
        q = q.where(StockChange.booked > since_ms)
    if after is not None:
        q = q.where(StockChange.seq > after)
    return list(session.scalars(q))


def issue_stock(session: Session, sku: str, wh: str, qty: int, ref: str) -> dict[str, Any]:
    """Issue free stock (e.g. material to a production order); never more than is available."""
    sku_row(session, sku)
    warehouse(session, wh)
    book = StockBook(session, "issue", ref=None, ext=ref)
    taken = book.issue(sku, wh, qty)
    book.close()
    return {"sku": sku, "wh": wh, "qty": qty, "ref": ref,
            "taken": [{"loc": t.loc, "lot": t.lot, "qty": t.qty} for t in taken]}
