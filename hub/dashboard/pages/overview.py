"""Overview: traffic and error rate per system over the last hour, queue depth, dead letters, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard.charts import line_chart
from hub.dashboard.web import Services, Viewer, render, zone

router = APIRouter()


@router.get("/")
async def overview(request: Request, who: Viewer, admin: Services) -> Response:
    stats = admin.stats

    def gather() -> dict[str, Any]:
        return {"throughput": stats.throughput(), "health": stats.health(), "counts": stats.message_counts(),
                "queue": stats.queue_depth(), "dead": stats.dead_count()}
    data = await run_in_threadpool(gather)
    tz = zone(request)
    tp = data["throughput"]
    values: dict[str, Any] = dict(data, messages_chart=line_chart(tp.minutes, tp.messages, tz),
                                  errors_chart=line_chart(tp.minutes, tp.error_rate, tz, percent=True),
                                  hour_total=int(sum(sum(s.values) for s in tp.messages)))
    template = "overview/_body.html" if request.headers.get("hx-request") else "overview/page.html"
    return render(request, who, template, **values)
