"""Master data the warehouse needs: skus (with substitutes), customers, suppliers.

Upserts keyed by the WMS's own code, so the hub can replay
``item.upserted`` / ``party.*.upserted`` safely. A changed safety stock is
re-checked at once (it may open an alert).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.wms.models import Customer, Location, Sku, Substitute, Supplier, Warehouse
from mocks.wms.rules.stock import check_safety
from mocks.wms.rules.util import get_or_404, known, now_ms, warehouse
from mocks.wms.schemas import CustomerIn, SkuIn, SupplierIn

HOME_WH = {"FG": "WH02", "RM": "WH01"}


def sku_view(session: Session, item: Sku) -> dict[str, Any]:
    subs = session.scalars(select(Substitute.sub).where(Substitute.sku == item.sku)
                           .order_by(Substitute.rank)).all()
    return {c: getattr(item, c) for c in ("sku", "name", "uom", "cls", "wh", "supply", "safety",
                                          "lot_min", "lot_mult", "erp_ref", "active")} | {"subs": list(subs)}


def list_skus(session: Session, cls: str | None = None) -> list[dict[str, Any]]:
    q = select(Sku).order_by(Sku.sku)
    if cls:
        q = q.where(Sku.cls == cls)
    return [sku_view(session, s) for s in session.scalars(q)]


def get_sku(session: Session, sku: str) -> dict[str, Any]:
    return sku_view(session, get_or_404(session, Sku, sku, what="sku", field="sku"))


def upsert_sku(session: Session, sku: str, body: SkuIn) -> tuple[dict[str, Any], bool]:
    """Create or replace ``sku``; returns (view, created)."""
    wh = body.wh or HOME_WH[body.cls]
    warehouse(session, wh)
    for i, sub in enumerate(body.subs or []):
        if sub == sku:
            raise BusinessError("substitute_is_itself", f"{sku} cannot substitute itself", field=f"subs.{i}")
        known(session, Sku, sub, field=f"subs.{i}", what="sku")
    item = session.get(Sku, sku)
    created = item is None
    if item is None:
        item = Sku(sku=sku)
        session.add(item)
    for key in ("name", "uom", "cls", "supply", "safety", "lot_min", "lot_mult", "erp_ref", "active"):
        setattr(item, key, getattr(body, key))
    item.wh = wh
    if body.subs is not None:
        session.execute(delete(Substitute).where(Substitute.sku == sku))
        session.add_all(Substitute(sku=sku, sub=s, rank=i + 1) for i, s in enumerate(body.subs))
    session.flush()
    check_safety(session, sku, wh, now_ms())
    return sku_view(session, item), created


def upsert_customer(session: Session, cust: str, body: CustomerIn) -> tuple[Customer, bool]:
    row = session.get(Customer, cust)
    created = row is None
    if row is None:
        row = Customer(cust=cust)
        session.add(row)
    row.name, row.tax_id, row.addr, row.ext_ref = body.name, body.tax_id, body.addr, body.ext_ref
    return row, created


def upsert_supplier(session: Session, code: str, body: SupplierIn) -> tuple[Supplier, bool]:
    row = session.get(Supplier, code)
    created = row is None
    if row is None:
        row = Supplier(supplier=code)
        session.add(row)
    row.name, row.tax_id, row.status, row.ext_ref = body.name, body.tax_id, body.status, body.ext_ref
    return row, created


def list_warehouses(session: Session) -> list[dict[str, Any]]:
    out = []
    for wh in session.scalars(select(Warehouse).order_by(Warehouse.wh)):
        locs = session.scalars(select(Location).where(Location.wh == wh.wh).order_by(Location.loc))
        out.append({"wh": wh.wh, "name": wh.name, "erp_ref": wh.erp_ref,
                    "locs": [{"loc": loc.loc, "kind": loc.kind} for loc in locs]})
    return out
