"""Routing stage: which connector operations receive a canonical message, and how many calls each.

Subscriptions live in the target connectors' files (``subscriptions:``); the
registry indexes them by canonical type. A subscription may carry a JSONata
``filter`` on the envelope; the message goes to every subscription whose
filter is true (fan-out), except back to the connector it came from, and,
for an echo (an event reporting back a call the hub made, :mod:`hub.pipeline.echo`),
except to the connector whose message that call carried. An
operation declared with ``each`` makes one call per element of its array, so
its route counts the elements (none: no delivery). A ``wire_tap`` subscription
gives copies that stand apart: no order, no say in the message's status.
Pure: no database, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hub.errors import MappingError
from hub.mapping import Compiled
from hub.pipeline.compiled import Route
from hub.pipeline.echo import Echo
from hub.pipeline.outbound import elements
from hub.registry import Registry

FunctionsFor = Callable[[str], dict[str, Any]]
"""target connector → the hub functions a filter may call ($hasxref, $codemap, …)."""


@dataclass(frozen=True)
class Target:
    """One delivery to create: a route and, for an ``each`` operation, the element it carries."""

    route: Route
    element: int | None = None

    @property
    def connector(self) -> str:
        return self.route.connector

    @property
    def operation_name(self) -> str:
        return self.route.operation_name

    @property
    def tap(self) -> bool:
        """A wire tap's copy: out of every order, and of the message's status."""
        return self.route.wire_tap


def match(registry: Registry, envelope: dict[str, Any], *, origin: str,
          functions_for: FunctionsFor | None = None, echo: Echo | None = None) -> list[Route]:
    """The routes ``envelope`` takes. A filter that fails to evaluate raises MappingError."""
    routes = []
    for route in registry.routes_for(envelope["type"]):
        if route.connector == origin or (echo is not None and route.connector == echo.origin):
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
        if route.recipients is None:
            routes.append(route)
            continue
        fns = functions_for(route.connector) if functions_for else None
        routes.extend(replace(route, operation=route.choices[name], recipients=None)
                      for name in recipients(route, envelope, fns))
    return routes


def recipients(route: Route, envelope: dict[str, Any], functions: dict[str, Any] | None) -> list[str]:
    """The operations a recipient list names for ``envelope``, in order, each once (MappingError if unknown)."""
    assert route.recipients is not None
    where = f"recipients of {route.connector} subscription to {envelope['type']}"
    try:
        value = route.recipients.evaluate(envelope, None, functions)
    except MappingError as exc:
        exc.message = f"{where}: {exc.message}"
        raise
    names = [] if value is None else value if isinstance(value, list) else [value]
    out: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in route.choices:
            known = ", ".join(sorted(route.choices)) or "none"
            raise MappingError(f"{where}: {name!r} is not an operation of {route.connector} (operations: {known})")
        if name not in out:
            out.append(name)
    return out


def targets(registry: Registry, envelope: dict[str, Any], *, origin: str,
            functions_for: FunctionsFor | None = None, echo: Echo | None = None) -> list[Target]:
    """The deliveries ``envelope`` makes: one per route, or one per element of an ``each`` operation."""
    out: list[Target] = []
    for route in match(registry, envelope, origin=origin, functions_for=functions_for, echo=echo):
        op = route.operation
        assert op is not None, "match resolves recipient lists into operations"
        if op.each is None:
            out.append(Target(route))
            continue
        fns = functions_for(route.connector) if functions_for else None
        out.extend(Target(route, i) for i in range(len(elements(op, envelope, fns))))
    return out


def why_no_route(registry: Registry, envelope: dict[str, Any], *, origin: str,
                 functions_for: FunctionsFor | None = None, echo: Echo | None = None) -> list[dict[str, Any]]:
    """Why ``envelope`` makes no delivery (only a wire tap's copy, at most): one reason per subscription
    to its type, or ``no_subscription``. Each reason has a ``code``, the ``connector`` and the
    ``expression`` concerned where there is one, and ``text`` (an English sentence)."""
    ctype = envelope["type"]
    routes = registry.routes_for(ctype)
    if not routes:
        return [_reason("no_subscription", f"no connector subscribes to {ctype}")]
    out = []
    for route in routes:
        c = route.connector
        fns = functions_for(c) if functions_for else None
        if c == origin:
            out.append(_reason("sender_only", f"{c} subscribes to {ctype} but sent it (nothing goes back to "
                                              "its sender)", c))
        elif echo is not None and c == echo.origin:
            out.append(_reason("echo", f"{c} is where this change came from: {origin}'s event reports what the hub "
                                       f"wrote to {origin} for {c}'s message {echo.message_id}, so it does not go "
                                       f"back to {c}", c))
        elif route.filter is not None and not _holds(route.filter, envelope, fns):
            out.append(_reason("filter_false", f"{c}'s filter is false: {route.subscription.filter}", c,
                               route.subscription.filter))
        elif route.recipients is not None and not _named(route, envelope, fns):
            out.append(_reason("no_recipients", f"{c}'s recipient list names no operation: "
                                                f"{route.subscription.recipients}", c, route.subscription.recipients))
        elif route.wire_tap:
            out.append(_reason("wire_tap_only", f"{c} takes only a wire tap's copy", c))
        elif route.operation is not None and route.operation.each is not None:
            op = route.operation.declared
            out.append(_reason("no_elements", f"{c}.{route.operation.name} sends one call per element of "
                                              f"{op.each}, and there is none", c, op.each))
    return out


def _reason(code: str, text: str, connector: str | None = None, expression: str | None = None) -> dict[str, Any]:
    return {"code": code, "connector": connector, "expression": expression, "text": text}


def _holds(flt: Compiled, envelope: dict[str, Any], fns: dict[str, Any] | None) -> bool:
    try:
        return bool(flt.evaluate(envelope, None, fns))
    except MappingError:
        return False


def _named(route: Route, envelope: dict[str, Any], fns: dict[str, Any] | None) -> bool:
    try:
        return bool(recipients(route, envelope, fns))
    except MappingError:
        return False
