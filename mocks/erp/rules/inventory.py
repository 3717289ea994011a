"""Inventory value: book stock per material, valued at standard cost.

Every change is a :class:`StockMovement` of ``qty × std_cost``: goods receipts
and production receipts add, deliveries issue. Stock never goes negative —
an issue above the book stock is refused, so ERP cannot silently disagree
with the warehouse. A change of standard cost revalues the stock on hand.
Purchase price differences do not touch stock value: they are kept on the
goods receipt line as ``price_variance``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.erp.models import Material, ProductionReceipt, StockMovement, StockValue
from mocks.erp.rules.money import ZERO, cents
from mocks.erp.rules.numbers import doc_no
from mocks.erp.schemas import ProductionReceiptIn


def ensure_stock(session: Session, material: str) -> StockValue:
    stock = session.get(StockValue, material)
    if stock is None:
        stock = StockValue(material=material, qty=0, value=ZERO)
        session.add(stock)
        session.flush()
    return stock


def post_movement(session: Session, material: Material, qty: int, kind: str, ref_doc: str,
                  *, field_name: str | None = None) -> Decimal:
    """Move ``qty`` (signed) of ``material`` at standard cost; returns the signed value moved."""
    stock = ensure_stock(session, material.material)
    if stock.qty + qty < 0:
        raise BusinessError("insufficient_stock", f"material {material.material} has {stock.qty} in book "
                            f"stock; cannot issue {-qty}", field=field_name)
    value = -stock.value if stock.qty + qty == 0 else cents(material.std_cost * qty)
    stock.qty += qty
    stock.value += value
    session.add(StockMovement(material=material.material, kind=kind, qty=qty, value=value,
                              ref_doc=ref_doc, posted_at=datetime.now(UTC)))
    return value


def revalue(session: Session, material: Material) -> None:
    """Bring the stock value of ``material`` to ``qty × std_cost`` after a cost change."""
    stock = ensure_stock(session, material.material)
    delta = cents(material.std_cost * stock.qty) - stock.value
    if delta:
        stock.value += delta
        session.add(StockMovement(material=material.material, kind="revaluation", qty=0, value=delta,
                                  ref_doc=f"std_cost {material.std_cost}", posted_at=datetime.now(UTC)))


def post_production_receipt(session: Session, body: ProductionReceiptIn) -> tuple[ProductionReceipt, bool]:
    """Receive finished production into stock; one receipt per production order (True if new)."""
    existing = session.scalar(select(ProductionReceipt).where(ProductionReceipt.order_ref == body.order_ref))
    if existing is not None:
        if existing.material != body.material:
            raise BusinessError("order_ref_conflict", f"production order {body.order_ref} was already received "
                                f"for material {existing.material}", field="order_ref", status=409)
        return existing, False
    material = session.get(Material, body.material)
    if material is None:
        raise BusinessError("unknown_material", f"material {body.material!r} does not exist", field="material")
    if material.procurement != "in_house":
        raise BusinessError("not_produced_in_house", f"material {material.material} is procured externally; "
                            "only in-house materials are received from production", field="material")
    receipt = ProductionReceipt(order_ref=body.order_ref, material=material.material, qty_good=body.qty_good,
                                qty_scrap=body.qty_scrap, value=ZERO, so_ref=body.so_ref,
                                posting_date=body.posting_date or date.today())
    session.add(receipt)
    session.flush()
    receipt.receipt_no = doc_no("PD", receipt.posting_date, receipt.id)
    if body.qty_good:
        receipt.value = post_movement(session, material, body.qty_good, "production_receipt", body.order_ref)
    session.flush()
    return receipt, True


def list_production_receipts(session: Session) -> list[ProductionReceipt]:
    return list(session.scalars(select(ProductionReceipt).order_by(ProductionReceipt.id)))


def inventory_value(session: Session, material: str | None = None) -> dict[str, Any]:
    """Stock quantity and value per material, and the total."""
    q = select(Material, StockValue).join(StockValue, StockValue.material == Material.material)
    if material:
        q = q.where(Material.material == material)
    items = [{"material": m.material, "description": m.description, "warehouse": m.warehouse,
              "qty": st.qty, "std_cost": m.std_cost, "value": st.value}
             for m, st in session.execute(q.order_by(Material.material))]
    return {"as_of": date.today(), "items": items, "total_value": sum((i["value"] for i in items), ZERO)}
