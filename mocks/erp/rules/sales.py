"""Sales orders: pricing, discounts, VAT, the credit check, release, manual release, cancel.

Pricing per line: list price × qty, less the customer's discount and then
the quantity break (``QTY_BREAK_PCT`` off at ``QTY_BREAK`` pieces or more),
applied one after the other; VAT of 13 % on the net. The promised date is
the later of the requested date and today + the material's lead time.

One order per ``ext_ref`` (the sender's order number): a repeat returns the
existing order, so the hub may retry freely.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.erp import events
from mocks.erp.models import Customer, Delivery, Employee, Invoice, SalesOrder, SalesOrderItem
from mocks.erp.rules import credit
from mocks.erp.rules.archives import get_material
from mocks.erp.rules.money import ZERO, cents, vat
from mocks.erp.rules.numbers import doc_no
from mocks.erp.schemas import CreditReleaseIn, SalesOrderIn
from mocks.erp.schemas.common import MAX_ID

QTY_BREAK = 50
"""Pieces on one line from which the quantity discount applies."""
QTY_BREAK_PCT = Decimal("5")
"""Quantity discount in %."""
CREDIT_APPROVER_ROLES = frozenset({"finance_manager", "approver_l2"})
"""Roles allowed to release a credit-blocked order."""
LINE_STEP = 10


def price_line(list_price: Decimal, qty: int, customer_discount_pct: Decimal) -> dict[str, Decimal]:
    """Net, tax and gross of ``qty`` pieces at ``list_price`` after the discounts."""
    factor = (1 - customer_discount_pct / 100) * (1 - (QTY_BREAK_PCT / 100 if qty >= QTY_BREAK else 0))
    net = cents(list_price * qty * factor)
    tax = vat(net)
    return {"list_price": list_price, "discount_pct": ((1 - factor) * 100).quantize(Decimal("0.001")),
            "net": net, "tax": tax, "gross": net + tax}


def resolve_order(session: Session, key: str, *, field_name: str | None = None) -> SalesOrder:
    """The order whose id, ``so_number`` or ``ext_ref`` is ``key``."""
    order = None
    if key.isdigit() and int(key) <= MAX_ID:
        order = session.get(SalesOrder, int(key))
    order = order or session.scalar(select(SalesOrder).where(SalesOrder.so_number == key)) \
        or session.scalar(select(SalesOrder).where(SalesOrder.ext_ref == key))
    if order is None:
        if field_name:
            raise BusinessError("unknown_sales_order", f"sales order {key!r} does not exist", field=field_name)
        raise NotFound("sales order", key)
    return order


def create_order(session: Session, body: SalesOrderIn) -> tuple[SalesOrder, bool]:
    """Price, check credit and (if it passes) release a new order; True if it was created now."""
    if body.ext_ref:
        existing = session.scalar(select(SalesOrder).where(SalesOrder.ext_ref == body.ext_ref))
        if existing is not None:
            if existing.customer_id != body.customer_id:
                raise BusinessError("ext_ref_conflict", f"ext_ref {body.ext_ref} is already order "
                                    f"{existing.so_number} of customer {existing.customer_id}",
                                    field="ext_ref", status=409)
            return existing, False
    customer = session.get(Customer, body.customer_id)
    if customer is None:
        raise BusinessError("unknown_customer", f"customer {body.customer_id} does not exist", field="customer_id")
    if body.currency and body.currency != customer.currency:
        raise BusinessError("currency_mismatch", f"customer {customer.id} is billed in {customer.currency}, "
                            f"not {body.currency}", field="currency")
    today = date.today()
    order = SalesOrder(ext_ref=body.ext_ref, ext_system=body.ext_system if body.ext_ref else None,
                       customer_id=customer.id, sales_rep=body.sales_rep, order_date=body.order_date or today,
                       currency=customer.currency, status="new", credit_status="pending",
                       credit_exposure=ZERO, credit_limit=customer.credit_limit, overdue_amount=ZERO)
    for i, item in enumerate(body.items):
        field = f"items.{i}.material"
        material = get_material(session, item.material, field_name=field)
        if material.status != "active":
            raise BusinessError("material_blocked", f"material {material.material} is blocked", field=field)
        if material.list_price is None:
            raise BusinessError("material_not_sold", f"material {material.material} has no list price; "
                                "it is not sold", field=field)
        promised = max(item.req_date or today, today + timedelta(days=material.lead_time_days))
        order.items.append(SalesOrderItem(line_no=(i + 1) * LINE_STEP, material=material.material, qty=item.qty,
                                          req_date=item.req_date, promised_date=promised, delivered_qty=0,
                                          invoiced_net=ZERO, invoiced_tax=ZERO,
                                          **price_line(material.list_price, item.qty, customer.discount_pct)))
    order.net = sum((line.net for line in order.items), ZERO)
    order.tax = sum((line.tax for line in order.items), ZERO)
    order.gross = order.net + order.tax
    session.add(order)
    session.flush()
    order.so_number = doc_no("SO", order.order_date, order.id)
    check_credit(session, order)
    return order, True


def check_credit(session: Session, order: SalesOrder) -> None:
    """Run the credit check on a new or blocked order; release it if it passes."""
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    pos = credit.position(session, customer)
    decision = credit.decide(pos, order.gross)
    order.credit_exposure = decision.exposure
    order.credit_limit = customer.credit_limit
    order.overdue_amount = pos.overdue_amount
    order.credit_reason = decision.reason
    order.credit_status = "blocked" if decision.blocked else "passed"
    order.status = "blocked" if decision.blocked else "released"
    session.flush()
    events.credit_checked(session, order)
    if not decision.blocked:
        events.so_released(session, order)


def recheck_credit(session: Session, key: str) -> SalesOrder:
    """Check a blocked order again (e.g. after the customer paid)."""
    order = resolve_order(session, key)
    if order.status != "blocked":
        raise BusinessError("not_blocked", f"sales order {order.so_number} is {order.status}, not blocked",
                            field="so_number")
    check_credit(session, order)
    return order


def release_credit(session: Session, key: str, body: CreditReleaseIn) -> SalesOrder:
    """A credit manager releases a blocked order on their own authority."""
    order = resolve_order(session, key)
    if order.status != "blocked":
        raise BusinessError("not_blocked", f"sales order {order.so_number} is {order.status}, not blocked",
                            field="so_number")
    approver = session.get(Employee, body.approver)
    if approver is None:
        raise BusinessError("unknown_employee", f"employee {body.approver} does not exist", field="approver")
    if not CREDIT_APPROVER_ROLES & set(approver.roles):
        raise BusinessError("not_authorised", f"employee {approver.id} ({approver.name}) may not release credit "
                            f"blocks; needs one of {', '.join(sorted(CREDIT_APPROVER_ROLES))}", field="approver")
    order.credit_status = "released"
    order.credit_approver = approver.id
    note = f" ({body.note})" if body.note else ""
    order.credit_reason = f"{order.credit_reason}; released by {approver.id} {approver.name}{note}"
    order.status = "released"
    session.flush()
    events.credit_checked(session, order)
    events.so_released(session, order)
    return order


def cancel_order(session: Session, key: str, reason: str) -> SalesOrder:
    """Cancel an order nothing has been delivered on; cancelling twice changes nothing."""
    order = resolve_order(session, key)
    if order.status == "cancelled":
        return order
    if any(line.delivered_qty for line in order.items):
        raise BusinessError("already_delivered", f"sales order {order.so_number} has deliveries; "
                            "it can no longer be cancelled", field="so_number")
    order.status = "cancelled"
    order.cancel_reason = reason
    session.flush()
    events.so_cancelled(session, order)
    return order


def list_orders(session: Session, *, customer_id: int | None = None, status: str | None = None,
                ext_ref: str | None = None) -> list[SalesOrder]:
    q = select(SalesOrder).order_by(SalesOrder.id)
    if customer_id:
        q = q.where(SalesOrder.customer_id == customer_id)
    if status:
        q = q.where(SalesOrder.status == status)
    if ext_ref:
        q = q.where(SalesOrder.ext_ref == ext_ref)
    return list(session.scalars(q))


def order_status(session: Session, key: str) -> dict[str, Any]:
    """Credit, delivery, invoice and payment state of one order (the ``sales_order.status`` query)."""
    order = resolve_order(session, key)
    ordered = sum(line.qty for line in order.items)
    delivered = sum(line.delivered_qty for line in order.items)
    invoices = session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)).all()
    shipments = session.scalars(select(Delivery.shipment_no).where(Delivery.order_id == order.id)
                                .order_by(Delivery.id)).all()
    invoiced = sum((i.gross for i in invoices), ZERO)
    paid = sum((i.paid for i in invoices), ZERO)

    def level(done: Decimal | int, total: Decimal | int, words: tuple[str, str, str]) -> str:
        return words[0] if not done else words[2] if done >= total else words[1]

    return {
        "so_number": order.so_number, "ext_ref": order.ext_ref, "customer_id": order.customer_id,
        "status": order.status, "credit_status": order.credit_status, "credit_reason": order.credit_reason,
        "delivery_status": level(delivered, ordered, ("none", "partial", "complete")),
        "ordered_qty": ordered, "delivered_qty": delivered, "shipments": list(shipments),
        "invoice_status": level(invoiced, order.gross, ("none", "partial", "complete")),
        "invoices": [i.invoice_no for i in invoices], "invoiced_gross": invoiced,
        "payment_status": "none" if not invoices else level(paid, invoiced, ("unpaid", "partial", "paid")),
        "paid": paid, "open_amount": invoiced - paid,
    }
