"""Outbound stage: what an operation makes of a canonical message, and of the answer. Pure: no I/O.

- :func:`outbound_calls` — the calls an operation makes for an envelope: one, or one per element
  of its ``each`` array (the mapping and path read the element as ``$item``, its position as
  ``$index``).
- :func:`classify` — success, business rejection or transient, by the operation's ``responses``
  rules first and the HTTP defaults after.
- :func:`revealed_links` — the cross-references an answer reveals (``response_xref``).

The deliverer and the mapping round-trip tests both build calls here, so an operation means the
same thing wherever it is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hub.errors import MappingError
from hub.pipeline.compiled import CompiledOperation
from hub.xref import links_of

RETRYABLE_4XX = frozenset({408, 409, 425, 429})
"""Client errors that say "not now" rather than "no": timeout, conflict, too early, too many requests."""

Outcome = Literal["success", "rejected", "retry"]


@dataclass(frozen=True)
class Call:
    """One operation's HTTP call for one message, before the connector's base URL is put in front."""

    method: str
    path: str
    body: Any


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    schedule: tuple[float, ...] | None = None
    """A response rule's own retry schedule (with ``retry``), else the connector's."""
    rule: str | None = None
    """Which rule decided (its description or position), for the attempt log; None for the defaults."""


def elements(op: CompiledOperation, envelope: dict[str, Any], functions: dict[str, Any] | None) -> list[Any]:
    """The array an ``each`` operation calls once per element of; ``[envelope]`` for other operations."""
    if op.each is None:
        return [envelope]
    try:
        value = op.each.evaluate(envelope, {"target": op.connector, "operation": op.name}, functions)
    except MappingError as exc:
        exc.message = f"each of {op.connector}.{op.name}: {exc.message}"
        raise
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def outbound_call(op: CompiledOperation, envelope: dict[str, Any], functions: dict[str, Any], *,
                  mapping: Any, element: int | None = None, enrichment: dict[str, Any] | None = None) -> Call:
    """The call ``op`` makes for ``envelope`` (for element ``element`` of an ``each`` operation).

    ``mapping`` is the operation's compiled mapping (``None`` sends the envelope itself); ``enrichment``
    the answers of its ``enrich`` queries, which the mapping reads as ``$enrich.<name>``.
    """
    bindings: dict[str, Any] = {"target": op.connector, "operation": op.name, "enrich": enrichment or {}}
    if op.each is not None:
        items = elements(op, envelope, functions)
        if element is None or not 0 <= element < len(items):
            raise MappingError(f"{op.connector}.{op.name}: element {element} is gone — `each` now gives "
                               f"{len(items)} element(s) for this message")
        bindings.update(item=items[element], index=element)
    body = mapping.evaluate(envelope, bindings, functions) if mapping is not None else envelope
    path = op.path.render(envelope, functions, bindings)
    return Call(op.method, path, body)


def enrichment_requests(op: CompiledOperation, envelope: dict[str, Any],
                        functions: dict[str, Any] | None) -> dict[str, Any]:
    """Each ``enrich`` name's query request for ``envelope`` (MappingError naming the enrichment)."""
    out = {}
    for name, expr in op.enrich.items():
        try:
            out[name] = expr.evaluate(envelope, {"target": op.connector, "operation": op.name}, functions)
        except MappingError as exc:
            exc.message = f"enrich {name} of {op.connector}.{op.name}: {exc.message}"
            raise
    return out


def classify(op: CompiledOperation | None, status: int, body: Any, headers: dict[str, str]) -> Verdict:
    """What an answer means: the operation's first matching ``responses`` rule, else the HTTP defaults."""
    for i, compiled in enumerate(op.responses if op else ()):
        rule = compiled.rule
        if status not in rule.status:
            continue
        if compiled.when is not None:
            try:
                if not compiled.when.evaluate({"status": status, "body": body, "headers": headers}):
                    continue
            except MappingError:
                continue  # a rule that cannot read this answer does not match it
        return Verdict(rule.outcome, tuple(rule.schedule) if rule.schedule is not None else None,
                       rule.description or f"responses[{i}]")
    return Verdict(default_outcome(status))


def default_outcome(status: int) -> Outcome:
    """2xx/3xx success; 408/409/425/429 and 5xx transient; any other 4xx a business rejection."""
    if status < 400:
        return "success"
    if status >= 500 or status in RETRYABLE_4XX:
        return "retry"
    return "rejected"


def revealed_links(op: CompiledOperation, *, request: Any, response: Any, data: Any,
                   source: str) -> list[dict[str, Any]]:
    """The cross-references an operation's answer reveals (``response_xref``); none if it declares none."""
    if op.response_xref is None:
        return []
    return links_of(op.response_xref.evaluate({"request": request, "response": response, "data": data,
                                               "source": source}))
