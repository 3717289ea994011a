"""The shop floor working on its own, one tick at a time (seeded, deterministic).

Each tick: every Released work order starts; every InProgress one reports a
chunk of :func:`units_per_tick` units on its current operation, scrapping
each unit with a rate drawn per report from 0–:data:`MAX_SCRAP_RATE` spread
over the routing's operations (so an order's defect rate stays near 0–4 %); an
order whose last operation has processed everything completes (through the
same rules as a terminal report). OnHold orders wait.
"""

from __future__ import annotations

import os
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.mes.models import Operator, WorkOrder
from mocks.mes.rules import progress, workorders
from mocks.mes.rules.common import IN_PROGRESS, RELEASED

UNITS_PER_TICK_ENV = "MOCK_MES_UNITS_PER_TICK"
DEFAULT_UNITS_PER_TICK = 25
MAX_SCRAP_RATE = 0.04


def units_per_tick() -> int:
    """Completion speed: units reported per order per tick (``MOCK_MES_UNITS_PER_TICK``)."""
    return max(1, int(os.environ.get(UNITS_PER_TICK_ENV, DEFAULT_UNITS_PER_TICK)))


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    chunk = units_per_tick()
    operators = list(session.scalars(select(Operator.operator_no).where(Operator.active)
                                     .order_by(Operator.operator_no)))
    started, reported, completed = [], [], []
    orders = session.scalars(select(WorkOrder).where(WorkOrder.status.in_((RELEASED, IN_PROGRESS)))
                             .order_by(WorkOrder.planned_start, WorkOrder.work_order_no)).all()
    for wo in orders:
        if wo.status == RELEASED:
            workorders.start(session, wo)
            started.append(wo.work_order_no)
        current = progress.current_operation(wo)
        if current is None or not operators:
            continue
        op, remaining = current
        qty = min(chunk, remaining)
        if qty <= 0:
            continue
        rate = rng.uniform(0, MAX_SCRAP_RATE) / len(wo.operations)
        scrap = sum(1 for _ in range(qty) if rng.random() < rate)
        progress.report_progress(session, wo.work_order_no, operation_no=op.operation_no,
                                 good_qty=qty - scrap, scrap_qty=scrap, operator=rng.choice(operators))
        reported.append({"WorkOrderNo": wo.work_order_no, "OperationNo": op.operation_no,
                         "GoodQty": qty - scrap, "ScrapQty": scrap})
        if wo.status == "Completed":
            completed.append(wo.work_order_no)
    return {"Started": started, "Reported": reported, "Completed": completed}
