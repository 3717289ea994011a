"""Seed the ERP from the shared company (:mod:`mocks.common.company`), with the ERP's own ids.

- customers (``ids["erp"]``), with CRM's and WMS's ids as external references;
- each customer's ``open_receivable`` as opening-balance invoices: the
  ``overdue`` part due 15 days ago, the rest due in 20 days (so 广州南方家居
  starts with 12000.00 overdue and its new orders are credit-blocked);
- materials (std cost, list price, planning data), and stock value = on_hand × std_cost;
- vendors (SRM's ``approved`` is the ERP's ``active``), employees, budgets;
- the open purchase order PO-2026-0001 as a purchase commitment.

No events are emitted: seeding describes the state before the hub started.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from mocks.common.company import (
    BUDGETS,
    CUSTOMERS,
    EMPLOYEES,
    ITEMS,
    OPEN_PURCHASE_ORDERS,
    SUPPLIERS,
    WAREHOUSES,
    by_key,
    seen_by,
    system_id,
)
from mocks.erp.models import (
    Budget,
    CommitmentItem,
    Customer,
    Employee,
    ExternalRef,
    Invoice,
    Material,
    PurchaseCommitment,
    StockMovement,
    StockValue,
    Vendor,
)
from mocks.erp.rules.money import VAT_RATE, ZERO, cents
from mocks.erp.rules.numbers import doc_no
from mocks.erp.rules.purchasing import DEFAULT_BUDGET_BY_WAREHOUSE

OVERDUE_BY_DAYS = 15
"""The seeded overdue receivables fell due this many days ago."""
OPEN_DUE_IN_DAYS = 20
"""The seeded not-yet-due receivables fall due in this many days."""


def seed(session: Session) -> None:
    today = date.today()
    _customers(session, today)
    _materials(session, today)
    _vendors(session, today)
    _employees(session, today)
    for b in BUDGETS:
        session.add(Budget(code=b["code"], name=b["name"], department=b["department"],
                           amount=cents(b["amount"]), used=cents(b["used"])))
    session.flush()
    _open_purchase_orders(session, today)
    session.flush()


def _refs(session: Session, entity: str, local_key: object, ids: dict[str, object]) -> dict[str, str]:
    refs = {system: str(ref) for system, ref in ids.items() if system != "erp" and ref is not None}
    for system, ref in refs.items():
        session.add(ExternalRef(entity=entity, system=system, ref=ref, local_key=str(local_key)))
    return refs


def _customers(session: Session, today: date) -> None:
    for c in (seen_by(c, "erp") for c in CUSTOMERS):
        cid = c["ids"]["erp"]
        session.add(Customer(
            id=cid, name=c["name"], name_en=c["name_en"], tax_no=c["tax_id"], credit_limit=cents(c["credit_limit"]),
            payment_terms_days=c["payment_terms_days"], currency="CNY", discount_pct=Decimal("0"), status="active",
            city=c["city"], address=c["address"], phone=c["phone"], contact_name=c["contact"],
            contact_phone=c["contact_phone"], ext_refs=_refs(session, "customer", cid, c["ids"]), changed_on=today))
    session.flush()
    for c in CUSTOMERS:
        overdue = cents(c["overdue"])
        not_due = cents(c["open_receivable"]) - overdue
        if overdue:
            _opening_invoice(session, c, overdue, due=today - timedelta(days=OVERDUE_BY_DAYS))
        if not_due > 0:
            _opening_invoice(session, c, not_due, due=today + timedelta(days=OPEN_DUE_IN_DAYS))


def _opening_invoice(session: Session, customer: dict, gross: Decimal, due: date) -> None:
    net = cents(gross / (1 + VAT_RATE))
    invoice_date = due - timedelta(days=customer["payment_terms_days"])
    invoice = Invoice(customer_id=customer["ids"]["erp"], kind="opening", invoice_date=invoice_date, due_date=due,
                      currency="CNY", net=net, tax=gross - net, gross=gross, paid=ZERO, status="open", items=[])
    session.add(invoice)
    session.flush()
    invoice.invoice_no = doc_no("IV", invoice_date, invoice.id)


def _materials(session: Session, today: date) -> None:
    erp_warehouse = {w["key"]: w["ids"]["erp"] for w in WAREHOUSES}
    now = datetime.now(UTC)
    for item in (seen_by(i, "erp") for i in ITEMS):
        number = item["ids"]["erp"]
        std_cost = cents(item["std_cost"])
        session.add(Material(
            material=number, description=item["name"], description_en=item["name_en"], uom=item["uom"],
            procurement="in_house" if item["supply"] == "make" else "external", std_cost=std_cost,
            list_price=None if item["list_price"] is None else cents(item["list_price"]),
            lead_time_days=item["lead_time_days"], safety_stock=item["safety_stock"], lot_min=item["lot_min"],
            lot_multiple=item["lot_multiple"], batch_managed=False, warehouse=erp_warehouse[item["warehouse"]],
            status="active", ext_refs=_refs(session, "material", number, item["ids"]), changed_on=today))
        session.flush()
        value = cents(std_cost * item["on_hand"])
        session.add(StockValue(material=number, qty=item["on_hand"], value=value))
        session.add(StockMovement(material=number, kind="opening", qty=item["on_hand"], value=value,
                                  ref_doc="opening balance", posted_at=now))


def _vendors(session: Session, today: date) -> None:
    for v in (seen_by(v, "erp") for v in SUPPLIERS):
        vid = v["ids"]["erp"]
        session.add(Vendor(
            id=vid, name=v["name"], name_en=v["name_en"], tax_no=v["tax_id"],
            status="active" if v["status"] == "approved" else "blocked", currency="CNY", payment_terms_days=30,
            lead_time_days=v["default_lead_time_days"], rating=Decimal(str(v["rating"])), contact_name=v["contact"],
            phone=v["phone"], ext_refs=_refs(session, "vendor", vid, v["ids"]), changed_on=today))


def _employees(session: Session, today: date) -> None:
    for e in (seen_by(e, "erp") for e in EMPLOYEES):  # managers come before their reports in the list
        eid = e["ids"]["erp"]
        manager = system_id(EMPLOYEES, e["manager"], "erp") if e["manager"] else None
        session.add(Employee(
            id=eid, name=e["name"], department=e["department"], position=e["position"], manager_id=manager,
            roles=list(e["roles"]), start_date=None, status="active",
            ext_refs=_refs(session, "employee", eid, e["ids"]), changed_on=today))
        session.flush()


def _open_purchase_orders(session: Session, today: date) -> None:
    for po in OPEN_PURCHASE_ORDERS:
        item = by_key(ITEMS, po["item"])
        budget = DEFAULT_BUDGET_BY_WAREHOUSE[by_key(WAREHOUSES, item["warehouse"])["ids"]["erp"]]
        price = cents(po["unit_price"])
        net = cents(price * po["qty"])
        tax = cents(net * VAT_RATE)
        commitment = PurchaseCommitment(
            po_number=po["po_no"], vendor_id=system_id(SUPPLIERS, po["supplier"], "erp"), budget_code=budget,
            currency="CNY", order_date=today, net=net, tax=tax, gross=net + tax, status="open", over_budget=False,
            pr_refs=[])
        commitment.items.append(CommitmentItem(
            line_no=1, material=item["ids"]["erp"], qty=po["qty"], unit_price=price, net=net,
            promised_date=today + timedelta(days=po["due_in_days"]), received_qty=0))
        session.add(commitment)
