"""Deliveries, invoices (whose open amounts are the receivables) and payments.

A delivery ships part or all of a released order: it issues stock at
standard cost and posts one invoice for exactly what was shipped, priced at
the order's net prices with 13 % VAT, due after the customer's payment
terms. The last delivery of a line invoices the line's remainder, so the
invoices of a fully shipped order add up to the order to the cent.
One delivery per ``shipment_no``, one payment per ``bank_ref``: repeats
return the first result.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.erp import events
from mocks.erp.models import Customer, Delivery, Invoice, Material, Payment, SalesOrder, SalesOrderItem
from mocks.erp.rules import inventory
from mocks.erp.rules.money import ZERO, cents, fmt, vat
from mocks.erp.rules.numbers import doc_no
from mocks.erp.rules.sales import resolve_order
from mocks.erp.schemas import DeliveryIn, PaymentIn

DELIVERABLE_STATUSES = ("released", "partially_delivered")


def _order_line(order: SalesOrder, material: str, open_left: dict[int, int], i: int) -> SalesOrderItem:
    lines = [line for line in order.items if line.material == material]
    if not lines:
        raise BusinessError("not_on_order", f"material {material!r} is not on sales order {order.so_number}",
                            field=f"items.{i}.material")
    return next((line for line in lines if open_left[line.id] > 0), lines[0])


def post_delivery(session: Session, body: DeliveryIn) -> tuple[Delivery, bool]:
    """Ship against a sales order and invoice the shipment; True if posted now."""
    existing = session.scalar(select(Delivery).where(Delivery.shipment_no == body.shipment_no))
    if existing is not None:
        return existing, False
    order = resolve_order(session, body.so_ref, field_name="so_ref")
    if order.status not in DELIVERABLE_STATUSES:
        why = f": {order.credit_reason}" if order.status == "blocked" else ""
        raise BusinessError("order_not_deliverable", f"sales order {order.so_number} is {order.status}{why}",
                            field="so_ref")
    open_left = {line.id: line.open_qty for line in order.items}
    picks: list[tuple[SalesOrderItem, int, str | None]] = []
    for i, item in enumerate(body.items):
        line = _order_line(order, item.material, open_left, i)
        if item.qty > open_left[line.id]:
            raise BusinessError("over_delivery", f"qty {item.qty} exceeds the open quantity {open_left[line.id]} "
                                f"of line {line.line_no} ({line.material})", field=f"items.{i}.qty")
        open_left[line.id] -= item.qty
        picks.append((line, item.qty, item.lot))

    ship_date = body.ship_date or date.today()
    delivery = Delivery(shipment_no=body.shipment_no, order_id=order.id, ship_date=ship_date,
                        carrier=body.carrier, tracking_no=body.tracking_no,
                        items=[{"line_no": line.line_no, "material": line.material, "qty": qty, "lot": lot}
                               for line, qty, lot in picks])
    session.add(delivery)
    session.flush()
    delivery.delivery_no = doc_no("DL", ship_date, delivery.id)
    for i, (line, qty, _) in enumerate(picks):
        material = session.get(Material, line.material)
        assert material is not None
        inventory.post_movement(session, material, -qty, "delivery", body.shipment_no, field_name=f"items.{i}.qty")

    invoice_items = [_invoice_line(line, qty) for line, qty, _ in picks]
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    net = sum((Decimal(x["net"]) for x in invoice_items), ZERO)
    tax = sum((Decimal(x["tax"]) for x in invoice_items), ZERO)
    invoice = Invoice(customer_id=order.customer_id, order_id=order.id, delivery_id=delivery.id, kind="sales",
                      invoice_date=ship_date, due_date=ship_date + timedelta(days=customer.payment_terms_days),
                      currency=order.currency, net=net, tax=tax, gross=net + tax, paid=ZERO, status="open",
                      items=invoice_items)
    session.add(invoice)
    session.flush()
    invoice.invoice_no = doc_no("IV", ship_date, invoice.id)
    delivery.invoice_no = invoice.invoice_no
    order.status = "completed" if all(line.open_qty == 0 for line in order.items) else "partially_delivered"
    session.flush()
    events.invoice_posted(session, invoice)
    return delivery, True


def _invoice_line(line: SalesOrderItem, qty: int) -> dict[str, Any]:
    """Bill ``qty`` of ``line``; the last pieces take the remainder so invoices sum to the order."""
    if line.delivered_qty + qty == line.qty:
        net, tax = line.net - line.invoiced_net, line.tax - line.invoiced_tax
    else:
        net = cents(line.net * qty / line.qty)
        tax = vat(net)
    line.delivered_qty += qty
    line.invoiced_net += net
    line.invoiced_tax += tax
    return {"line_no": line.line_no, "material": line.material, "qty": qty, "unit_price": fmt(line.unit_price),
            "net": fmt(net), "tax": fmt(tax), "gross": fmt(net + tax)}


def get_invoice(session: Session, invoice_no: str, *, field_name: str | None = None) -> Invoice:
    invoice = session.scalar(select(Invoice).where(Invoice.invoice_no == invoice_no))
    if invoice is None:
        if field_name:
            raise BusinessError("unknown_invoice", f"invoice {invoice_no!r} does not exist", field=field_name)
        raise NotFound("invoice", invoice_no)
    return invoice


def post_payment(session: Session, body: PaymentIn) -> tuple[Payment, bool]:
    """Apply a customer's payment to an invoice; True if posted now."""
    if body.bank_ref:
        existing = session.scalar(select(Payment).where(Payment.bank_ref == body.bank_ref))
        if existing is not None:
            return existing, False
    invoice = get_invoice(session, body.invoice_no, field_name="invoice_no")
    return pay(session, invoice, body.amount, body.received_on or date.today(), bank_ref=body.bank_ref), True


def pay(session: Session, invoice: Invoice, amount: Decimal, received_on: date,
        *, bank_ref: str | None = None) -> Payment:
    """Reduce ``invoice``'s open amount by ``amount``; more than is open is refused."""
    if amount > invoice.open_amount:
        raise BusinessError("overpayment", f"amount {fmt(amount)} exceeds the open amount "
                            f"{fmt(invoice.open_amount)} of invoice {invoice.invoice_no}", field="amount")
    payment = Payment(invoice_id=invoice.id, amount=amount, received_on=received_on, bank_ref=bank_ref)
    session.add(payment)
    session.flush()
    payment.payment_no = doc_no("PY", received_on, payment.id)
    invoice.paid += amount
    if invoice.open_amount == 0:
        invoice.status = "paid"
    session.flush()
    events.payment_posted(session, payment)
    return payment


def list_invoices(session: Session, *, customer_id: int | None = None, status: str | None = None,
                  so_ref: str | None = None) -> list[Invoice]:
    q = select(Invoice).order_by(Invoice.id)
    if customer_id:
        q = q.where(Invoice.customer_id == customer_id)
    if status:
        q = q.where(Invoice.status == status)
    if so_ref:
        q = q.where(Invoice.order_id == resolve_order(session, so_ref).id)
    return list(session.scalars(q))


def receivables(session: Session, *, customer_id: int | None = None, overdue_only: bool = False) -> dict[str, Any]:
    """Open invoices (the receivables), with their total and overdue part."""
    items = [i for i in list_invoices(session, customer_id=customer_id, status="open")
             if i.overdue or not overdue_only]
    return {"customer_id": customer_id, "items": items,
            "open_amount": sum((i.open_amount for i in items), ZERO),
            "overdue_amount": sum((i.open_amount for i in items if i.overdue), ZERO)}


def list_deliveries(session: Session, *, so_ref: str | None = None) -> list[Delivery]:
    q = select(Delivery).order_by(Delivery.id)
    if so_ref:
        q = q.where(Delivery.order_id == resolve_order(session, so_ref).id)
    return list(session.scalars(q))


def get_delivery(session: Session, key: str) -> Delivery:
    """By ``delivery_no`` or ``shipment_no``."""
    delivery = session.scalar(select(Delivery).where((Delivery.delivery_no == key) | (Delivery.shipment_no == key)))
    if delivery is None:
        raise NotFound("delivery", key)
    return delivery


def list_payments(session: Session, *, invoice_no: str | None = None) -> list[Payment]:
    q = select(Payment).order_by(Payment.id)
    if invoice_no:
        q = q.where(Payment.invoice_id == get_invoice(session, invoice_no).id)
    return list(session.scalars(q))


def get_payment(session: Session, payment_no: str) -> Payment:
    payment = session.scalar(select(Payment).where(Payment.payment_no == payment_no))
    if payment is None:
        raise NotFound("payment", payment_no)
    return payment
