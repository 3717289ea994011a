"""Connectors as configured (secrets never shown), their circuit breakers' state, and pausing delivery to one.

Fields a connector model marks ``secret`` (an operation's ``headers``: a target's
``Authorization``, an API key) are shown by name with every value as ``***``, to every
caller: reading the configuration needs only the ``query`` scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hub.api.deps import HubDep
from hub.api.security import Actor, AdminDep
from hub.errors import NotFound

router = APIRouter(prefix="/api/connectors", tags=["connectors"])

HIDDEN = "***"
SECRET_FIELDS = frozenset({"headers"})
"""Hidden even if a model forgets to mark them ``secret``."""


@router.get("", summary="Every connector with its events, operations and subscriptions")
async def list_connectors(hub: HubDep) -> list[dict[str, Any]]:
    out = []
    for name, c in sorted(hub.registry.connectors.items()):
        out.append({
            **shown(c),
            "base_url": hub.settings.connector_url(name, c.base_url),
            "paused": await run_in_threadpool(hub.operations.is_paused, name),
            "circuit": await run_in_threadpool(circuit_of, hub, name),
            "poller": await run_in_threadpool(poller_of, hub, name),
        })
    return out


@router.get("/{name}", summary="One connector")
async def get_connector(name: str, hub: HubDep) -> dict[str, Any]:
    c = hub.registry.connector(name)
    if c is None:
        raise NotFound(f"no connector {name}")
    return {**shown(c), "base_url": hub.settings.connector_url(name, c.base_url),
            "paused": await run_in_threadpool(hub.operations.is_paused, name),
            "circuit": await run_in_threadpool(circuit_of, hub, name),
            "poller": await run_in_threadpool(poller_of, hub, name)}


def circuit_of(hub: Any, name: str) -> dict[str, Any] | None:
    """The circuit breaker's state (closed | half_open | open, failures, open_until); None when not declared."""
    if hub.registry.connectors[name].circuit_breaker is None:
        return None
    state: dict[str, Any] = hub.circuits.views([name])[name].as_json()
    return state


def poller_of(hub: Any, name: str) -> dict[str, Any] | None:
    """A polled source's state (idle | polling | failing), watermark, records, failures and last error;
    None when the connector is not polled (or has not been read yet)."""
    if hub.registry.connectors[name].poll is None:
        return None
    view = hub.pollers.state.views().get(name)
    if view is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(view).items()}


@router.post("/{name}/pause", summary="Hold deliveries to this connector")
async def pause(name: str, who: Actor, admin: AdminDep) -> dict[str, Any]:
    await run_in_threadpool(lambda: admin.actions.set_paused(who, name, True, via="api"))
    return {"connector": name, "paused": True}


@router.post("/{name}/resume", summary="Resume deliveries to this connector (held ones are sent)")
async def resume(name: str, who: Actor, admin: AdminDep) -> dict[str, Any]:
    released = await run_in_threadpool(lambda: admin.actions.set_paused(who, name, False, via="api"))
    return {"connector": name, "paused": False, "released": released}


@router.post("/{name}/circuit/reset", summary="Close this connector's circuit breaker now (parked deliveries are sent)")
async def reset_circuit(name: str, who: Actor, admin: AdminDep) -> dict[str, Any]:
    """For an operator who knows the system is back before the cool-down ends; audited as ``circuit.reset``.
    404 when the connector declares no ``circuit_breaker``."""
    result = await run_in_threadpool(lambda: admin.actions.reset_circuit(who, name, via="api"))
    return {"connector": name, "was": result.was, "state": "closed", "released": result.released}


def shown(model: BaseModel) -> dict[str, Any]:
    """``model`` as JSON with the values of its secret fields (and its sub-models') hidden."""
    out: dict[str, Any] = model.model_dump(mode="json")
    fields = type(model).model_fields
    for name in list(out):
        value = model.__dict__.get(name)
        field = fields.get(name)
        extra = field.json_schema_extra if field and isinstance(field.json_schema_extra, dict) else {}
        if extra.get("secret") or name in SECRET_FIELDS:
            out[name] = {k: HIDDEN for k in value} if isinstance(value, dict) else HIDDEN if value else value
        elif isinstance(value, BaseModel):
            out[name] = shown(value)
        elif isinstance(value, dict):
            out[name] = {k: shown(v) if isinstance(v, BaseModel) else out[name][k] for k, v in value.items()}
        elif isinstance(value, list):
            out[name] = [shown(v) if isinstance(v, BaseModel) else out[name][i] for i, v in enumerate(value)]
    return out
