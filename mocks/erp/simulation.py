"""The ERP acting on its own: customers pay their invoices.

Each tick walks the open invoices in invoice order; an invoice that is due
within ``PAY_WINDOW_DAYS`` (or already overdue) is paid in full with chance
``PAY_CHANCE``, drawn from the seeded ``rng`` — so a given seed always pays
the same invoices in the same order. Each payment is an ordinary
``payment.posted``, exactly as if the bank statement had been entered.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.erp.models import Invoice
from mocks.erp.rules.billing import pay

PAY_CHANCE = 0.35
"""Chance that a customer pays a due invoice in one tick."""
PAY_WINDOW_DAYS = 7
"""Invoices falling due within this many days count as due (customers pay a little early)."""


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    today = date.today()
    due = session.scalars(select(Invoice).where(Invoice.status == "open",
                                                Invoice.due_date <= today + timedelta(days=PAY_WINDOW_DAYS))
                          .order_by(Invoice.id)).all()
    paid = []
    for invoice in due:
        if rng.random() < PAY_CHANCE:
            payment = pay(session, invoice, invoice.open_amount, today)
            paid.append({"invoice_no": invoice.invoice_no, "payment_no": payment.payment_no,
                         "amount": f"{payment.amount:.2f}"})
    return {"due": len(due), "paid": paid}
