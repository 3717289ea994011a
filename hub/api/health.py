"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database (and broker) answer")
async def readyz(hub: HubDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await run_in_threadpool(hub.db.ping)
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports, never raises
        checks["database"] = f"down: {type(exc).__name__}"
    if not hub.settings.embedded:
        try:
            await run_in_threadpool(hub.broker.client.ping)  # type: ignore[attr-defined]
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"down: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(hub: HubDep) -> Response:
    body = await run_in_threadpool(generate_latest, hub.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
