"""``POST /webhooks/{connector}``: where every system's events enter the hub.

The route runs on the event loop: the body is read, checked and parsed there, and the request
awaits its batch's commit (:meth:`hub.ingest.Ingestor.accept_async`) instead of holding a thread
of the pool while it waits. No session is read or written for it (:mod:`hub.api.app`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub.errors import PayloadTooLarge, StoreUnavailable
from hub.runtime import Hub

router = APIRouter(tags=["webhooks"])

_ERROR = {"content": {"application/json": {"example": {"error": {"code": "invalid_signature",
          "message": "signature verification failed: webhook-timestamp is older than the 5-minute tolerance"}}}}}


@router.post(
    "/webhooks/{connector}",
    status_code=202,
    summary="Accept a signed webhook or CloudEvent from a connector",
    description=(
        "Verifies the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) "
        "with the connector's secret, accepts plain JSON or a CloudEvent (binary `ce-*` headers or "
        "structured `application/cloudevents+json`), stores it and answers `202` with the hub's message id. "
        "A repeat of the same `webhook-id` (or CloudEvent `source`+`id`) answers `200` with the original id "
        "and `duplicate: true`, and is not processed again."),
    responses={
        202: {"content": {"application/json": {"example": {"id": "019a8f2e-7c1d-7b3a-9e4f-0a1b2c3d4e5f",
                                                            "status": "accepted", "duplicate": False}}}},
        200: {"description": "a duplicate: the original message id"},
        400: {"description": "body is not UTF-8 or not JSON", **_ERROR},
        401: {"description": "missing, bad or stale signature", **_ERROR},
        404: {"description": "unknown connector", **_ERROR},
        413: {"description": "payload too large", **_ERROR},
        503: {"description": "the message store did not take the webhook (`store_unavailable`): nothing "
                    "was stored; send it again after `Retry-After` seconds", **_ERROR},
        422: {"description": "JSON the hub will not store (`unsafe_json`: nested deeper than 64 levels, NaN or "
                    "Infinity, a NUL character), an invalid CloudEvent (`invalid_cloudevent`), or a message id "
                    "longer than 255 characters (`invalid_message_id`)", **_ERROR},
    },
)
async def receive(connector: str, request: Request) -> Any:
    hub: Hub = request.app.state.hub  # not a dependency: FastAPI would run a plain function in a thread
    limit = hub.settings.max_payload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body is {declared} bytes; the limit is {limit}", limit=limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"body exceeds the limit of {limit} bytes", limit=limit)
    try:
        accepted = await hub.ingestor.accept_async(connector, dict(request.headers), bytes(body))
    except StoreUnavailable as exc:
        hub.metrics.refused.labels(connector, exc.code).inc()
        return JSONResponse(exc.body(), status_code=exc.status, headers={"Retry-After": str(exc.retry_after_s)})
    except Exception as exc:
        reason = getattr(exc, "code", None)
        if reason:
            hub.metrics.refused.labels(connector if hub.registry.connector(connector) else "_unknown",
                                       reason).inc()
        raise
    hub.metrics.received.labels(connector, str(accepted.duplicate).lower()).inc()
    return JSONResponse({"id": accepted.id, "status": "accepted", "duplicate": accepted.duplicate},
                        status_code=200 if accepted.duplicate else 202)
