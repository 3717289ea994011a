"""Overview: traffic and error rate per system (where the activity is, or a picked range), queue depth,
dead letters, health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard.charts import line_chart, step_label
from hub.dashboard.web import Services, Viewer, local_time, render, zone
from hub.stats import AUTO, RANGES

router = APIRouter()


@router.get("/")
async def overview(request: Request, who: Viewer, admin: Services, range: str = AUTO) -> Response:
    stats = admin.stats
    chosen = range if range in RANGES else AUTO

    def gather() -> dict[str, Any]:
        window = stats.window(chosen)
        return {"window": window, "throughput": stats.throughput(window=window), "health": stats.health(),
                "counts": stats.message_counts(), "queue": stats.queue_depth(), "dead": stats.dead_count()}
    data = await run_in_threadpool(gather)
    tz = zone(request)
    tp, window = data["throughput"], data["window"]
    values: dict[str, Any] = dict(data, messages_chart=line_chart(tp.minutes, tp.messages, tz, step=tp.step),
                                  errors_chart=line_chart(tp.minutes, tp.error_rate, tz, percent=True, step=tp.step),
                                  range_total=int(sum(sum(s.values) for s in tp.messages)), step=step_label(tp.step),
                                  range=chosen, ranges=[AUTO, *RANGES],
                                  window_from=local_time(window.start, tz, seconds=False),
                                  window_to=local_time(window.end, tz, seconds=False))
    template = "overview/_body.html" if request.headers.get("hx-request") else "overview/page.html"
    return render(request, who, template, **values)
