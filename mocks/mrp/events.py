"""MRP's webhooks: native event names, the envelope, and helpers that queue them.

Body posted to the hub (``/webhooks/mrp``, signed per Standard Webhooks)::

    {"type": "planned_order.released", "id": "msg_…", "created": "20261122103000",
     "source": "mrp", "data": {…}}

``created`` is plant time (UTC+8), ``YYYYMMDDHHMMSS``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import emit
from mocks.common.company import BUDGETS
from mocks.mrp.dates import stamp
from mocks.mrp.models import Bom, Item, PlannedOrder, Run
from mocks.mrp.schemas import AffectedOrder, BomOut, PlannedOrderOut, SupplyOut

SOURCE = "mrp"
BOM_SAVED = "bom.saved"
RUN_COMPLETED = "run.completed"
PLANNED_ORDER_RELEASED = "planned_order.released"
REQUISITION_CREATED = "requisition.created"
SUPPLY_DELAYED_REPLANNED = "supply.delayed_replanned"

BUDGET_CODES: dict[str, str] = {b["code"].rsplit("-", 1)[1]: b["code"] for b in BUDGETS}
"""Purchasing budget per item class: ``{"RM": "PUR-2026-RM", "FG": "PUR-2026-FG"}``."""


def envelope(event_type: str, data: dict[str, Any], event_id: str, occurred_at: datetime) -> dict[str, Any]:
    """MRP's native webhook body."""
    return {"type": event_type, "id": event_id, "created": stamp(occurred_at), "source": SOURCE, "data": data}


def bom_saved(session: Session, bom: Bom, uoms: dict[str, str]) -> None:
    """A BOM version was created or changed (→ ``bom.released``)."""
    emit(session, BOM_SAVED, BomOut.of(bom, uoms).model_dump(mode="json"))


def run_completed(session: Session, run: Run, orders: list[PlannedOrderOut]) -> None:
    """A planning run finished (→ ``mrp.plan.released``)."""
    emit(session, RUN_COMPLETED, {
        "run_id": run.id, "start_date": run.start_date, "bucket_days": run.bucket_days,
        "horizon": run.horizon, "trigger": run.trigger, "created": run.created,
        "planned_count": run.planned_count, "late_count": run.late_count,
        "planned_orders": [o.model_dump(mode="json", include={
            "planned_order_id", "item", "action", "qty", "uom", "due_date", "release_date", "late",
            "origin_ref"}) for o in orders],
    })


def production_released(session: Session, order: PlannedOrder, item: Item) -> None:
    """A planned make order became a production order (→ ``production_order.released``)."""
    emit(session, PLANNED_ORDER_RELEASED, {
        "kind": "production", "order_no": order.order_no, "planned_order_id": order.id,
        "run_id": order.run_id, "item": order.item, "item_name": item.name,
        "qty": _num(order.qty), "uom": item.uom, "bom_version": order.bom_version,
        "start_date": order.release_date, "end_date": order.due_date, "late": order.late,
        "origin_ref": order.origin_ref,
    })


def requisition_created(session: Session, order: PlannedOrder, item: Item) -> None:
    """A planned buy order became a purchase requisition (→ ``purchase_requisition.raised``)."""
    emit(session, REQUISITION_CREATED, {
        "requisition_no": order.order_no, "planned_order_id": order.id, "run_id": order.run_id,
        "item": order.item, "item_name": item.name, "qty": _num(order.qty), "uom": item.uom,
        "need_by": order.due_date, "release_date": order.release_date, "late": order.late,
        "unit_cost": item.std_cost, "estimated_amount": round(order.qty * item.std_cost, 2),
        "currency": "CNY", "budget_code": BUDGET_CODES.get(item.item_class, BUDGET_CODES["RM"]),
        "origin_ref": order.origin_ref,
    })


def supply_delayed(session: Session, *, ref: str, new_due_date: str, reason: str | None,
                   supplies: list[SupplyOut], old_due_dates: list[str], affected: list[AffectedOrder],
                   run_id: int | None) -> None:
    """An open supply moved; lists the make orders that now wait for it (→ ``production_order.rescheduled``)."""
    first = supplies[0]
    emit(session, SUPPLY_DELAYED_REPLANNED, {
        "ref": ref, "kind": first.kind, "line_no": first.line_no if len(supplies) == 1 else None,
        "item": first.item, "qty": _num(first.open_qty), "old_due_date": min(old_due_dates),
        "new_due_date": new_due_date, "reason": reason, "run_id": run_id,
        "affected_orders": [a.model_dump(mode="json") for a in affected],
    })


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
