"""Lookups, numbering and the named limits every MES rule shares."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mocks.common import BusinessError, NotFound
from mocks.mes.models import Operator, Part, WorkOrder

OVER_REPORT_TOLERANCE = 0.05
"""An operation may report this share above the planned quantity as good (rounded up)."""
CONDITIONAL_MAX_REJECT_RATE = 0.05
"""An inspection rejecting up to this share is ``Conditional``; above it, ``Fail``."""
DEFECT_RATE_DECIMALS = 4

RELEASED, IN_PROGRESS, COMPLETED, CLOSED, ON_HOLD = "Released", "InProgress", "Completed", "Closed", "OnHold"
OPEN_STATUSES = (RELEASED, IN_PROGRESS, ON_HOLD)
"""Not yet completed: these may still be reported on (when not on hold) or rescheduled."""


def max_good_qty(planned_qty: int) -> int:
    """The most good units an order of ``planned_qty`` may report: planned + tolerance."""
    return planned_qty + math.ceil(planned_qty * OVER_REPORT_TOLERANCE)


def next_number(session: Session, column: InstrumentedAttribute[str], prefix: str, width: int) -> str:
    """``prefix`` + the next zero-padded sequence number among values with that prefix."""
    last = session.scalar(select(func.max(column)).where(column.like(f"{prefix}%")))
    seq = int(last[len(prefix):len(prefix) + width]) + 1 if last else 1
    return f"{prefix}{seq:0{width}d}"


def get_part(session: Session, part_no: str, *, field: str = "PartNo") -> Part:
    """The part ``part_no``, or a 422 naming ``field`` (a reference inside a request body)."""
    part = session.get(Part, part_no)
    if part is None or not part.active:
        raise BusinessError("unknown_part", f"part {part_no!r} is not known to MES", field=field)
    return part


def get_operator(session: Session, operator_no: str, *, field: str = "Operator") -> Operator:
    op = session.get(Operator, operator_no)
    if op is None or not op.active:
        raise BusinessError("unknown_operator", f"operator {operator_no!r} is not known to MES", field=field)
    return op


def get_work_order(session: Session, work_order_no: str) -> WorkOrder:
    """The work order of a path id, or 404."""
    wo = session.get(WorkOrder, work_order_no)
    if wo is None:
        raise NotFound("work order", work_order_no, field="WorkOrderNo")
    return wo


def require_status(wo: WorkOrder, action: str, allowed: tuple[str, ...]) -> None:
    """409 naming the current status when ``action`` is not allowed from it."""
    if wo.status not in allowed:
        raise BusinessError(
            "illegal_transition",
            f"work order {wo.work_order_no} is {wo.status}; {action} needs status {' or '.join(allowed)}",
            field="Status", status=409)
