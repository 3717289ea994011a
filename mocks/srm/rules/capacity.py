"""What a supplier can deliver (the ``supplier.capacity`` query): per material, its lead time,
the quantity still open on its POs, and the part of it already confirmed and on its way.

- ``openPoQty``: ordered (or confirmed) and not yet received, on POs that are
  ISSUED, CONFIRMED, CHANGED or PARTIALLY_RECEIVED;
- ``inTransitQty``: the same, counted only where the supplier has confirmed
  (CONFIRMED, CHANGED, PARTIALLY_RECEIVED);
- ``leadTimeDays``: the price list's lead time for the material, else the supplier's default.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.srm import schemas, vocab
from mocks.srm.models import Material, PoLine, PurchaseOrder
from mocks.srm.rules.common import get_supplier, today
from mocks.srm.rules.suppliers import lead_time_days


def capacity(session: Session, supplier_id: str, material: str | None = None) -> schemas.CapacityOut:
    supplier = get_supplier(session, supplier_id)
    if material is not None and session.get(Material, material) is None:
        raise BusinessError("unknown_material", f"material {material!r} is not known to SRM", field="material")
    open_lines = list(session.scalars(
        select(PoLine).join(PurchaseOrder)
        .where(PurchaseOrder.supplier_id == supplier.id, PurchaseOrder.status.in_(vocab.OPEN_PO_STATUSES))
        .order_by(PoLine.po_no, PoLine.line_no)))
    codes = ([material] if material is not None
             else sorted({p.material_code for p in supplier.prices} | {ln.material_code for ln in open_lines}))
    on = today()
    materials = []
    for code in codes:
        lines = [ln for ln in open_lines
                 if ln.material_code == code and ln.line_status != vocab.LINE_REJECTED and ln.open_qty > 0]
        entries = [p for p in supplier.prices if p.material_code == code
                   and p.valid_from <= on and (p.valid_to is None or on <= p.valid_to)]
        entry = min(entries, key=lambda p: (p.price, p.id), default=None)
        lead = lead_time_days(supplier, entry)
        in_transit = [ln for ln in lines if ln.po.status in vocab.IN_TRANSIT_PO_STATUSES]
        materials.append(schemas.MaterialCapacityOut(
            material_code=code,
            material_name=session.get(Material, code).name,  # type: ignore[union-attr]
            lead_time_days=lead,
            earliest_delivery_date=on + timedelta(days=lead),
            open_po_qty=round(sum(ln.open_qty for ln in lines), 4),
            in_transit_qty=round(sum(ln.open_qty for ln in in_transit), 4),
            next_delivery_date=min((ln.expected_date for ln in lines), default=None),
            open_orders=[schemas.OpenOrderOut(
                po_no=ln.po_no, line_no=ln.line_no, status=ln.po.status, open_qty=ln.open_qty,
                confirmed=ln.po.status in vocab.IN_TRANSIT_PO_STATUSES, expected_date=ln.expected_date)
                for ln in lines],
        ))
    return schemas.CapacityOut(supplier_id=supplier.id, supplier_name=supplier.name, status=supplier.status,
                               as_of=on, materials=materials)
