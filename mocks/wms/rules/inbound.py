"""Goods coming in: ASNs from purchase orders, receipts, put-away, production receipts.

A receipt is scanned against its ASN and closes it; every ASN line whose
scanned quantity differs from the expected one is flagged (``"short 10"``,
``"over 5"``) and the receipt's status is ``DISCREPANCY`` — the stock that
arrived is taken in, the difference is reported, nothing is silently
accepted. Stock lands at the receiving location; put-away moves free stock
from there to storage. A production receipt puts finished goods straight
into storage and then serves backordered outbound orders.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
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
    ProductionReceipt,
    Receipt,
    ReceiptLine,
    Sku,
)
from mocks.wms.rules.outbound import fill_backorders
from mocks.wms.rules.stock import StockBook
from mocks.wms.rules.util import get_or_404, location, next_no, now_ms, sku_row, supplier, warehouse
from mocks.wms.schemas import AsnIn, AsnPatch, ProductionReceiptIn, PutawayIn, ReceiptIn


# -------------------------------------------------------------------------- ASN
def find_asn(session: Session, key: str) -> Asn:
    """An ASN by its number or by its purchase order number (404 if neither)."""
    row = session.scalar(select(Asn).where(or_(Asn.asn == key, Asn.ref == key)))
    if row is None:
        return get_or_404(session, Asn, key, what="asn", field="asn")
    return row


def upsert_asn(session: Session, body: AsnIn) -> tuple[Asn, bool]:
    """Create the ASN of a purchase order, or update it while still open; returns (asn, created).

    The hub may deliver ``purchase_order.issued`` twice: the second time the
    same ASN is returned (updated if the PO changed, untouched once received).
    """
    supplier(session, body.supplier)
    seen: set[int] = set()
    for i, line in enumerate(body.lines):
        sku_row(session, line.sku, field=f"lines.{i}.sku")
        if line.ln in seen:
            raise BusinessError("duplicate_line", f"line {line.ln} appears twice", field=f"lines.{i}.ln")
        seen.add(line.ln)
    wh = body.wh or session.get(Sku, body.lines[0].sku).wh  # type: ignore[union-attr]
    warehouse(session, wh)
    row = session.scalar(select(Asn).where(Asn.ref == body.ref))
    if row is not None:
        if row.status == "OPEN":
            row.supplier, row.wh, row.eta = body.supplier, wh, body.eta
            by_ln = {ln.ln: ln for ln in row.lines}
            for line in body.lines:
                if line.ln in by_ln:
                    by_ln[line.ln].sku, by_ln[line.ln].qty = line.sku, line.qty
                else:
                    row.lines.append(AsnLine(ln=line.ln, sku=line.sku, qty=line.qty, received=0))
        return row, False
    row = Asn(asn=next_no(session, "ASN"), ref=body.ref, supplier=body.supplier, wh=wh, eta=body.eta,
              status="OPEN", ts=now_ms(),
              lines=[AsnLine(ln=ln.ln, sku=ln.sku, qty=ln.qty, received=0) for ln in body.lines])
    session.add(row)
    return row, True


def patch_asn(session: Session, key: str, body: AsnPatch) -> Asn:
    """A supplier's confirmation or delay: new eta, confirmed quantities (0 = line rejected)."""
    row = find_asn(session, key)
    if row.status == "RECEIVED":
        return row  # the goods are in: a confirmation or delay that arrives late changes nothing
    if row.status != "OPEN":
        raise BusinessError("asn_closed", f"{row.asn} is {row.status}; it can no longer change",
                            field="asn", status=409)
    by_ln = {ln.ln: ln for ln in row.lines}
    for i, line in enumerate(body.lines):
        if line.ln not in by_ln:
            raise BusinessError("unknown_line", f"{row.asn} has no line {line.ln}", field=f"lines.{i}.ln")
        by_ln[line.ln].qty = line.qty
    if body.eta is not None:
        row.eta = body.eta
    return row


def cancel_asn(session: Session, key: str) -> Asn:
    row = find_asn(session, key)
    if row.status == "RECEIVED":
        raise BusinessError("asn_closed", f"{row.asn} is already received", field="asn", status=409)
    row.status = "CANCELLED"
    return row


# ---------------------------------------------------------------------- receipts
def discrepancy(expected: int, scanned: int) -> str | None:
    """``"short 10"`` / ``"over 5"`` / ``None`` when the scan matches."""
    if scanned < expected:
        return f"short {expected - scanned}"
    if scanned > expected:
        return f"over {scanned - expected}"
    return None


def receiving_location(session: Session, wh: str) -> str:
    """Where inbound lands: the receiving location, else the dock (WH02 has no RCV location)."""
    for kind in (RECEIVING, DOCK, STORAGE):
        loc = session.scalar(select(Location.loc).where(Location.wh == wh, Location.kind == kind)
                             .order_by(Location.loc))
        if loc:
            return loc
    raise BusinessError("no_location", f"warehouse {wh} has no locations", field="wh")


def receive(session: Session, body: ReceiptIn) -> Receipt:
    """Scan goods in against an ASN; flags every line that differs; emits ``receipt/completed``.

    A ``partial`` receipt leaves the ASN open for the rest of the delivery: each line expects what is
    still to come, and only a line over it is flagged.
    """
    if not body.asn and not body.ref:
        raise BusinessError("asn_required", "give the ASN number (asn) or the PO number (ref)", field="asn")
    key = body.asn or body.ref or ""
    asn = session.scalar(select(Asn).where(Asn.asn == key) if body.asn else select(Asn).where(Asn.ref == key))
    if asn is None:
        field = "asn" if body.asn else "ref"
        raise BusinessError("unknown_asn", f"no expected receipt {key!r}", field=field)
    if asn.status != "OPEN":
        raise BusinessError("asn_closed", f"{asn.asn} is {asn.status}; receive against an open ASN",
                            field="asn", status=409)
    loc = location(session, body.loc, wh=asn.wh).loc if body.loc else receiving_location(session, asn.wh)
    scans = _match_lines(asn, body)
    rcv_no = next_no(session, "RCV")
    book = StockBook(session, "receipt", ref=rcv_no, ext=asn.ref)
    lines: list[ReceiptLine] = []
    for asn_line in asn.lines:
        scan = scans.get(asn_line.ln)
        qty = scan.qty if scan else 0
        lot = (scan.lot or rcv_no) if scan else None
        if qty > 0:
            book.receive(asn_line.sku, asn.wh, loc, lot or rcv_no, qty)
        expected = max(asn_line.qty - asn_line.received, 0)  # what is still to come on this line
        asn_line.received += qty
        found = discrepancy(expected, qty)
        lines.append(ReceiptLine(ln=asn_line.ln, sku=asn_line.sku, exp=expected, qty=qty, lot=lot,
                                 loc=loc if qty > 0 else None,
                                 discrepancy=None if body.partial and qty <= expected else found))
    status = "DISCREPANCY" if any(ln.discrepancy for ln in lines) else "OK"
    rcv = Receipt(rcv=rcv_no, asn=asn.asn, ref=asn.ref, supplier=asn.supplier, wh=asn.wh, status=status,
                  ts=book.ts, lines=lines)
    session.add(rcv)
    rest = any(ln.received < ln.qty for ln in asn.lines)
    asn.status = "OPEN" if body.partial and rest else "RECEIVED"
    session.flush()
    book.close()
    events.receipt_completed(session, rcv)
    fill_backorders(session, {ln.sku for ln in lines if ln.qty > 0}, asn.wh)
    return rcv


def _match_lines(asn: Asn, body: ReceiptIn) -> dict[int, Any]:
    """Scanned lines by ASN line number; a sku not on the ASN is refused, naming the line."""
    by_ln = {ln.ln: ln for ln in asn.lines}
    scans: dict[int, Any] = {}
    for i, scan in enumerate(body.lines):
        if scan.ln is not None:
            target = by_ln.get(scan.ln)
            if target is None or target.sku != scan.sku:
                raise BusinessError("not_on_asn", f"{asn.asn} has no line {scan.ln} for {scan.sku}",
                                    field=f"lines.{i}.ln")
        else:
            target = next((ln for ln in asn.lines if ln.sku == scan.sku and ln.ln not in scans), None)
            if target is None:
                raise BusinessError("not_on_asn", f"{scan.sku} is not expected on {asn.asn}",
                                    field=f"lines.{i}.sku")
        if target.ln in scans:
            raise BusinessError("duplicate_line", f"ASN line {target.ln} scanned twice", field=f"lines.{i}")
        scans[target.ln] = scan
    return scans


# ---------------------------------------------------------------------- put-away
def suggest_location(session: Session, sku: str, wh: str) -> str:
    """A storage location for ``sku``: where most of it already lies, else the first free-named one."""
    loc = session.scalar(
        select(Bin.loc).join(Location, Location.loc == Bin.loc)
        .where(Bin.sku == sku, Bin.wh == wh, Location.kind == STORAGE, Bin.on_hand > 0)
        .order_by(Bin.on_hand.desc(), Bin.loc))
    if loc is None:
        loc = session.scalar(select(Location.loc).where(Location.wh == wh, Location.kind == STORAGE)
                             .order_by(Location.loc))
    if loc is None:
        raise BusinessError("no_storage", f"warehouse {wh} has no storage location", field="to")
    return loc


def putaway_tasks(session: Session) -> list[dict[str, Any]]:
    """Free stock waiting outside storage (at receiving or the dock), with a suggested location."""
    rows = session.scalars(
        select(Bin).join(Location, Location.loc == Bin.loc)
        .where(Location.kind != STORAGE, Bin.on_hand > Bin.reserved)
        .order_by(Bin.wh, Bin.loc, Bin.sku, Bin.lot))
    return [{"sku": b.sku, "wh": b.wh, "loc": b.loc, "lot": b.lot, "qty": b.available,
             "to": suggest_location(session, b.sku, b.wh)} for b in rows]


def putaway(session: Session, body: PutawayIn) -> dict[str, Any]:
    """Move free stock of ``sku`` from ``loc`` to a storage location (oldest lot first)."""
    sku_row(session, body.sku)
    src = location(session, body.loc)
    to = body.to or suggest_location(session, body.sku, src.wh)
    dst = location(session, to, field="to", wh=src.wh)
    if dst.kind != STORAGE:
        raise BusinessError("not_storage", f"{to} is a {dst.kind} location, not storage", field="to")
    if dst.loc == src.loc:
        raise BusinessError("same_location", "put-away must move the stock elsewhere", field="to")
    q = select(Bin).where(Bin.sku == body.sku, Bin.loc == src.loc, Bin.on_hand > Bin.reserved)
    if body.lot:
        q = q.where(Bin.lot == body.lot)
    bins = list(session.scalars(q.order_by(Bin.lot, Bin.id)))
    free = sum(b.available for b in bins)
    want = body.qty if body.qty is not None else free
    if want == 0 or want > free:
        raise BusinessError("insufficient_stock",
                            f"cannot put away {want} of {body.sku} from {src.loc}: only {free} available",
                            field="qty", status=409)
    book = StockBook(session, "putaway", ref=None)
    left = want
    for b in bins:
        n = min(left, b.available)
        if n <= 0:
            break
        book.transfer(body.sku, src.wh, b.lot, src.loc, dst.loc, n)
        left -= n
    book.close()
    return {"sku": body.sku, "wh": src.wh, "loc": src.loc, "to": dst.loc, "qty": want, "mvs": book.mvs}


# ----------------------------------------------------------- production receipts
def production_receipt(session: Session, body: ProductionReceiptIn) -> tuple[ProductionReceipt, bool]:
    """Take in what a production order made; a repeat of the same order changes nothing."""
    existing = session.scalar(select(ProductionReceipt).where(ProductionReceipt.ref == body.ref))
    if existing is not None:
        return existing, False
    item = sku_row(session, body.sku)
    wh = warehouse(session, body.wh or item.wh).wh
    loc = location(session, body.loc, wh=wh).loc if body.loc else suggest_location(session, item.sku, wh)
    prc_no = next_no(session, "PRC")
    lot = body.lot or body.ref
    book = StockBook(session, "production", ref=prc_no, ext=body.ref)
    book.receive(item.sku, wh, loc, lot, body.qty, type="PRODUCTION")
    row = ProductionReceipt(prc=prc_no, ref=body.ref, sku=item.sku, qty=body.qty, lot=lot, wh=wh, loc=loc,
                            ts=book.ts)
    session.add(row)
    book.close()
    fill_backorders(session, {item.sku}, wh)
    return row, True
