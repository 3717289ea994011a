"""Connectors: each one's configuration (secrets hidden), events, operations, subscriptions; pause and resume;
reset a circuit breaker."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard import i18n
from hub.dashboard.web import Form, Operator, Services, Viewer, flash, redirect, render, url
from hub.errors import NotFound
from hub.settings import dev_secret

router = APIRouter()

SECRET_HEADER = re.compile(r"auth|token|key|secret|passw|cookie", re.IGNORECASE)
HIDDEN = "***"


def _view(admin: Any, name: str) -> dict[str, Any]:
    c = admin.hub.registry.connector(name)
    settings = admin.hub.settings
    circuit = admin.hub.circuits.views([name])[name] if c.circuit_breaker is not None else None
    poller = admin.hub.pollers.state.views().get(name) if c.poll is not None else None
    return {
        "circuit": circuit,
        "poller": poller,
        "c": c, "name": name, "base_url": settings.connector_url(name, c.base_url),
        "secret_var": f"HUB_SECRET_{name.upper()}",
        "dev_secret": settings.connector_secret(name) == dev_secret(name),
        "headers": {op: {k: HIDDEN if SECRET_HEADER.search(k) else v for k, v in o.headers.items()}
                    for op, o in c.operations.items()},
    }


@router.get("/connectors")
async def connectors(request: Request, who: Viewer, admin: Services) -> Response:
    health = {h.connector: h for h in await run_in_threadpool(admin.stats.health)}
    items = [dict(_view(admin, n), health=health.get(n)) for n in sorted(admin.hub.registry.connectors)]
    return render(request, who, "connectors/list.html", items=items)


@router.get("/connectors/{name}")
async def connector(request: Request, name: str, who: Viewer, admin: Services) -> Response:
    if admin.hub.registry.connector(name) is None:
        raise NotFound(f"no connector {name}")
    health = next((h for h in await run_in_threadpool(admin.stats.health) if h.connector == name), None)
    return render(request, who, "connectors/detail.html", health=health, **_view(admin, name))


@router.post("/connectors/{name}/pause")
async def pause(request: Request, name: str, who: Operator, form: Form, admin: Services) -> Response:
    await run_in_threadpool(lambda: admin.actions.set_paused(who, name, True, via="ui"))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.paused", name=name))
    return redirect(url(f"/connectors/{name}"))


@router.post("/connectors/{name}/circuit/reset")
async def reset_circuit(request: Request, name: str, who: Operator, form: Form, admin: Services) -> Response:
    result = await run_in_threadpool(lambda: admin.actions.reset_circuit(who, name, via="ui"))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.circuit_reset", name=name, n=result.released))
    return redirect(url(f"/connectors/{name}"))


@router.post("/connectors/{name}/resume")
async def resume(request: Request, name: str, who: Operator, form: Form, admin: Services) -> Response:
    released = await run_in_threadpool(lambda: admin.actions.set_paused(who, name, False, via="ui"))
    flash(request, i18n.translator(i18n.negotiate(request))("flash.resumed", name=name, n=released))
    return redirect(url(f"/connectors/{name}"))
