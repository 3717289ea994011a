"""Request–reply: answer a query (stock availability, order status…) from the systems that know.

Every connector that declares the query under ``queries:`` is asked at once; each answer is
mapped into its part of the canonical answer and the parts are merged. A system that fails is
named in ``sources`` with its error, and the others still answer; only when none answers is
the query an error. Short transient faults are retried once in place.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from hub.connectors.models import Query
from hub.delivery.client import OutboundClient
from hub.errors import DeliveryError, HubError, MappingError, NotFound, QueryUnanswered, TransientDeliveryError
from hub.mapping.functions import XrefResolver, hub_functions
from hub.pipeline.compiled import CompiledOperation
from hub.pipeline.outbound import enrichment_requests
from hub.registry import Registry
from hub.settings import Settings

QUERY_RETRY_WAIT_S = 0.2
MAX_PARALLEL = 8


@dataclass(frozen=True)
class Answer:
    query: str
    answer: dict[str, Any]
    sources: dict[str, dict[str, Any]]


class QueryService:
    def __init__(self, *, registry: Registry, settings: Settings, client: OutboundClient, xref: XrefResolver):
        self.registry = registry
        self.settings = settings
        self.client = client
        self.xref = xref
        self._pool = ThreadPoolExecutor(MAX_PARALLEL, thread_name_prefix="hub-query")

    def names(self) -> list[str]:
        return self.registry.query_names()

    def ask(self, name: str, request: dict[str, Any], *, system: str | None = None) -> Answer:
        answerers = self.registry.answerers(name)
        if not answerers:
            raise NotFound(f"no connector answers query {name!r}; known: {', '.join(self.names()) or 'none'}")
        self.registry.catalog.validate_query_request(name, request)
        futures = {c: self._pool.submit(self._ask_one, c, q, name, request, system or c) for c, q in answerers}
        answer: dict[str, Any] = {}
        sources: dict[str, dict[str, Any]] = {}
        for connector, future in futures.items():
            started = time.perf_counter()
            try:
                part = future.result()
                _merge(answer, part)
                sources[connector] = {"status": "ok"}
            except (DeliveryError, MappingError) as exc:
                sources[connector] = {"status": "error", "error": str(exc)}
            sources[connector]["ms"] = round((time.perf_counter() - started) * 1000, 1)
        if all(s["status"] != "ok" for s in sources.values()):
            raise QueryUnanswered(f"no system answered {name!r}", sources)
        return Answer(name, answer, sources)

    def _ask_one(self, connector: str, query: Query, name: str, request: dict[str, Any], system: str) -> Any:
        c = self.registry.connectors[connector]
        functions = hub_functions(source=system, target=connector, xref=self.xref,
                                  codes=self.registry.mappings.codes)
        path, params = query_call(self.registry, connector, name, request, system, functions)
        url = self.settings.connector_url(connector, c.base_url).rstrip("/") + path
        for attempt in Retrying(stop=stop_after_attempt(2), wait=wait_fixed(QUERY_RETRY_WAIT_S),
                                retry=retry_if_exception_type(TransientDeliveryError), reraise=True):
            with attempt:
                response = self.client.query(query.method, url, params=params, headers={},
                                             timeout_s=query.timeout)
        back = hub_functions(source=connector, target=system, xref=self.xref, codes=self.registry.mappings.codes)
        return query_answer(self.registry, connector, name, request, system, response.json, back)


class Enricher:
    """Content enricher: asks an operation's ``enrich`` queries before its call (request–reply through
    :class:`QueryService`) and returns the answers by name. No system answering is a
    :class:`~hub.errors.TransientDeliveryError`, so the delivery is retried like a failed call; a request
    the query's schema refuses is a :class:`~hub.errors.MappingError` (the mapping must change)."""

    def __init__(self, queries: QueryService):
        self.queries = queries

    def __call__(self, op: CompiledOperation, envelope: dict[str, Any], functions: dict[str, Any],
                 origin: str) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for name, request in enrichment_requests(op, envelope, functions).items():
            e = op.declared.enrich[name]
            if not isinstance(request, dict):
                raise MappingError(f"enrich {name} of {op.connector}.{op.name}: the request must be an object, "
                                   f"got {request!r}")
            try:
                answers[name] = self.queries.ask(e.query, request, system=e.system or origin).answer
            except QueryUnanswered as exc:
                raise TransientDeliveryError(f"enrich {name}: {exc} ({exc.sources})") from None
            except HubError as exc:
                if isinstance(exc, TransientDeliveryError):
                    raise
                raise MappingError(f"enrich {name} of {op.connector}.{op.name}: {exc}") from None
        return answers


def query_call(registry: Registry, connector: str, name: str, request: dict[str, Any], system: str,
               functions: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """(path, query parameters) with which ``connector`` is asked query ``name`` on ``system``'s behalf."""
    query = registry.connectors[connector].queries[name]
    context = {"request": request, "system": system}
    path = registry.compiled[connector].queries[name].path.render(context, functions)
    params = registry.mappings.get(query.params).evaluate(context, None, functions) if query.params else None
    return path, params  # placeholder values never climb out of their segment (PathTemplate.render)


def query_answer(registry: Registry, connector: str, name: str, request: dict[str, Any], system: str,
                 response: Any, functions: dict[str, Any]) -> Any:
    """``connector``'s answer to query ``name`` as its part of the canonical response."""
    query = registry.connectors[connector].queries[name]
    return registry.mappings.get(query.response).evaluate(
        {"request": request, "response": response, "system": system}, None, functions)


def _merge(into: dict[str, Any], part: Any) -> None:
    """Merge one system's part into the answer: objects deeply, lists concatenated, else first wins."""
    if not isinstance(part, dict):
        return
    for k, v in part.items():
        if k not in into or into[k] is None:
            into[k] = v
        elif isinstance(into[k], dict) and isinstance(v, dict):
            _merge(into[k], v)
        elif isinstance(into[k], list) and isinstance(v, list):
            into[k] = into[k] + v
