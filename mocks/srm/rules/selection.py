"""Which supplier gets a requisition line.

Candidates: suppliers whose qualification is ``APPROVED`` and that have a price
for the material valid today (``validFrom ≤ today ≤ validTo``) for the line's
quantity (``minQty ≤ qty``). ``BLOCKED`` and ``PENDING`` suppliers are never
candidates, however cheap. No candidate → the line is ``NO_SOURCE`` with a reason.

Each candidate is scored (higher wins)::

    score = 0.5 · priceScore + 0.3 · leadScore + 0.2 · ratingScore
    priceScore  = cheapest candidate price / this price          (1 for the cheapest)
    leadScore   = 1                                    if today + leadTimeDays ≤ needBy
                = max(0, 1 − daysLate / 14)            otherwise (a fortnight late scores 0)
    ratingScore = rating / 5

Ties go to the earlier promised date, then the lower supplier id. The promised
date is ``needBy`` when the supplier can make it, else ``today + leadTimeDays``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.srm import vocab
from mocks.srm.models import PriceEntry, Supplier
from mocks.srm.rules.suppliers import lead_time_days, valid_price

PRICE_WEIGHT: Final = 0.5
LEAD_WEIGHT: Final = 0.3
RATING_WEIGHT: Final = 0.2
LATE_HORIZON_DAYS: Final = 14
"""A supplier this many days late (or more) gets no lead-time score at all."""
MAX_RATING: Final = 5.0


@dataclass(frozen=True)
class Candidate:
    supplier: Supplier
    entry: PriceEntry
    lead_time_days: int
    promised_date: date
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"supplierId": self.supplier.id, "unitPrice": self.entry.price,
                "leadTimeDays": self.lead_time_days, "promisedDate": vocab.fmt_date(self.promised_date),
                "rating": self.supplier.rating, "score": self.score}


@dataclass(frozen=True)
class Selection:
    """The outcome for one line: ``chosen`` is None when there is no source (see ``reason``)."""

    chosen: Candidate | None
    candidates: list[Candidate]
    reason: str | None


def lead_score(today: date, lead_days: int, need_by: date) -> float:
    days_late = (today + timedelta(days=lead_days) - need_by).days
    return 1.0 if days_late <= 0 else max(0.0, 1 - days_late / LATE_HORIZON_DAYS)


def score(price: float, cheapest: float, lead: float, rating: float) -> float:
    return round(PRICE_WEIGHT * (cheapest / price) + LEAD_WEIGHT * lead
                 + RATING_WEIGHT * (rating / MAX_RATING), 4)


def select_supplier(session: Session, material_code: str, qty: float, need_by: date, today: date) -> Selection:
    """Score every eligible supplier for the line and pick the best (see the module docstring)."""
    offers: list[tuple[Supplier, PriceEntry]] = []
    excluded: list[str] = []
    for supplier in session.scalars(select(Supplier).order_by(Supplier.id)):
        entry = valid_price(supplier, material_code, qty, today)
        if entry is None:
            continue
        if supplier.status != vocab.APPROVED:
            excluded.append(f"{supplier.id} is {supplier.status}")
            continue
        offers.append((supplier, entry))
    if not offers:
        why = f"no APPROVED supplier has a valid price for {material_code} at qty {qty:g} on {vocab.fmt_date(today)}"
        return Selection(None, [], why + (f" ({'; '.join(excluded)})" if excluded else ""))
    cheapest = min(entry.price for _, entry in offers)
    candidates = []
    for supplier, entry in offers:
        lead = lead_time_days(supplier, entry)
        earliest = today + timedelta(days=lead)
        candidates.append(Candidate(
            supplier=supplier, entry=entry, lead_time_days=lead, promised_date=max(need_by, earliest),
            score=score(entry.price, cheapest, lead_score(today, lead, need_by), supplier.rating)))
    candidates.sort(key=lambda c: (-c.score, c.promised_date, c.supplier.id))
    return Selection(candidates[0], candidates, None)
