"""Credit control: a customer's exposure and overdue amount, and the decision on a new order.

exposure = open receivables (invoices not fully paid)
         + open orders (released orders' gross not yet invoiced)
         + the new order's gross.

An order is blocked when exposure exceeds the credit limit, when *any*
receivable is overdue, or when the customer is blocked in the archive; the
reason names the numbers. Blocked orders do not count as open orders, so
one blocked order does not block the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.erp.models import Customer, Invoice, SalesOrder
from mocks.erp.rules.money import ZERO, fmt

EXPOSED_ORDER_STATUSES = ("released", "partially_delivered")
"""Orders whose uninvoiced value counts toward exposure."""


@dataclass(frozen=True)
class CreditPosition:
    customer_id: int
    customer_status: str
    credit_limit: Decimal
    open_receivables: Decimal
    open_orders: Decimal
    overdue_amount: Decimal

    @property
    def exposure(self) -> Decimal:
        return self.open_receivables + self.open_orders


@dataclass(frozen=True)
class CreditDecision:
    blocked: bool
    exposure: Decimal
    reason: str | None


def position(session: Session, customer: Customer, *, today: date | None = None) -> CreditPosition:
    today = today or date.today()
    invoices = session.scalars(select(Invoice).where(Invoice.customer_id == customer.id,
                                                     Invoice.status == "open")).all()
    orders = session.scalars(select(SalesOrder).where(SalesOrder.customer_id == customer.id,
                                                      SalesOrder.status.in_(EXPOSED_ORDER_STATUSES))).all()
    open_orders = sum((o.gross - sum((i.invoiced_net + i.invoiced_tax for i in o.items), ZERO) for o in orders), ZERO)
    return CreditPosition(
        customer_id=customer.id, customer_status=customer.status, credit_limit=customer.credit_limit,
        open_receivables=sum((i.open_amount for i in invoices), ZERO), open_orders=open_orders,
        overdue_amount=sum((i.open_amount for i in invoices if i.due_date < today), ZERO),
    )


def decide(pos: CreditPosition, order_gross: Decimal = ZERO) -> CreditDecision:
    """Blocked or not, with every reason that applies."""
    exposure = pos.exposure + order_gross
    reasons = []
    if pos.customer_status == "blocked":
        reasons.append(f"customer {pos.customer_id} is blocked in the customer archive")
    if exposure > pos.credit_limit:
        reasons.append(f"exposure {fmt(exposure)} exceeds credit limit {fmt(pos.credit_limit)}")
    if pos.overdue_amount > 0:
        reasons.append(f"overdue receivables of {fmt(pos.overdue_amount)}")
    return CreditDecision(blocked=bool(reasons), exposure=exposure, reason="; ".join(reasons) or None)


def credit_status(session: Session, customer: Customer) -> dict[str, object]:
    """The customer's standing now (the ``customer.credit_status`` query)."""
    pos = position(session, customer)
    decision = decide(pos)
    return {"customer_id": customer.id, "credit_limit": pos.credit_limit,
            "open_receivables": pos.open_receivables, "open_orders": pos.open_orders,
            "exposure": pos.exposure, "overdue_amount": pos.overdue_amount,
            "available_credit": max(pos.credit_limit - pos.exposure, ZERO),
            "blocked": decision.blocked, "reason": decision.reason}
