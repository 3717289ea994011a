"""What a connector's operation makes of a canonical message, and of the answer: pure, no I/O.

The deliverer and the mapping round-trip tests both build calls here, so an operation means the
same thing wherever it is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.registry import Registry
from hub.xref import links_of


@dataclass(frozen=True)
class Call:
    """One operation's HTTP call for one message, before the connector's base URL is put in front."""

    method: str
    path: str
    body: Any


def outbound_call(registry: Registry, connector: str, operation: str, envelope: dict[str, Any],
                  functions: dict[str, Any]) -> Call:
    """The call ``operation`` of ``connector`` makes for ``envelope``; its mapping may raise MappingError."""
    op = registry.connectors[connector].operations[operation]
    bindings = {"target": connector, "operation": operation}
    body = registry.mappings.get(op.mapping).evaluate(envelope, bindings, functions) if op.mapping else envelope
    path = registry.paths[(connector, operation)].render(envelope, functions)
    return Call(op.method, path, body)


def revealed_links(registry: Registry, connector: str, operation: str, *, request: Any, response: Any,
                   data: Any, source: str) -> list[dict[str, Any]]:
    """The cross-references an operation's answer reveals (``response_xref``); none if it declares none."""
    expr = registry.response_xref.get((connector, operation))
    if expr is None:
        return []
    return links_of(expr.evaluate({"request": request, "response": response, "data": data, "source": source}))
