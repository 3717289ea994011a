"""Trace: one business transaction across systems, drawn as lanes with its messages in time order."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard import i18n
from hub.dashboard.charts import trace_picture
from hub.dashboard.web import Services, Viewer, message_key, redirect, render, url
from hub.operations import MessageFilter

router = APIRouter()

MAX_MESSAGES = 200
"""A trace draws at most this many messages (a transaction is rarely more than a few dozen)."""
RECENT = 15
"""The traces page lists this many recent transactions."""
SCANNED = 300
"""…found among this many newest messages."""
WORST_FIRST = ("failed", "dead", "rejected", "delivering", "received", "delivered", "no_route", "ignored")
"""A transaction shows the state of its worst message (open or failed work first)."""


def recent_transactions(admin: Any, lang: str = i18n.EN) -> list[dict[str, Any]]:
    """The newest business transactions: business keys (labelled as the message list labels them: ``MRP run
    1``), systems touched (senders and targets), messages, last activity and the worst state — so a
    newcomer can open one without knowing an id."""
    ops = admin.hub.operations
    newest = admin.search.find(MessageFilter(), limit=SCANNED).items
    order: list[str] = []
    for m in newest:
        if m.correlation_id and m.correlation_id not in order:
            order.append(m.correlation_id)
    out = []
    for cid in order[:RECENT]:
        messages = ops.trace(cid)[:MAX_MESSAGES]
        if not messages:
            continue
        systems: list[str] = []
        for m in messages:
            for name in [m.connector] + [d.connector for d in ops.get_message(m.id).deliveries
                                         if m.canonical_id is None or d.canonical_id == m.canonical_id]:
                if name not in systems:
                    systems.append(name)
        catalog = admin.hub.registry.catalog
        keys = list(dict.fromkeys(message_key(m, lang, catalog)["text"] for m in messages if m.subject))
        states = {m.status for m in messages}
        out.append({"id": cid, "business_keys": keys, "systems": systems, "count": len(messages),
                    "last": max(m.updated_at for m in messages),
                    "state": next((s for s in WORST_FIRST if s in states), messages[-1].status)})
    return out


@router.get("/traces")
async def find(request: Request, who: Viewer, admin: Services, q: str = "") -> Response:
    """Open the trace of a correlation id — or of the first message a business key finds."""
    q = q.strip()
    if q:
        if await run_in_threadpool(admin.hub.operations.trace, q):
            return redirect(url(f"/traces/{q}"))
        page = await run_in_threadpool(lambda: admin.search.find(MessageFilter(q=q), limit=20))
        found = next((m.correlation_id for m in page.items if m.correlation_id), None)
        if found:
            return redirect(url(f"/traces/{found}"))
    recent = [] if q else await run_in_threadpool(recent_transactions, admin, i18n.negotiate(request))
    return render(request, who, "traces.html", q=q, picture=None, steps=[], correlation_id=None,
                  searched=bool(q), recent=recent)


@router.get("/traces/{correlation_id}")
async def trace(request: Request, correlation_id: str, who: Viewer, admin: Services) -> Response:
    ops = admin.hub.operations

    def gather() -> list[dict[str, Any]]:
        """One step per canonical message of the transaction (a split event's parts each), with its deliveries."""
        out = []
        details: dict[str, Any] = {}
        for m in ops.trace(correlation_id)[:MAX_MESSAGES]:
            detail = details.get(m.id) or details.setdefault(m.id, ops.get_message(m.id))
            out.append({"id": m.id, "connector": m.connector, "status": m.status, "when": m.received_at,
                        "type": m.type, "no_route": m.no_route,
                        "label": " ".join(x for x in (m.type or m.native_type, m.subject) if x),
                        "deliveries": [{"connector": d.connector, "operation": d.operation, "status": d.status,
                                        "when": d.delivered_at or d.created_at} for d in detail.deliveries
                                       if m.canonical_id is None or d.canonical_id == m.canonical_id]})
        return out
    messages = await run_in_threadpool(gather)
    picture = trace_picture(messages) if messages else None
    return render(request, who, "traces.html", q=correlation_id, picture=picture, correlation_id=correlation_id,
                  searched=True, messages=messages)
