"""SRM's start state, from the shared company dataset (:mod:`mocks.common.company`).

Materials are the bought items that have an SRM code; suppliers keep their SRM ids
(``SUP-0001``…, 东莞快达 ``BLOCKED``; ``SUP-0006`` 杭州西湖文创, typed as SRM types it, is also one of
our customers); each supplier's price list is valid from
1 January of this year to the end of next year; the open PO ``PO-2026-0001`` (100 steel
legs from 昆山精工) is already CONFIRMED for delivery in 14 days. Dates are relative to
today so a fresh start always has valid prices and a future delivery.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.srm import vocab
from mocks.srm.models import Material, PoLine, PriceEntry, PurchaseOrder, Supplier


def seed(session: Session) -> None:
    today = date.today()
    item_codes = {item["key"]: item["ids"]["srm"] for item in company.ITEMS}
    for item in company.ITEMS:
        if item["ids"]["srm"]:
            session.add(Material(code=item["ids"]["srm"], name=company.seen_by(item, "srm")["name"], uom=item["uom"]))
    session.flush()
    suppliers: dict[str, Supplier] = {}
    now = vocab.utcnow()
    for rec in (company.seen_by(r, "srm") for r in company.SUPPLIERS):
        supplier = Supplier(id=rec["ids"]["srm"], name=rec["name"], name_en=rec["name_en"], tax_id=rec["tax_id"],
                            status=rec["status"].upper(), rating=rec["rating"], currency=company.COMPANY["currency"],
                            default_lead_time_days=rec["default_lead_time_days"], contact_name=rec["contact"],
                            contact_phone=rec["phone"], created_at=now, updated_at=now)
        supplier.prices = [
            PriceEntry(material_code=item_codes[key], price=price, currency=company.COMPANY["currency"],
                       valid_from=date(today.year, 1, 1), valid_to=date(today.year + 1, 12, 31), min_qty=0)
            for key, price in rec["prices"].items()]
        session.add(supplier)
        suppliers[rec["key"]] = supplier
    session.flush()
    for rec in company.OPEN_PURCHASE_ORDERS:
        due = today + timedelta(days=rec["due_in_days"])
        po = PurchaseOrder(po_no=rec["po_no"], supplier=suppliers[rec["supplier"]], status=vocab.CONFIRMED,
                           currency=company.COMPANY["currency"], order_date=today, requisition_refs=[],
                           created_at=now, confirmed_at=now)
        po.lines = [PoLine(line_no=1, material_code=item_codes[rec["item"]], qty=rec["qty"],
                           unit_price=rec["unit_price"], promised_date=due, line_status=vocab.LINE_ACCEPTED,
                           confirmed_qty=rec["qty"], confirmed_date=due)]
        session.add(po)
