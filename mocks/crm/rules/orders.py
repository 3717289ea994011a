"""Sales orders as a salesperson handles them: draft, submit, cancel.

The life of an order (only these moves are legal; anything else is a 409
``illegal_transition`` naming the rule)::

    draft ─submit→ submitted ─credit→ accepted | blocked
    accepted ─production→ inProduction ─shipment→ shipped ─invoice→ invoiced
    accepted ─shipment→ shipped            (goods bought in, shipped from stock)
    blocked ─credit re-check→ accepted
    draft | submitted | accepted | blocked ─cancel→ cancelled

The salesperson moves ``draft → submitted`` and cancels; every later move is
what another system reports through the hub (see :mod:`.fulfilment`).
Lines are checked when written: known, sold product; quantity > 0 (whole
units for PCS); the price defaults to the product's list price.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError
from mocks.crm import clock, events
from mocks.crm.models import Opportunity, SalesOrder, SalesOrderLine, TimelineEntry
from mocks.crm.rules.common import (
    get_order,
    next_order_no,
    referenced_customer,
    referenced_product,
    referenced_salesperson,
)
from mocks.crm.schemas import OrderLineIn, SalesOrderIn, SalesOrderPatch

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "cancelled"}),
    "submitted": frozenset({"accepted", "blocked", "cancelled"}),
    "accepted": frozenset({"inProduction", "shipped", "blocked", "cancelled"}),
    "blocked": frozenset({"accepted", "cancelled"}),
    "inProduction": frozenset({"shipped"}),
    "shipped": frozenset({"invoiced"}),
    "invoiced": frozenset(),
    "cancelled": frozenset(),
}
"""Every legal status move; the keys are all the statuses an order can have."""

WHOLE_UNIT_UOMS = frozenset({"PCS", "SET"})


def move(order: SalesOrder, to: str, *, action: str) -> str:
    """Set ``order.status`` to ``to`` if the life-cycle allows it; returns the old status."""
    if to not in TRANSITIONS[order.status]:
        allowed = ", ".join(sorted(TRANSITIONS[order.status])) or "nothing (final)"
        raise BusinessError(
            "illegal_transition",
            f"cannot {action} order {order.order_no}: status {order.status} → {to} is not allowed "
            f"(from {order.status} only: {allowed})",
            field="status", status=409)
    old, order.status = order.status, to
    order.updated_at = clock.now()
    return old


def note(order: SalesOrder, kind: str, summary: str, *, source: str, ref: str | None = None,
         details: dict[str, Any] | None = None, at: Any = None) -> TimelineEntry:
    """Add one entry to the order's timeline."""
    entry = TimelineEntry(kind=kind, source=source, summary=summary, ref=ref, details=details or {},
                          occurred_at=clock.local(at) if at else clock.now(), recorded_at=clock.now())
    order.timeline.append(entry)
    return entry


def list_orders(session: Session, *, status: str | None = None, customer_id: str | None = None,
                salesperson_id: str | None = None) -> list[SalesOrder]:
    stmt = select(SalesOrder).order_by(SalesOrder.order_no)
    if status:
        stmt = stmt.where(SalesOrder.status == status)
    if customer_id:
        stmt = stmt.where(SalesOrder.customer_id == customer_id)
    if salesperson_id:
        stmt = stmt.where(SalesOrder.salesperson_id == salesperson_id)
    return list(session.scalars(stmt))


def create_order(session: Session, body: SalesOrderIn) -> SalesOrder:
    """A new draft order for an active customer; nothing leaves the CRM until it is submitted."""
    customer = referenced_customer(session, body.customer_id)
    salesperson_id = body.salesperson_id or customer.owner_id
    if not salesperson_id:
        raise BusinessError("salesperson_required",
                            f"customer {customer.customer_id} has no owner; name a salespersonId",
                            field="salespersonId")
    referenced_salesperson(session, salesperson_id)
    if body.opportunity_id:
        _check_opportunity(session, body.opportunity_id, customer.customer_id)
    now = clock.now()
    order = SalesOrder(order_no=next_order_no(session), customer_id=customer.customer_id,
                       salesperson_id=salesperson_id, opportunity_id=body.opportunity_id,
                       customer_po_no=body.customer_po_no, currency=body.currency, remarks=body.remarks,
                       external_refs=dict(body.external_refs), status="draft", created_at=now, updated_at=now)
    order.lines = _lines(session, body.lines)
    order.total_amount = _total(order.lines)
    session.add(order)
    note(order, "created", f"draft created by {salesperson_id}", source="crm")
    session.flush()
    return order


def update_draft(session: Session, order_no: str, patch: SalesOrderPatch) -> SalesOrder:
    """Change a draft; a submitted order is ERP's business now and cannot be edited here."""
    order = get_order(session, order_no)
    if order.status != "draft":
        raise BusinessError("not_editable", f"order {order_no} is {order.status}; only a draft can be edited",
                            field="status", status=409)
    fields = patch.model_dump(by_alias=False, exclude_unset=True)
    if fields.get("salesperson_id"):
        referenced_salesperson(session, fields["salesperson_id"])
        order.salesperson_id = fields["salesperson_id"]
    for name in ("customer_po_no", "remarks"):
        if name in fields:
            setattr(order, name, fields[name])
    if patch.lines is not None:
        lines = _lines(session, patch.lines)
        order.lines.clear()
        session.flush()  # old line numbers go before the new ones arrive
        order.lines = lines
        order.total_amount = _total(lines)
    order.updated_at = clock.now()
    session.flush()
    return order


def submit_order(session: Session, order_no: str) -> SalesOrder:
    """draft → submitted; emits ``salesOrder.submitted`` for ERP (via the hub)."""
    order = get_order(session, order_no)
    move(order, "submitted", action="submit")
    referenced_customer(session, order.customer_id)
    for i, line in enumerate(order.lines):
        referenced_product(session, line.product_code, field=f"lines.{i}.productCode")
    order.submitted_at = clock.now()
    order.credit_status = "pending"
    note(order, "submitted", f"submitted, total {order.total_amount:.2f} {order.currency}", source="crm")
    session.flush()
    events.order_submitted(session, order)
    return order


def cancel_order(session: Session, order_no: str, reason: str) -> SalesOrder:
    """Cancel before production starts; other systems hear of it only if it had been submitted."""
    order = get_order(session, order_no)
    old = move(order, "cancelled", action="cancel")
    order.cancel_reason = reason
    note(order, "cancelled", f"cancelled: {reason}", source="crm", details={"from": old})
    session.flush()
    if old != "draft":
        events.order_cancelled(session, order, old)
    return order


# ----------------------------------------------------------------- internals
def _lines(session: Session, lines: list[OrderLineIn]) -> list[SalesOrderLine]:
    out: list[SalesOrderLine] = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        line_no = line.line_no or i + 1
        if line_no in seen:
            raise BusinessError("duplicate_line_no", f"lineNo {line_no} appears twice",
                                field=f"lines.{i}.lineNo")
        seen.add(line_no)
        product = referenced_product(session, line.product_code, field=f"lines.{i}.productCode")
        if product.uom in WHOLE_UNIT_UOMS and line.quantity != int(line.quantity):
            raise BusinessError("whole_units_only",
                                f"{product.product_code} is sold in whole {product.uom}, got {line.quantity}",
                                field=f"lines.{i}.quantity")
        price = line.unit_price if line.unit_price is not None else product.list_price
        if price is None:
            raise BusinessError("price_required", f"{product.product_code} has no list price; send unitPrice",
                                field=f"lines.{i}.unitPrice")
        out.append(SalesOrderLine(line_no=line_no, product_code=product.product_code,
                                  product_name=product.name, uom=product.uom, quantity=line.quantity,
                                  unit_price=round(price, 2), line_amount=round(line.quantity * price, 2),
                                  required_date=line.required_date))
    return out


def _total(lines: list[SalesOrderLine]) -> float:
    return round(sum(line.line_amount for line in lines), 2)


def _check_opportunity(session: Session, opportunity_id: str, customer_id: str) -> None:
    opp = session.scalar(select(Opportunity).where(Opportunity.opportunity_id == opportunity_id))
    if opp is None:
        raise BusinessError("unknown_opportunity", f"opportunity {opportunity_id!r} does not exist",
                            field="opportunityId")
    if opp.customer_id != customer_id:
        raise BusinessError("opportunity_of_other_customer",
                            f"opportunity {opportunity_id} belongs to {opp.customer_id}, not {customer_id}",
                            field="opportunityId")
    if opp.stage == "lost":
        raise BusinessError("opportunity_lost", f"opportunity {opportunity_id} was lost",
                            field="opportunityId")
