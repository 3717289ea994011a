"""Stock alerts from WMS, listed for sales so they can promote a substitute.

One open alert per product and warehouse: a repeated or newer alert for
the same pair updates the open one instead of piling up (so a retried hub
delivery is harmless). Sales acknowledge an alert; the next shortfall after
that opens a new one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.crm import clock
from mocks.crm.models import StockAlert
from mocks.crm.rules.common import next_serial, referenced_product
from mocks.crm.schemas import StockAlertIn

ALERT_ID_PREFIX = "ALT-"


def list_alerts(session: Session, *, status: str | None = None,
                product_code: str | None = None) -> list[StockAlert]:
    stmt = select(StockAlert).order_by(StockAlert.alert_id)
    if status:
        stmt = stmt.where(StockAlert.status == status)
    if product_code:
        stmt = stmt.where(StockAlert.product_code == product_code)
    return list(session.scalars(stmt))


def get_alert(session: Session, alert_id: str) -> StockAlert:
    alert = session.scalar(select(StockAlert).where(StockAlert.alert_id == alert_id))
    if alert is None:
        raise NotFound("stock alert", alert_id, field="alertId")
    return alert


def raise_alert(session: Session, body: StockAlertIn) -> tuple[StockAlert, bool]:
    """Create the alert, or refresh the open one for the same product and warehouse."""
    product = referenced_product(session, body.product_code)
    substitutes = []
    for i, code in enumerate(body.substitutes):
        if code == product.product_code:
            raise BusinessError("self_substitute", f"{code} cannot substitute itself", field=f"substitutes.{i}")
        sub = referenced_product(session, code, field=f"substitutes.{i}")
        substitutes.append({"product_code": sub.product_code, "name": sub.name, "list_price": sub.list_price})
    alert = session.scalar(select(StockAlert).where(
        StockAlert.product_code == product.product_code, StockAlert.warehouse == body.warehouse,
        StockAlert.status == "open"))
    created = alert is None
    now = clock.now()
    if alert is None:
        alert = StockAlert(alert_id=next_serial(session, StockAlert.alert_id, ALERT_ID_PREFIX, 6),
                           product_code=product.product_code, warehouse=body.warehouse, status="open",
                           raised_at=body.raised_at or now)
        session.add(alert)
    alert.available, alert.safety_stock, alert.shortfall = body.available, body.safety_stock, body.shortfall
    alert.suggested_qty, alert.substitutes = body.suggested_qty, substitutes
    alert.source_ref = body.source_ref or alert.source_ref
    alert.updated_at = now
    session.flush()
    return alert, created


def acknowledge_alert(session: Session, alert_id: str, by: str) -> StockAlert:
    alert = get_alert(session, alert_id)
    if alert.status == "acknowledged":
        return alert
    alert.status, alert.acknowledged_by, alert.updated_at = "acknowledged", by, clock.now()
    session.flush()
    return alert
