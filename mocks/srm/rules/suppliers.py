"""Suppliers (qualification, rating, lead time), their price lists, and the material archive.

Rules:
- a supplier's tax id is a valid unified social credit code, and unique;
- new suppliers start ``PENDING`` unless qualified on creation;
- rating is 0–5; every create or change emits ``supplier.changed``;
- a price entry names a known material, is priced in the supplier's currency,
  and ends (``validTo``) no earlier than it starts (``validFrom``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.srm import events, schemas, vocab
from mocks.srm.models import Material, PriceEntry, Supplier
from mocks.srm.rules.common import get_supplier, material_ref

SUPPLIER_ID_PREFIX = "SUP-"


def list_suppliers(session: Session, status: str | None = None) -> list[Supplier]:
    q = select(Supplier).order_by(Supplier.id)
    if status:
        q = q.where(Supplier.status == status.upper())
    return list(session.scalars(q))


def next_supplier_id(session: Session) -> str:
    ids = session.scalars(select(Supplier.id).where(Supplier.id.like(f"{SUPPLIER_ID_PREFIX}%"))).all()
    numbers = [int(i.removeprefix(SUPPLIER_ID_PREFIX)) for i in ids if i.removeprefix(SUPPLIER_ID_PREFIX).isdigit()]
    return f"{SUPPLIER_ID_PREFIX}{max(numbers, default=0) + 1:04d}"


def create_supplier(session: Session, body: schemas.SupplierIn) -> Supplier:
    tax_id = body.tax_id.strip().upper()
    if not vocab.uscc_is_valid(tax_id):
        raise BusinessError("invalid_tax_id",
                            f"{tax_id!r} is not a unified social credit code (18 characters, valid check digit)",
                            field="taxId")
    existing = session.scalar(select(Supplier).where(Supplier.tax_id == tax_id))
    if existing is not None:
        raise BusinessError("duplicate_tax_id", f"tax id {tax_id} already belongs to supplier {existing.id}",
                            field="taxId", status=409)
    now = vocab.utcnow()
    supplier = Supplier(id=next_supplier_id(session), name=body.name, name_en=body.name_en, tax_id=tax_id,
                        status=body.status, rating=round(body.rating, 1), currency=body.currency,
                        default_lead_time_days=body.default_lead_time_days, contact_name=body.contact_name,
                        contact_phone=body.contact_phone, created_at=now, updated_at=now)
    session.add(supplier)
    session.flush()
    events.supplier_changed(session, supplier, ["created"])
    return supplier


def update_supplier(session: Session, supplier_id: str, body: schemas.SupplierPatch) -> Supplier:
    """Apply the given fields; emits ``supplier.changed`` naming what changed (nothing changed → no event)."""
    supplier = get_supplier(session, supplier_id)
    changes = body.model_dump(exclude_unset=True)
    changed: list[str] = []
    for attr, value in changes.items():
        if value is None and attr in ("name", "status", "rating", "default_lead_time_days"):
            raise BusinessError("required", f"{schemas.SupplierPatch.model_fields[attr].alias} cannot be null",
                                field=schemas.SupplierPatch.model_fields[attr].alias)
        if attr == "rating":
            value = round(value, 1)
        if getattr(supplier, attr) != value:
            setattr(supplier, attr, value)
            changed.append(schemas.SupplierPatch.model_fields[attr].alias or attr)
    if changed:
        supplier.updated_at = vocab.utcnow()
        events.supplier_changed(session, supplier, changed)
    return supplier


def change_rating(session: Session, supplier: Supplier, delta: float) -> None:
    """Move the rating by ``delta``, kept within 0–5; emits ``supplier.changed`` when it moved."""
    new = min(5.0, max(0.0, round(supplier.rating + delta, 1)))
    if new != supplier.rating:
        supplier.rating = new
        supplier.updated_at = vocab.utcnow()
        events.supplier_changed(session, supplier, ["rating"])


# --------------------------------------------------------------- price lists
def list_prices(session: Session, supplier_id: str, material: str | None = None) -> list[PriceEntry]:
    supplier = get_supplier(session, supplier_id)
    return [p for p in supplier.prices if material is None or p.material_code == material]


def add_price(session: Session, supplier_id: str, body: schemas.PriceIn) -> PriceEntry:
    supplier = get_supplier(session, supplier_id)
    material_ref(session, body.material_code, "materialCode")
    if body.currency != supplier.currency:
        raise BusinessError("currency_mismatch",
                            f"supplier {supplier.id} is priced in {supplier.currency}, not {body.currency}",
                            field="currency")
    if body.valid_to is not None and body.valid_to < body.valid_from:
        raise BusinessError("invalid_validity", "validTo must not be before validFrom", field="validTo")
    entry = PriceEntry(supplier_id=supplier.id, material_code=body.material_code, price=round(body.price, 4),
                       currency=body.currency, valid_from=body.valid_from, valid_to=body.valid_to,
                       min_qty=body.min_qty, lead_time_days=body.lead_time_days)
    session.add(entry)
    session.flush()
    return entry


def valid_price(supplier: Supplier, material_code: str, qty: float, on: date) -> PriceEntry | None:
    """The supplier's best (lowest) price for ``qty`` of the material, valid on ``on``; None if it has none."""
    valid = [p for p in supplier.prices
             if p.material_code == material_code and p.valid_from <= on
             and (p.valid_to is None or on <= p.valid_to) and p.min_qty <= qty]
    return min(valid, key=lambda p: (p.price, p.id), default=None)


def lead_time_days(supplier: Supplier, entry: PriceEntry | None) -> int:
    """The material's lead time at this supplier: the price entry's, else the supplier's default."""
    if entry is not None and entry.lead_time_days is not None:
        return entry.lead_time_days
    return supplier.default_lead_time_days


# ----------------------------------------------------------------- materials
def list_materials(session: Session) -> list[Material]:
    return list(session.scalars(select(Material).order_by(Material.code)))


def upsert_material(session: Session, code: str, body: schemas.MaterialIn) -> tuple[Material, bool]:
    """Create or update a material under its code (from ``item.upserted``); returns (material, created)."""
    material = session.get(Material, code)
    created = material is None
    if material is None:
        material = Material(code=code, name=body.name, uom=body.uom)
        session.add(material)
    else:
        material.name, material.uom = body.name, body.uom
    session.flush()
    return material, created
