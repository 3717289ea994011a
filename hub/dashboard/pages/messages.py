"""Messages: the live-tailing log with filters and business-key search, one message in full, replay and retry."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from hub.dashboard import i18n
from hub.dashboard.web import Form, Operator, Services, Viewer, flash, fragment, redirect, render, url, zone
from hub.errors import RequestRefused
from hub.operations import MessageFilter
from hub.store.models import DeliveryStatus, MessageStatus
from hub.views import MessageDetail

router = APIRouter()

PAGE_SIZE = 50
TAIL_POLL_S = 1.0
TAIL_KEEPALIVE_S = 15.0
TAIL_MAX_S = 20.0
"""A stream ends after this long and the browser reconnects (resuming from Last-Event-ID): short, so a
server shutting down never waits long for an open tail."""
OPEN_MESSAGE_STATES = (MessageStatus.RECEIVED, MessageStatus.DELIVERING)
FILTER_KEYS = ("q", "connector", "type", "status", "since", "until")


def parse_filter(request: Request) -> tuple[MessageFilter, dict[str, str]]:
    """The filter from the query string (local ``datetime-local`` values read in the user's zone)."""
    raw = {k: request.query_params.get(k, "").strip() for k in FILTER_KEYS}
    tz = zone(request)

    def when(value: str) -> datetime | None:
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)

    return MessageFilter(q=raw["q"] or None, connector=raw["connector"] or None, type=raw["type"] or None,
                         status=raw["status"] or None, since=when(raw["since"]), until=when(raw["until"])), raw


@router.get("/messages")
async def messages(request: Request, who: Viewer, admin: Services, cursor: str | None = None) -> Response:
    f, raw = parse_filter(request)
    page = await run_in_threadpool(lambda: admin.search.find(f, limit=PAGE_SIZE, cursor=cursor))
    stream = url("/messages/stream", tail_from=datetime.now(UTC).isoformat(), **raw)
    values: dict[str, Any] = dict(page=page, filters=raw, stream=None if cursor else stream, cursor=cursor,
                  filtered=any(raw.values()), connectors=sorted(admin.hub.registry.connectors),
                  types=admin.hub.registry.catalog.names(), statuses=MessageStatus.ALL,
                  next_url=url("/messages", cursor=page.next_cursor, **raw) if page.next_cursor else None)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, who, "messages/_results.html", **values)
    return render(request, who, "messages/list.html", **values)


@router.get("/messages/stream")
async def stream(request: Request, who: Viewer, admin: Services) -> StreamingResponse:
    """Server-sent events: each new or changed message matching the filter, as a rendered table row."""
    f, _ = parse_filter(request)
    resume = request.headers.get("last-event-id") or request.query_params.get("tail_from")
    try:
        since = datetime.fromisoformat(resume) if resume else datetime.now(UTC)
    except ValueError:
        since = datetime.now(UTC)
    since = since if since.tzinfo else since.replace(tzinfo=UTC)

    async def events() -> AsyncIterator[str]:
        nonlocal since
        started = last_sent = time.monotonic()
        yield "retry: 2000\n\n"
        while time.monotonic() - started < TAIL_MAX_S:
            if await request.is_disconnected():
                return
            changed = await run_in_threadpool(admin.search.changed_since, f, since)
            for m in changed:
                html = fragment(request, who, "messages/_row.html", m=m)
                since = max(since, m.updated_at)
                yield f"id: {since.isoformat()}\nevent: row\ndata: {json.dumps({'id': m.id, 'html': html})}\n\n"
                last_sent = time.monotonic()
            if time.monotonic() - last_sent > TAIL_KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(TAIL_POLL_S)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


@router.get("/messages/{message_id}")
async def message(request: Request, message_id: str, who: Viewer, admin: Services) -> Response:
    detail = await run_in_threadpool(admin.hub.operations.get_message, message_id)
    values = _detail_values(admin, detail)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "live":
        return render(request, who, "messages/_live.html", **values)
    return render(request, who, "messages/detail.html", **values)


@router.post("/messages/{message_id}/replay")
async def replay(request: Request, message_id: str, who: Operator, form: Form, admin: Services) -> Response:
    remap = str(form.get("remap", "")) in ("1", "true", "on")
    result = await run_in_threadpool(lambda: admin.actions.replay(who, message_id, remap=remap, via="ui"))
    t = i18n.translator(i18n.negotiate(request))
    flash(request, t("flash.replayed", detail=result.detail or result.status))
    return redirect(url(f"/messages/{message_id}"))


@router.post("/messages/{message_id}/records/{index}/replay")
async def replay_record(request: Request, message_id: str, index: int, who: Operator, form: Form,
                        admin: Services) -> Response:
    """Replay one failed record of a split batch; the records already delivered are not sent again."""
    t = i18n.translator(i18n.negotiate(request))
    try:
        result = await run_in_threadpool(lambda: admin.actions.replay_record(who, message_id, index, via="ui"))
    except RequestRefused as exc:  # not failed, no longer split, or purged
        flash(request, t("flash.record_not_replayed", detail=exc.message), "error")
    else:
        failed = result.status == MessageStatus.FAILED
        flash(request, t("flash.record_replayed", n=index + 1, detail=result.detail or result.status),
              "error" if failed else "ok")
    return redirect(url(f"/messages/{message_id}"))


@router.post("/deliveries/{delivery_id}/retry")
async def retry(request: Request, delivery_id: str, who: Operator, form: Form, admin: Services) -> Response:
    result = await run_in_threadpool(lambda: admin.actions.retry(who, delivery_id, via="ui"))
    t = i18n.translator(i18n.negotiate(request))
    if result.status == DeliveryStatus.PENDING:
        flash(request, t("flash.retried"))
    else:
        flash(request, t("flash.not_retried", detail=result.detail or result.status), "error")
    back = str(form.get("message_id") or "")
    return redirect(url(f"/messages/{back}") if back else url("/dead-letters"))


def _detail_values(admin: Any, detail: MessageDetail) -> dict[str, Any]:
    """The message plus its before/after pairs: raw → canonical (inbound), envelope → call (each delivery)."""
    registry = admin.hub.registry
    canon = {c.id: c for c in detail.canonical}
    currents = [c for c in detail.canonical if c.current]
    current = currents[0] if currents else None
    pairs: list[dict[str, Any]] = []
    if current is not None:  # a split shows the array of payloads its mapping gave
        after = [c.envelope.get("data") for c in currents] if len(currents) > 1 else current.envelope.get("data")
        pairs.append({"kind": "inbound", "mapping": current.mapping, "connector": detail.connector,
                      "before": detail.body, "after": after})
    for d in detail.deliveries:
        c = registry.connector(d.connector)
        op = c.operations.get(d.operation) if c else None
        envelope = canon[d.canonical_id].envelope if d.canonical_id in canon else None
        if d.request is not None and envelope is not None:
            pairs.append({"kind": "outbound", "mapping": op.mapping if op else None, "connector": d.connector,
                          "before": envelope, "after": d.request.get("body")})
    open_ = detail.status in OPEN_MESSAGE_STATES or any(d.status in DeliveryStatus.OPEN for d in detail.deliveries)
    return {"m": detail, "current": current, "pairs": pairs, "live": open_,
            "canon_seq": {c.id: c.seq for c in detail.canonical},
            "retryable": ("dead", "rejected", "retrying", "paused")}
