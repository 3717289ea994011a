"""The shop floor working on its own, one tick at a time (seeded, deterministic).

Each tick: every Released work order starts; every InProgress one reports a
chunk of :func:`units_per_tick` units on its current operation, scrapping
each unit with a rate drawn per report from 0–:data:`MAX_SCRAP_RATE` spread
over the routing's operations (so an order's defect rate stays near 0–4 %); an
order whose last operation has processed everything completes (through the
same rules as a terminal report). OnHold orders wait.

The quality department works its complaints a tick at a time: an Open one is
taken up by the first quality operator; one already under investigation is
resolved with a finding that follows from its evidence (the linked inspection
that rejected the most, else a seeded finding) and a disposition by severity
(:data:`DISPOSITION_BY_SEVERITY`).
"""

from __future__ import annotations

import os
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.mes.models import Complaint, Inspection, Operator, WorkOrder
from mocks.mes.rules import complaints, progress, workorders
from mocks.mes.rules.common import IN_PROGRESS, RELEASED

UNITS_PER_TICK_ENV = "MOCK_MES_UNITS_PER_TICK"
DEFAULT_UNITS_PER_TICK = 25
MAX_SCRAP_RATE = 0.04
DISPOSITION_BY_SEVERITY = {"Critical": "Replace", "High": "Replace", "Medium": "Repair", "Low": "Credit"}
FINDINGS: tuple[tuple[str, str], ...] = (
    ("焊接电流偏低导致桌腿焊点虚焊", "调整焊接参数，焊点 100% 目检，首件送检"),
    ("封边胶温度不足导致桌面板开胶", "封边机加装温控报警，每班点检胶温"),
    ("螺栓批次硬度不达标", "隔离该批次，来料检验增加硬度抽检"),
    ("包装缓冲不足造成运输磕碰", "更换加厚护角，出货前增加跌落测试"),
)
"""(root cause, corrective action) the quality department finds when the evidence names nothing."""


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
    investigating, resolved = _work_complaints(session, rng)
    return {"Started": started, "Reported": reported, "Completed": completed,
            "Investigating": investigating, "Resolved": resolved}


def _work_complaints(session: Session, rng: random.Random) -> tuple[list[str], list[str]]:
    quality = [op for op in session.scalars(select(Operator).where(Operator.active).order_by(Operator.operator_no))
               if complaints.QUALITY_ROLES & set(op.roles or [])]
    if not quality:
        return [], []
    investigator = quality[0].operator_no
    open_now = session.scalars(select(Complaint).where(Complaint.status.in_((complaints.OPEN,
                                                                              complaints.INVESTIGATING)))
                               .order_by(Complaint.complaint_no)).all()
    started, resolved = [], []
    for c in open_now:
        if c.status == complaints.OPEN:
            complaints.start_investigation(session, c.complaint_no, investigator=investigator)
            started.append(c.complaint_no)
            continue
        cause, action = _finding(session, c, rng)
        complaints.resolve(session, c.complaint_no, root_cause=cause, corrective_action=action,
                           disposition=DISPOSITION_BY_SEVERITY.get(c.severity, "Repair"),
                           investigator=c.investigator or investigator)
        resolved.append(c.complaint_no)
    return started, resolved


def _finding(session: Session, complaint: Complaint, rng: random.Random) -> tuple[str, str]:
    """What the evidence says: the linked inspection that rejected most, else a seeded finding."""
    worst = max((i for i in (session.get(Inspection, no) for no in complaint.inspections) if i is not None),
                key=lambda i: i.qty_rejected, default=None)
    cause, action = rng.choice(FINDINGS)
    if worst is not None and worst.qty_rejected > 0:
        return (f"{cause}（检验 {worst.inspection_no} 已拒收 {worst.qty_rejected}/{worst.qty_inspected}）",
                f"{action}；复核工单 {worst.ref_doc or '-'} 的同批次产品")
    return cause, action
