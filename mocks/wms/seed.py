"""Load the company of :mod:`mocks.common.company` in the WMS's own ids.

Warehouses ``WH01`` (raw materials) and ``WH02`` (finished goods) with their
locations, every sku (``ids["wms"]``) with its safety stock and lot rules,
the opening stock in the item's warehouse (RM → WH01, FG → WH02) as
``OPENING`` movements, customers (``C101``…), suppliers (keyed by SRM's
code, since receipts are made against SRM's purchase orders) and the ASN of
the open purchase order. No events are sent for the seed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.wms.models import (
    DOCK,
    RECEIVING,
    STORAGE,
    Asn,
    AsnLine,
    Customer,
    Location,
    Sku,
    Supplier,
    Warehouse,
)
from mocks.wms.rules.stock import StockBook
from mocks.wms.rules.util import next_no, now_ms

OPENING_LOT = "LOT-OPENING"
DAY_MS = 86_400_000


def location_kind(loc: str) -> str:
    """The company names its locations ``…-RCV`` (receiving) and ``…-SHIP`` (dock)."""
    if loc.endswith("-RCV"):
        return RECEIVING
    if loc.endswith("-SHIP"):
        return DOCK
    return STORAGE


def seed(session: Session) -> None:
    wh_of: dict[str, str] = {}
    storage: dict[str, list[str]] = {}
    for w in company.WAREHOUSES:
        wh = w["ids"]["wms"]
        wh_of[w["key"]] = wh
        session.add(Warehouse(wh=wh, name=w["name"], erp_ref=w["ids"]["erp"]))
        session.flush()
        for loc in w["locations"]:
            session.add(Location(loc=loc, wh=wh, kind=location_kind(loc)))
        storage[wh] = [loc for loc in w["locations"] if location_kind(loc) == STORAGE]
    session.flush()

    book = StockBook(session, "opening", ref="OPENING")
    for i, item in enumerate(company.ITEMS):
        wh = wh_of[item["warehouse"]]
        sku = item["ids"]["wms"]
        session.add(Sku(sku=sku, name=company.seen_by(item, "wms")["name"], uom=item["uom"], cls="FG" if item["warehouse"] == "FG" else "RM",
                        wh=wh, supply=item["supply"].upper(), safety=item["safety_stock"], lot_min=item["lot_min"],
                        lot_mult=item["lot_multiple"], erp_ref=item["ids"]["erp"], active=True))
        session.flush()
        if item["on_hand"]:
            locs = storage[wh]
            book.receive(sku, wh, locs[i % len(locs)], OPENING_LOT, item["on_hand"], type="OPENING")

    for c in (company.seen_by(c, "wms") for c in company.CUSTOMERS):
        session.add(Customer(cust=c["ids"]["wms"], name=c["name"], tax_id=c["tax_id"], addr=c["address"],
                             ext_ref=str(c["ids"]["erp"])))
    for s in (company.seen_by(s, "wms") for s in company.SUPPLIERS):
        session.add(Supplier(supplier=s["ids"]["srm"], name=s["name"], tax_id=s["tax_id"],
                             status="ACTIVE" if s["status"] == "approved" else "BLOCKED",
                             ext_ref=str(s["ids"]["erp"])))
    session.flush()

    now = now_ms()
    for po in company.OPEN_PURCHASE_ORDERS:
        item = company.by_key(company.ITEMS, po["item"])
        session.add(Asn(asn=next_no(session, "ASN"), ref=po["po_no"],
                        supplier=company.system_id(company.SUPPLIERS, po["supplier"], "srm"),
                        wh=wh_of[item["warehouse"]], eta=now + po["due_in_days"] * DAY_MS, status="OPEN", ts=now,
                        lines=[AsnLine(ln=1, sku=item["ids"]["wms"], qty=po["qty"], received=0)]))
