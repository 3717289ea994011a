"""MRP's seed: the company's items, BOMs, stock and open purchase order, with MRP's own codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from mocks.common.company import BOMS, ITEMS, OPEN_PURCHASE_ORDERS, SUPPLIERS, system_id
from mocks.mrp.dates import fmt_date, stamp, today
from mocks.mrp.models import Bom, BomLine, Item, Stock, Supply
from mocks.mrp.rules.master import refresh_low_level_codes

BOM_EFFECTIVE_FROM = "20260101"


def seed(session: Session) -> None:
    now = stamp()
    code = {i["key"]: i["ids"]["mrp"] for i in ITEMS}
    for i in ITEMS:
        session.add(Item(code=code[i["key"]], name=i["name"], uom=i["uom"], supply=i["supply"],
                         lead_time_days=i["lead_time_days"], safety_stock=i["safety_stock"],
                         lot_min=i["lot_min"], lot_multiple=i["lot_multiple"], std_cost=i["std_cost"],
                         item_class=i["warehouse"], low_level_code=0, updated=now))
        session.add(Stock(item=code[i["key"]], on_hand=i["on_hand"], warehouse=None, ref_doc="seed", updated=now))
    session.flush()
    for b in BOMS:
        session.add(Bom(parent_item=code[b["parent"]], version=b["version"], base_qty=b["base_qty"],
                        effective_from=BOM_EFFECTIVE_FROM, updated=now,
                        lines=[BomLine(line_no=(n + 1) * 10, component=code[ln["component"]], qty=ln["qty"])
                               for n, ln in enumerate(b["lines"])]))
    for po in OPEN_PURCHASE_ORDERS:
        due = fmt_date(today() + timedelta(days=po["due_in_days"]))
        session.add(Supply(ref=po["po_no"], line_no=1, kind="purchase", item=code[po["item"]], qty=po["qty"],
                           received_qty=0, due_date=due, original_due_date=due, status="open",
                           supplier=system_id(SUPPLIERS, po["supplier"], "srm"), updated=now))
    session.flush()
    refresh_low_level_codes(session)
