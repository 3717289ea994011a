"""Routing: which connector operations receive a canonical message.

Subscriptions live in the target connectors' files (``subscriptions:``); the
registry indexes them by canonical type. A subscription may carry a JSONata
``filter`` on the envelope; the message goes to every subscription whose
filter is true (fan-out), except back to the connector it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.errors import MappingError
from hub.registry import Registry, Route

FunctionsFor = Callable[[str], dict[str, Any]]
"""target connector → the hub functions a filter may call ($hasxref, $codemap, …)."""


def match(registry: Registry, envelope: dict[str, Any], *, origin: str,
          functions_for: FunctionsFor | None = None) -> list[Route]:
    """The routes ``envelope`` takes. A filter that fails to evaluate raises MappingError."""
    routes = []
    for route in registry.routes_for(envelope["type"]):
        if route.connector == origin:
            continue
        if route.filter is not None:
            try:
                fns = functions_for(route.connector) if functions_for else None
                keep = route.filter.evaluate(envelope, None, fns)
            except MappingError as exc:
                exc.message = f"filter of {route.connector} subscription to {envelope['type']}: {exc.message}"
                raise
            if not keep:
                continue
        routes.append(route)
    return routes
