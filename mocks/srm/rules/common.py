"""Small helpers the rule modules share: today's date, lookups that fail with a named field."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.srm.models import Material, PurchaseOrder, Supplier


def today() -> date:
    """The business date (the server's local date)."""
    return date.today()


def material_ref(session: Session, code: str, field: str) -> Material:
    """A material named in a request body: unknown → 422 naming ``field``."""
    material = session.get(Material, code)
    if material is None:
        raise BusinessError("unknown_material", f"material {code!r} is not known to SRM", field=field)
    return material


def supplier_ref(session: Session, supplier_id: str, field: str) -> Supplier:
    """A supplier named in a request body: unknown → 422 naming ``field``."""
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise BusinessError("unknown_supplier", f"supplier {supplier_id!r} does not exist", field=field)
    return supplier


def get_supplier(session: Session, supplier_id: str) -> Supplier:
    """A supplier named in the path: unknown → 404."""
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("supplier", supplier_id, field="supplierId")
    return supplier


def get_po(session: Session, po_no: str) -> PurchaseOrder:
    """A purchase order named in the path: unknown → 404."""
    po = session.get(PurchaseOrder, po_no)
    if po is None:
        raise NotFound("purchase order", po_no, field="poNo")
    return po
