"""The CRM's starting state, from the one shared company (mocks.common.company).

Seeds the five customers (CRM ids ``CUS-0001xx``, with their contact and
office address), the products the CRM sells (items that have a CRM code)
and the salespeople (employees of the SALES department). Other systems'
ids are deliberately *not* seeded into ``externalRefs``: linking them is the
hub's cross-reference's job. Seeding emits no events.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.crm import clock
from mocks.crm.models import Address, Contact, Customer, Product, Salesperson

SALES_DEPARTMENT = "SALES"
EMAIL_DOMAIN = "hengjia.example.com"


def user_id(employee_key: str) -> str:
    """The CRM login of an employee: ``E003`` → ``USR-0003``."""
    return f"USR-{int(employee_key.lstrip('E')):04d}"


def seed(session: Session) -> None:
    now = clock.now()
    sellers = [e for e in company.EMPLOYEES if e["department"] == SALES_DEPARTMENT]
    for e in sellers:
        session.add(Salesperson(user_id=user_id(e["key"]), employee_no=e["key"], name=e["name"],
                                title=e["position"], email=f"{e['ids']['oa']}@{EMAIL_DOMAIN}", active=True))
    # accounts go to the sales representatives first, the manager keeps the rest
    owners = [user_id(e["key"]) for e in sorted(sellers, key=lambda e: "salesperson" not in e["roles"])]
    for i, c in enumerate(company.CUSTOMERS):
        session.add(Customer(
            customer_id=c["ids"]["crm"], name=c["name"], name_en=c["name_en"], uscc=c["tax_id"],
            status="active", phone=c["phone"], credit_limit=c["credit_limit"], currency=company.COMPANY["currency"],
            payment_terms_days=c["payment_terms_days"], owner_id=owners[i % len(owners)], external_refs={},
            version=1, created_at=now, updated_at=now,
            addresses=[Address(kind="office", street=c["address"], city=c["city"], country="CN", is_default=True)],
            contacts=[Contact(name=c["contact"], mobile=c["contact_phone"], is_primary=True)]))
    for item in company.ITEMS:
        code = item["ids"]["crm"]
        if code:
            session.add(Product(product_code=code, name=item["name"], name_en=item["name_en"], uom=item["uom"],
                                list_price=item["list_price"], active=True, external_refs={}, updated_at=now))
