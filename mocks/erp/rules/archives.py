"""Archives: customers, vendors, employees and materials, and other systems' references to them.

Customers and vendors are *parties*: identified by their unified social
credit code (``tax_no``, check digit verified), so the same company sent
twice — by CRM under a new name, or later by SRM — lands on the one record.
``upsert_*_by_ref`` is how the hub replicates: the sender's id is kept as an
:class:`ExternalRef`, a known reference updates, an unknown one with a known
``tax_no`` links, anything else creates. An upsert that changes nothing
emits nothing, so replication cannot ping-pong between systems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.common.company import DEPARTMENTS
from mocks.erp import events
from mocks.erp.models import Customer, Employee, ExternalRef, Material, Vendor
from mocks.erp.rules import inventory
from mocks.erp.rules.numbers import next_id
from mocks.erp.schemas import (
    CustomerIn,
    CustomerPatch,
    EmployeeIn,
    EmployeePatch,
    MaterialIn,
    MaterialPatch,
    VendorIn,
    VendorPatch,
)

DEFAULT_CREDIT_LIMIT = Decimal("50000.00")
"""Credit limit of a customer created without one (finance raises it later)."""
FIRST_CUSTOMER_ID = 100001
FIRST_VENDOR_ID = 200001
FIRST_EMPLOYEE_ID = 90001
DEPARTMENT_CODES = frozenset(d["key"] for d in DEPARTMENTS)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_tax_no(tax_no: str, field_name: str = "tax_no") -> str:
    """``tax_no`` upper-cased if it is a valid unified social credit code (GB 32100-2015)."""
    code = tax_no.strip().upper()
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        raise BusinessError("invalid_tax_no", f"tax_no {tax_no!r} is not a unified social credit code "
                            "(18 characters of 0-9 and A-Y without I, O, S, V, Z)", field=field_name)
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    expected = USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        raise BusinessError("invalid_tax_no", f"tax_no {tax_no!r} fails the check digit "
                            f"(expected {expected!r} at position 18)", field=field_name)
    return code


# ------------------------------------------------------------- external refs
def find_ref(session: Session, entity: str, system: str, ref: str) -> str | None:
    """Our key of the record ``system`` calls ``ref``, or None."""
    return session.scalar(select(ExternalRef.local_key).where(
        ExternalRef.entity == entity, ExternalRef.system == system, ExternalRef.ref == ref))


def link_ref(session: Session, entity: str, row: Any, local_key: object, system: str, ref: str) -> bool:
    """Record that ``system`` calls ``row`` ``ref``; True if that is new."""
    known = find_ref(session, entity, system, ref)
    if known is not None:
        if known != str(local_key):
            raise BusinessError("ref_conflict", f"{system} reference {ref!r} already belongs to "
                                f"{entity} {known}", field="ref", status=409)
        return False
    session.add(ExternalRef(entity=entity, system=system, ref=ref, local_key=str(local_key)))
    if system not in (row.ext_refs or {}):
        row.ext_refs = {**(row.ext_refs or {}), system: ref}
    return True


def _apply(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


# ------------------------------------------------------------------- parties
@dataclass(frozen=True)
class _PartyKind:
    entity: str
    model: type[Customer] | type[Vendor]
    first_id: int
    saved: Callable[[Session, Any, str], None]
    defaults: dict[str, Any] = field(default_factory=dict)
    not_null: frozenset[str] = frozenset()


CUSTOMERS = _PartyKind(
    "customer", Customer, FIRST_CUSTOMER_ID, events.customer_saved,
    defaults={"credit_limit": DEFAULT_CREDIT_LIMIT, "payment_terms_days": 30, "currency": "CNY",
              "discount_pct": Decimal("0"), "status": "active"},
    not_null=frozenset({"name", "tax_no", "credit_limit", "payment_terms_days", "currency",
                        "discount_pct", "status"}))
VENDORS = _PartyKind(
    "vendor", Vendor, FIRST_VENDOR_ID, events.vendor_saved,
    defaults={"status": "active", "currency": "CNY", "payment_terms_days": 30, "lead_time_days": 7},
    not_null=frozenset({"name", "tax_no", "status", "currency", "payment_terms_days", "lead_time_days"}))


def _no_nulls(values: dict[str, Any], not_null: frozenset[str] | set[str]) -> dict[str, Any]:
    """Refuse an explicit null for a field that must have a value."""
    for name, value in values.items():
        if value is None and name in not_null:
            raise BusinessError("required", f"{name} cannot be null", field=name)
    return values


def _values(kind: _PartyKind, body: CustomerPatch | VendorPatch) -> dict[str, Any]:
    return _no_nulls(body.model_dump(exclude_unset=True), kind.not_null)


def _by_tax_no(session: Session, kind: _PartyKind, tax_no: str) -> Any:
    return session.scalar(select(kind.model).where(kind.model.tax_no == tax_no))


def _get_party(session: Session, kind: _PartyKind, key: int) -> Any:
    row = session.get(kind.model, key)
    if row is None:
        raise NotFound(kind.entity, key)
    return row


def _create_party(session: Session, kind: _PartyKind, values: dict[str, Any]) -> Any:
    values["tax_no"] = check_tax_no(values["tax_no"])
    if (dup := _by_tax_no(session, kind, values["tax_no"])) is not None:
        raise BusinessError("duplicate_tax_no", f"{kind.entity} {dup.id} already has tax_no "
                            f"{values['tax_no']}", field="tax_no", status=409)
    row = kind.model(id=next_id(session, kind.model.id, kind.first_id), ext_refs={},
                     changed_on=date.today(), **{**kind.defaults, **values})
    session.add(row)
    session.flush()
    return row


def _update_party(session: Session, kind: _PartyKind, row: Any, values: dict[str, Any]) -> bool:
    if "tax_no" in values:
        values["tax_no"] = check_tax_no(values["tax_no"])
        dup = _by_tax_no(session, kind, values["tax_no"])
        if dup is not None and dup.id != row.id:
            raise BusinessError("duplicate_tax_no", f"{kind.entity} {dup.id} already has tax_no "
                                f"{values['tax_no']}", field="tax_no", status=409)
    return _apply(row, values)


def _saved(session: Session, kind: _PartyKind, row: Any, change: str) -> None:
    row.changed_on = date.today()
    session.flush()
    kind.saved(session, row, change)


def _upsert_by_ref(session: Session, kind: _PartyKind, system: str, ref: str,
                   body: CustomerIn | VendorIn) -> tuple[Any, str]:
    values = _values(kind, body)
    known = find_ref(session, kind.entity, system, ref)
    if known is not None:
        row = _get_party(session, kind, int(known))
        outcome = "updated" if _update_party(session, kind, row, values) else "unchanged"
    elif (row := _by_tax_no(session, kind, check_tax_no(values["tax_no"]))) is not None:
        _update_party(session, kind, row, values)
        link_ref(session, kind.entity, row, row.id, system, ref)
        outcome = "linked"
    else:
        row = _create_party(session, kind, values)
        link_ref(session, kind.entity, row, row.id, system, ref)
        outcome = "created"
    if outcome != "unchanged":
        _saved(session, kind, row, "created" if outcome == "created" else "updated")
    return row, outcome


def get_customer(session: Session, customer_id: int) -> Customer:
    return _get_party(session, CUSTOMERS, customer_id)  # type: ignore[no-any-return]


def create_customer(session: Session, body: CustomerIn) -> Customer:
    row = _create_party(session, CUSTOMERS, _values(CUSTOMERS, body))
    _saved(session, CUSTOMERS, row, "created")
    return row  # type: ignore[no-any-return]


def update_customer(session: Session, customer_id: int, body: CustomerPatch) -> Customer:
    row = get_customer(session, customer_id)
    if _update_party(session, CUSTOMERS, row, _values(CUSTOMERS, body)):
        _saved(session, CUSTOMERS, row, "updated")
    return row


def upsert_customer_by_ref(session: Session, system: str, ref: str, body: CustomerIn) -> tuple[Customer, str]:
    """Create or update the customer ``system`` calls ``ref``; the outcome is created|updated|linked|unchanged."""
    return _upsert_by_ref(session, CUSTOMERS, system, ref, body)


def customer_by_ref(session: Session, system: str, ref: str) -> Customer:
    key = find_ref(session, "customer", system, ref)
    if key is None:
        raise NotFound(f"{system} customer reference", ref)
    return get_customer(session, int(key))


def list_customers(session: Session, *, tax_no: str | None = None, status: str | None = None) -> list[Customer]:
    q = select(Customer).order_by(Customer.id)
    if tax_no:
        q = q.where(Customer.tax_no == tax_no.strip().upper())
    if status:
        q = q.where(Customer.status == status)
    return list(session.scalars(q))


def get_vendor(session: Session, vendor_id: int) -> Vendor:
    return _get_party(session, VENDORS, vendor_id)  # type: ignore[no-any-return]


def create_vendor(session: Session, body: VendorIn) -> Vendor:
    row = _create_party(session, VENDORS, _values(VENDORS, body))
    _saved(session, VENDORS, row, "created")
    return row  # type: ignore[no-any-return]


def update_vendor(session: Session, vendor_id: int, body: VendorPatch) -> Vendor:
    row = get_vendor(session, vendor_id)
    if _update_party(session, VENDORS, row, _values(VENDORS, body)):
        _saved(session, VENDORS, row, "updated")
    return row


def upsert_vendor_by_ref(session: Session, system: str, ref: str, body: VendorIn) -> tuple[Vendor, str]:
    return _upsert_by_ref(session, VENDORS, system, ref, body)


def vendor_by_ref(session: Session, system: str, ref: str) -> Vendor:
    key = find_ref(session, "vendor", system, ref)
    if key is None:
        raise NotFound(f"{system} vendor reference", ref)
    return get_vendor(session, int(key))


def list_vendors(session: Session, *, tax_no: str | None = None, status: str | None = None) -> list[Vendor]:
    q = select(Vendor).order_by(Vendor.id)
    if tax_no:
        q = q.where(Vendor.tax_no == tax_no.strip().upper())
    if status:
        q = q.where(Vendor.status == status)
    return list(session.scalars(q))


# ----------------------------------------------------------------- employees
def get_employee(session: Session, employee_id: int) -> Employee:
    row = session.get(Employee, employee_id)
    if row is None:
        raise NotFound("employee", employee_id)
    return row


def _employee_values(session: Session, body: EmployeePatch, self_id: int | None) -> dict[str, Any]:
    values = _no_nulls(body.model_dump(exclude_unset=True), {"name", "department", "roles", "status"})
    if "department" in values and values["department"] not in DEPARTMENT_CODES:
        raise BusinessError("unknown_department", f"department {values['department']!r} does not exist; "
                            f"choose from {', '.join(sorted(DEPARTMENT_CODES))}", field="department")
    manager = values.get("manager_id")
    if manager is not None:
        if manager == self_id:
            raise BusinessError("invalid_manager", "an employee cannot be their own manager", field="manager_id")
        if session.get(Employee, manager) is None:
            raise BusinessError("unknown_manager", f"manager employee {manager} does not exist", field="manager_id")
    return values


def create_employee(session: Session, body: EmployeeIn, refs: dict[str, str] | None = None) -> Employee:
    values = _employee_values(session, body, None)
    row = Employee(id=next_id(session, Employee.id, FIRST_EMPLOYEE_ID), ext_refs={}, roles=[],
                   status="active", changed_on=date.today())
    _apply(row, values)
    session.add(row)
    session.flush()
    for system, ref in (refs or {}).items():
        link_ref(session, "employee", row, row.id, system, ref)
    session.flush()
    events.employee_saved(session, row, "created")
    return row


def update_employee(session: Session, employee_id: int, body: EmployeePatch) -> Employee:
    row = get_employee(session, employee_id)
    if _apply(row, _employee_values(session, body, row.id)):
        row.changed_on = date.today()
        session.flush()
        events.employee_saved(session, row, "updated")
    return row


def upsert_employee_by_ref(session: Session, system: str, ref: str, body: EmployeeIn) -> tuple[Employee, str]:
    """Onboarding from OA: the employee ``system`` calls ``ref`` is created once, then updated."""
    known = find_ref(session, "employee", system, ref)
    if known is None:
        return create_employee(session, body, {system: ref}), "created"
    row = get_employee(session, int(known))
    changed = _apply(row, _employee_values(session, body, row.id))
    if changed:
        row.changed_on = date.today()
        session.flush()
        events.employee_saved(session, row, "updated")
    return row, "updated" if changed else "unchanged"


def list_employees(session: Session, *, department: str | None = None) -> list[Employee]:
    q = select(Employee).order_by(Employee.id)
    if department:
        q = q.where(Employee.department == department)
    return list(session.scalars(q))


# ----------------------------------------------------------------- materials
def get_material(session: Session, material: str, *, field_name: str | None = None) -> Material:
    """The material; unknown → 404, or 422 naming ``field_name`` when it came in a body."""
    row = session.get(Material, material)
    if row is None:
        if field_name:
            raise BusinessError("unknown_material", f"material {material!r} does not exist", field=field_name)
        raise NotFound("material", material)
    return row


def _material_values(body: MaterialPatch) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True, exclude={"material"})
    return _no_nulls(values, set(values) - {"description_en", "list_price"})


def create_material(session: Session, body: MaterialIn) -> Material:
    if session.get(Material, body.material) is not None:
        raise BusinessError("duplicate_material", f"material {body.material} already exists",
                            field="material", status=409)
    row = Material(material=body.material, uom="PCS", lead_time_days=0, safety_stock=0, lot_min=0,
                   lot_multiple=0, batch_managed=False, status="active", ext_refs={}, changed_on=date.today(),
                   warehouse="2000" if body.procurement == "in_house" else "1000")
    _apply(row, _material_values(body))
    session.add(row)
    session.flush()
    inventory.ensure_stock(session, row.material)
    events.material_saved(session, row, "created")
    return row


def update_material(session: Session, material: str, body: MaterialPatch) -> Material:
    row = get_material(session, material)
    old_cost = row.std_cost
    if _apply(row, _material_values(body)):
        row.changed_on = date.today()
        if row.std_cost != old_cost:
            inventory.revalue(session, row)
        session.flush()
        events.material_saved(session, row, "updated")
    return row


def put_material(session: Session, material: str, body: MaterialIn) -> tuple[Material, bool]:
    """Create or update by material number; True if created."""
    if body.material != material:
        raise BusinessError("material_mismatch", f"body material {body.material!r} differs from the path "
                            f"{material!r}", field="material")
    if session.get(Material, material) is None:
        return create_material(session, body), True
    return update_material(session, material, body), False


def list_materials(session: Session, *, procurement: str | None = None) -> list[Material]:
    q = select(Material).order_by(Material.material)
    if procurement:
        q = q.where(Material.procurement == procurement)
    return list(session.scalars(q))
