"""Customers: one record per real company, identified by its unified social credit code.

Who may write a customer: salespeople (create/PUT/PATCH) and the hub, which
hands over other systems' customers with an ``externalRefs`` map. Rules:

- ``uscc`` must be a valid GB 32100 code; two customers never share one
  (409 ``duplicate_uscc``) — except that a create carrying ``externalRefs``
  *links* to the existing customer instead, so the hub can replay a
  customer safely.
- a create whose ``externalRefs`` name a customer the CRM already links
  updates that customer (upsert by the other system's id).
- external references are merged, never dropped; one reference cannot
  belong to two customers.
- an event (``customer.created`` / ``customer.updated``) is emitted only when
  something actually changed, so a repeated upsert is silent.
- customers are never hard-deleted: DELETE makes them ``inactive``, and
  inactive customers cannot order.
"""

from __future__ import annotations

from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.crm import clock, events
from mocks.crm.models import Address, Contact, Customer
from mocks.crm.rules.common import CUSTOMER_ID_RE, customer_by_id, get_customer, next_serial, referenced_salesperson
from mocks.crm.rules.uscc import uscc_problem
from mocks.crm.schemas import CustomerIn, CustomerOut, CustomerPatch

CUSTOMER_ID_PREFIX = "CUS-"
_UNCOMPARED = {"version", "created_at", "updated_at"}
_SCALARS = ("name", "name_en", "status", "industry", "phone", "credit_limit", "currency",
            "payment_terms_days", "owner_id")
_REQUIRED = ("name", "uscc", "status", "credit_limit", "currency", "payment_terms_days")


def normalized_uscc(code: str) -> str:
    """``code`` upper-cased and checked (422 naming ``uscc`` with the reason if invalid)."""
    value = code.strip().upper()
    problem = uscc_problem(value)
    if problem:
        raise BusinessError("invalid_uscc", f"uscc {code!r} is not a valid unified social credit code: {problem}",
                            field="uscc")
    return value


def list_customers(session: Session, *, status: str | None = None, q: str | None = None,
                   uscc: str | None = None, external_system: str | None = None,
                   external_id: str | None = None) -> list[Customer]:
    stmt = select(Customer).order_by(Customer.customer_id)
    if status:
        stmt = stmt.where(Customer.status == status)
    if uscc:
        stmt = stmt.where(Customer.uscc == uscc.strip().upper())
    if q:
        stmt = stmt.where(Customer.name.contains(q) | Customer.name_en.contains(q))
    found = list(session.scalars(stmt))
    if external_system:
        found = [c for c in found if external_system in (c.external_refs or {})
                 and (external_id is None or c.external_refs[external_system] == external_id)]
    return found


def create_customer(session: Session, body: CustomerIn) -> tuple[Customer, bool]:
    """Create a customer, or upsert the one ``externalRefs``/``uscc`` already identify.

    Returns the customer and whether it was created.
    """
    uscc = normalized_uscc(body.uscc)
    linked = _customer_by_refs(session, body.external_refs)
    if linked is None:
        linked = session.scalar(select(Customer).where(Customer.uscc == uscc))
        if linked is not None and not body.external_refs:
            raise BusinessError(
                "duplicate_uscc", f"uscc {uscc} already belongs to customer {linked.customer_id}",
                field="uscc", status=409)
    if linked is not None:
        _apply(session, linked, body.model_dump(by_alias=False, exclude_unset=True))
        return linked, False
    customer_id = next_serial(session, Customer.customer_id, CUSTOMER_ID_PREFIX, 6)
    return _create(session, customer_id, body), True


def upsert_customer(session: Session, customer_id: str, body: CustomerIn) -> tuple[Customer, bool]:
    """``PUT``: create the customer under ``customer_id``, or overwrite the fields ``body`` sends.

    Fields not sent keep their value, so a sender that does not know, say,
    the contacts does not erase them.
    """
    if not CUSTOMER_ID_RE.match(customer_id):
        raise BusinessError("invalid_customer_id",
                            f"customerId {customer_id!r} must look like CUS-000101", field="customerId")
    existing = customer_by_id(session, customer_id)
    if existing is None:
        return _create(session, customer_id, body), True
    _apply(session, existing, body.model_dump(by_alias=False, exclude_unset=True))
    return existing, False


def patch_customer(session: Session, customer_id: str, patch: CustomerPatch) -> Customer:
    customer = get_customer(session, customer_id)
    _apply(session, customer, patch.model_dump(by_alias=False, exclude_unset=True))
    return customer


def deactivate_customer(session: Session, customer_id: str) -> Customer:
    """Soft delete: orders and complaints keep pointing at it, new orders are refused."""
    customer = get_customer(session, customer_id)
    _apply(session, customer, {"status": "inactive"})
    return customer


# ----------------------------------------------------------------- internals
def _create(session: Session, customer_id: str, body: CustomerIn) -> Customer:
    uscc = normalized_uscc(body.uscc)
    _refuse_duplicate_uscc(session, uscc, None)
    now = clock.now()
    customer = Customer(customer_id=customer_id, name=body.name, uscc=uscc, external_refs={},
                        version=1, created_at=now, updated_at=now)
    session.add(customer)
    _write_fields(session, customer, body.model_dump(by_alias=False))
    session.flush()
    events.customer_changed(session, customer, created=True)
    return customer


def _apply(session: Session, customer: Customer, fields: dict[str, Any]) -> None:
    before = _snapshot(customer)
    _write_fields(session, customer, fields)
    session.flush()
    if _snapshot(customer) != before:
        customer.version += 1
        customer.updated_at = clock.now()
        events.customer_changed(session, customer, created=False)


def _write_fields(session: Session, customer: Customer, fields: dict[str, Any]) -> None:
    """Copy ``fields`` (snake_case) onto ``customer``; a PATCH may not null a required field."""
    for name in _REQUIRED:
        if name in fields and fields[name] is None:
            raise BusinessError("required", f"{to_camel(name)} cannot be null", field=to_camel(name))
    if "uscc" in fields:
        uscc = normalized_uscc(fields["uscc"])
        _refuse_duplicate_uscc(session, uscc, customer)
        customer.uscc = uscc
    if fields.get("owner_id"):
        referenced_salesperson(session, fields["owner_id"], field="ownerId")
    for name in _SCALARS:
        if name in fields:
            setattr(customer, name, fields[name])
    if fields.get("external_refs"):
        customer.external_refs = _merged_refs(session, customer, fields["external_refs"])
    if fields.get("addresses") is not None:
        addresses = [Address(**a) for a in fields["addresses"]]
        if addresses and not any(a.is_default for a in addresses):
            addresses[0].is_default = True
        customer.addresses = addresses
    if fields.get("contacts") is not None:
        contacts = [Contact(**c) for c in fields["contacts"]]
        if contacts and not any(c.is_primary for c in contacts):
            contacts[0].is_primary = True
        customer.contacts = contacts


def _snapshot(customer: Customer) -> dict[str, Any]:
    return CustomerOut.model_validate(customer).model_dump(by_alias=False, exclude=_UNCOMPARED)


def _refuse_duplicate_uscc(session: Session, uscc: str, customer: Customer | None) -> None:
    other = session.scalar(select(Customer).where(Customer.uscc == uscc))
    if other is not None and other is not customer:
        raise BusinessError("duplicate_uscc", f"uscc {uscc} already belongs to customer {other.customer_id}",
                            field="uscc", status=409)


def _customer_by_refs(session: Session, refs: dict[str, str]) -> Customer | None:
    if not refs:
        return None
    for customer in session.scalars(select(Customer)):
        own = customer.external_refs or {}
        if any(own.get(system) == ref for system, ref in refs.items()):
            return customer
    return None


def _merged_refs(session: Session, customer: Customer, refs: dict[str, str]) -> dict[str, str]:
    for other in session.scalars(select(Customer).where(Customer.id != customer.id)):
        for system, ref in refs.items():
            if (other.external_refs or {}).get(system) == ref:
                raise BusinessError(
                    "external_ref_taken", f"{system} id {ref} already belongs to customer {other.customer_id}",
                    field=f"externalRefs.{system}", status=409)
    return {**(customer.external_refs or {}), **refs}
