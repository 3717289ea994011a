"""Reading the integration patterns' effects in the company: OA's approval forms and notices, the hub's routes."""

from __future__ import annotations

import re
from typing import Any

from tests.support.world import World

STOCK_FIELD = "仓库库存"
STOCK_TEXT = re.compile(r"^(?P<item>\S+) 可用 (?P<available>-?[\d.]+)，在库 (?P<on_hand>-?[\d.]+)，在途 (?P<incoming>-?[\d.]+)$")
TAPPED = ("sales_order.placed", "approval.decided", "invoice.issued", "payment.made", "payment.received")
"""The types connectors/audit.yaml wire-taps."""
PURCHASING, PRODUCTION = "buy", "make"


def stock_shown(instance: dict[str, Any]) -> dict[str, Any] | None:
    """The 仓库库存 figures on an approval form (None when the form has none)."""
    value = next((f["value"] for f in instance["formComponentValues"] if f["name"] == STOCK_FIELD), None)
    if value is None:
        return None
    found = STOCK_TEXT.match(value)
    assert found, f"{STOCK_FIELD} reads {value!r}"
    return {"item": found["item"], **{k: float(found[k]) for k in ("available", "on_hand", "incoming")}}


def requisition_approvals(world: World) -> list[dict[str, Any]]:
    return [a for a in world.company.call("oa", "GET", "/api/processinstances")
            if a["processCode"] == "PURCHASE_REQUISITION"]


def canonical(world: World, type_: str) -> list[dict[str, Any]]:
    """The current canonical envelopes of ``type_``, each with its deliveries and its inbound message's status."""
    out = []
    for m in world.messages(type=type_):
        detail = world.api(f"/api/messages/{m['id']}")
        for c in detail["canonical"]:
            if c["current"] and c["envelope"]["type"] == type_:
                out.append({**c["envelope"], "_status": detail["status"], "_message": m["id"],
                            "_deliveries": [d for d in detail["deliveries"] if d["canonical_id"] == c["id"]]})
    return out


def plan_notices(world: World) -> set[str]:
    """The bizIds of the planning notices OA sent (``mrp:<run>:buy|make``), to anyone."""
    seen = set()
    for user in world.company.call("oa", "GET", "/api/users"):
        for n in world.company.call("oa", "GET", "/api/notifications", params={"userId": user["userId"]}):
            if (n.get("bizId") or "").startswith("mrp:"):
                seen.add(n["bizId"])
    return seen
