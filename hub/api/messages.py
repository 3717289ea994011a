"""The operations API: messages, deliveries, traces, replay and retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from hub.api.deps import OpsDep
from hub.api.security import Actor, AdminDep
from hub.auth.actions import BULK_LIMIT, MAX_BULK
from hub.operations import MessageFilter
from hub.store.models import DeliveryStatus, MessageStatus
from hub.views import ActionResult, BulkResult, DeliveryPage, MessageDetail, MessagePage, MessageSummary

router = APIRouter(prefix="/api", tags=["messages"])

StatusQ = Annotated[str | None, Query(description=f"one of: {', '.join(MessageStatus.ALL)}")]


@router.get("/messages", response_model=MessagePage, summary="Find messages")
async def list_messages(
    ops: OpsDep,
    type: Annotated[str | None, Query(description="canonical type", examples=["sales_order.placed"])] = None,
    status: StatusQ = None,
    connector: Annotated[str | None, Query(examples=["crm"])] = None,
    subject: Annotated[str | None, Query(description="business key, exact", examples=["SO-20261122-0001"])] = None,
    correlation_id: str | None = None,
    q: Annotated[str | None, Query(description="search: business key (contains), message or correlation id")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> MessagePage:
    f = MessageFilter(type=type, status=status, connector=connector, subject=subject,
                      correlation_id=correlation_id, q=q, since=since, until=until)
    return await run_in_threadpool(ops.list_messages, f, limit=limit, cursor=cursor)


@router.get("/messages/{message_id}", response_model=MessageDetail,
            summary="One message: raw inbound, canonical form, deliveries and every attempt")
async def get_message(message_id: str, ops: OpsDep) -> MessageDetail:
    return await run_in_threadpool(ops.get_message, message_id)


@router.post("/messages/{message_id}/replay", response_model=ActionResult,
             summary="Replay a message",
             description="Re-route its canonical form to today's subscribers as new deliveries; with "
                         "`remap=true` (or when translation had failed) translate the raw message again "
                         "with the current inbound mapping first.")
async def replay_message(message_id: str, who: Actor, admin: AdminDep, remap: bool = False) -> ActionResult:
    return await run_in_threadpool(lambda: admin.actions.replay(who, message_id, remap=remap, via="api"))


@router.post("/messages/{message_id}/records/{index}/replay", response_model=ActionResult,
             summary="Replay one failed record of a split batch",
             description="Map record `index` of the message's batch (one of its `failed_records`) again with the "
                         "current inbound mapping; if it now holds it is routed and delivered, and the batch's "
                         "other records are neither translated nor delivered again. `status` is the record's: "
                         "`failed` (with the new error in `detail`) if it fails again. 404 when the batch has no "
                         "such record, 409 when that record is not failed.")
async def replay_record(message_id: str, index: int, who: Actor, admin: AdminDep) -> ActionResult:
    return await run_in_threadpool(lambda: admin.actions.replay_record(who, message_id, index, via="api"))


@router.get("/traces/{correlation_id}", response_model=list[MessageSummary],
            summary="Every message of one business transaction, in time order")
async def trace(correlation_id: str, ops: OpsDep) -> list[MessageSummary]:
    return await run_in_threadpool(ops.trace, correlation_id)


@router.get("/deliveries", response_model=DeliveryPage, tags=["deliveries"], summary="Find deliveries",
            description="Newest first. A listed delivery carries its counters (`attempts`, `rounds`, "
                        "`last_error`, `last_status_code`) but not its attempt log: every attempt is in the "
                        "message detail its `attempts_url` names (`GET /api/messages/{message_id}`, "
                        "`deliveries[].attempt_log`), so a list never shows an empty log beside a count.")
async def list_deliveries(
    ops: OpsDep,
    status: Annotated[str | None, Query(description=f"one of: {', '.join(DeliveryStatus.ALL)}",
                                        examples=["dead"])] = None,
    connector: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> DeliveryPage:
    return await run_in_threadpool(ops.list_deliveries, status=status, connector=connector,
                                   limit=limit, cursor=cursor)


@router.post("/deliveries/{delivery_id}/retry", response_model=ActionResult, tags=["deliveries"],
             summary="Retry one dead, rejected, paused or waiting delivery now")
async def retry_delivery(delivery_id: str, who: Actor, admin: AdminDep) -> ActionResult:
    return await run_in_threadpool(lambda: admin.actions.retry(who, delivery_id, via="api"))


@router.post("/deliveries/retry", response_model=BulkResult, tags=["deliveries"],
             summary="Retry deliveries in bulk, by filter (default: every dead delivery)")
async def bulk_retry(
    who: Actor,
    admin: AdminDep,
    status: str = DeliveryStatus.DEAD,
    connector: str | None = None,
    error_contains: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_BULK)] = BULK_LIMIT,
) -> BulkResult:
    result, _ = await run_in_threadpool(lambda: admin.actions.bulk_retry(
        who, status=status, connector=connector, error_contains=error_contains, since=since, until=until,
        limit=limit, via="api"))
    return result
