"""Suppliers acting on their own, one seeded tick at a time.

Each tick, every ISSUED purchase order (in PO-number order) waits one more tick;
its supplier confirms it with probability 1/2 after the first tick and surely
after the second, accepting every line as ordered (``po.confirmed``). Instead of
a plain confirmation, each line confirmed this way gets — with probability
``MOCK_SRM_DELAY_RATE`` (default 0.2) — a delay notice moving it 3–10 days later
(``po.delayed``). All random draws come from the tick's ``rng`` in a fixed order,
so a given seed always gives the same story.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.srm import schemas, vocab
from mocks.srm.models import PurchaseOrder
from mocks.srm.rules import orders

DELAY_RATE_ENV: Final = "MOCK_SRM_DELAY_RATE"
DEFAULT_DELAY_RATE: Final = 0.2
CONFIRM_CHANCE_FIRST_TICK: Final = 0.5
SURE_CONFIRM_AFTER_TICKS: Final = 2
DELAY_DAYS: Final = (3, 10)
DELAY_REASONS: Final = ("原材料短缺 raw material shortage", "设备检修 machine maintenance",
                        "物流延误 carrier delay")


def delay_rate() -> float:
    """``MOCK_SRM_DELAY_RATE`` as a probability (0–1); a bad value falls back to the default."""
    try:
        return min(1.0, max(0.0, float(os.environ.get(DELAY_RATE_ENV, DEFAULT_DELAY_RATE))))
    except ValueError:
        return DEFAULT_DELAY_RATE


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    rate = delay_rate()
    confirmed: list[str] = []
    delayed: list[dict[str, Any]] = []
    issued = session.scalars(select(PurchaseOrder).where(PurchaseOrder.status == vocab.ISSUED)
                             .order_by(PurchaseOrder.po_no)).all()
    for po in issued:
        po.sim_ticks += 1
        roll = rng.random()
        if po.sim_ticks < SURE_CONFIRM_AFTER_TICKS and roll >= CONFIRM_CHANCE_FIRST_TICK:
            continue
        orders.confirm(session, po.po_no, schemas.ConfirmIn(
            lines=[schemas.ConfirmLineIn(line_no=line.line_no, status=vocab.LINE_ACCEPTED) for line in po.lines]))
        confirmed.append(po.po_no)
        for line in po.lines:
            if rng.random() >= rate:
                continue
            new_date = line.expected_date + timedelta(days=rng.randint(*DELAY_DAYS))
            notice = orders.delay(session, po.po_no, schemas.DelayIn(
                line_no=line.line_no, new_date=new_date, reason=rng.choice(DELAY_REASONS)))
            delayed.append({"poNo": po.po_no, "lineNo": line.line_no, "newDate": vocab.fmt_date(notice.new_date)})
    return {"confirmed": confirmed, "delayed": delayed}
