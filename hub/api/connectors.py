"""Connectors as configured (secrets never shown), and pausing delivery to one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.errors import NotFound

router = APIRouter(prefix="/api/connectors", tags=["connectors"])


@router.get("", summary="Every connector with its events, operations and subscriptions")
async def list_connectors(hub: HubDep) -> list[dict[str, Any]]:
    out = []
    for name, c in sorted(hub.registry.connectors.items()):
        out.append({
            **c.model_dump(mode="json"),
            "base_url": hub.settings.connector_url(name, c.base_url),
            "paused": await run_in_threadpool(hub.operations.is_paused, name),
        })
    return out


@router.get("/{name}", summary="One connector")
async def get_connector(name: str, hub: HubDep) -> dict[str, Any]:
    c = hub.registry.connector(name)
    if c is None:
        raise NotFound(f"no connector {name}")
    return {**c.model_dump(mode="json"), "base_url": hub.settings.connector_url(name, c.base_url),
            "paused": await run_in_threadpool(hub.operations.is_paused, name)}


@router.post("/{name}/pause", summary="Hold deliveries to this connector")
async def pause(name: str, hub: HubDep) -> dict[str, Any]:
    await run_in_threadpool(hub.operations.set_paused, name, True)
    return {"connector": name, "paused": True}


@router.post("/{name}/resume", summary="Resume deliveries to this connector (held ones are sent)")
async def resume(name: str, hub: HubDep) -> dict[str, Any]:
    released = await run_in_threadpool(hub.operations.set_paused, name, False)
    return {"connector": name, "paused": False, "released": released}
