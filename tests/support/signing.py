"""Sign requests the way a connected system does: with the standardwebhooks library."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook

from hub.settings import dev_secret


def signed(body: Any, *, connector: str = "webshop", secret: str | None = None, msg_id: str | None = None,
           age: timedelta = timedelta(0), extra_headers: dict[str, str] | None = None,
           raw: bytes | None = None) -> tuple[bytes, dict[str, str]]:
    """(body bytes, headers) for a Standard Webhooks request."""
    content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    ts = datetime.now(UTC) - age
    signature = Webhook(secret or dev_secret(connector)).sign(msg_id, ts, content.decode("utf-8", "replace"))
    headers = {"content-type": "application/json", "webhook-id": msg_id,
               "webhook-timestamp": str(int(ts.timestamp())), "webhook-signature": signature}
    headers.update(extra_headers or {})
    return content, headers


def order_created(number: str = "WS-1001", total_qty: str = "2", **extra: Any) -> dict[str, Any]:
    """A web shop order.created webhook body (the quickstart example's source event)."""
    return {"type": "order.created", "order": {
        "number": number, "created": "2026-11-22T10:00:00+08:00",
        "customer": {"code": "C-1", "name": "上海明辉贸易有限公司", "phone": "13801234567"},
        "currency": "CNY", "salesperson": "liqiang",
        "items": [{"sku": "PRD-DESK-1200", "quantity": total_qty, "price": 1280.0, "uom": "件"}], **extra}}
