"""The connector file, key by key. Every field says what it means and what it defaults to.

A minimal connector::

    name: crm
    title: CRM
    base_url: http://127.0.0.1:9101        # HUB_URL_CRM overrides
    inbound:
      event_type: eventType                # JSONata on the webhook body → native event name
      events:
        salesOrder.submitted:
          canonical: sales_order.placed
          mapping: crm/sales_order_placed.jsonata
    operations:
      show_credit_result:
        method: POST
        path: /api/v1/salesOrders/{data.order_no}/creditResult
        mapping: crm/credit_result.jsonata
    subscriptions:
      - type: sales_order.credit_checked
        operation: show_credit_result

The webhook secret is never in the file: it comes from ``HUB_SECRET_<NAME>``.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from hub.connectors.durations import Seconds, _Model
from hub.connectors.sources import Source, Write

STANDARD_WEBHOOKS_SCHEDULE_S: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
"""Delays between rounds after the first one fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h."""
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_IN_PLACE_ATTEMPTS = 3
DEFAULT_IN_PLACE_MAX_S = 5.0
DEFAULT_JITTER = 0.2
DEFAULT_MASKED_FIELDS = ("phone", "mobile", "id_number", "idNumber", "bank_account", "bankAccount",
                         "contact_phone", "contactPhone")

DEFAULT_BREAKER_FAILURES = 5
"""Consecutive transient failures that open a connector's circuit."""
DEFAULT_BREAKER_COOL_DOWN_S = 30.0
"""How long an open circuit parks deliveries before one probe call is let through (half-open)."""
DEFAULT_BREAKER_WINDOW_S = 60.0
"""With ``ratio``: the window over which the share of failed calls is counted."""
DEFAULT_BREAKER_MIN_CALLS = 10
"""With ``ratio``: a window with fewer calls than this never opens the circuit."""
DEFAULT_RATE_LIMIT_MAX_WAIT_S = 1.0
"""A call over the rate limit waits in place for its token up to this long; past it, it is parked."""


class RetryPolicy(_Model):
    """How a failing delivery is retried: briefly in place, then rescheduled, then dead."""

    in_place_attempts: int = Field(DEFAULT_IN_PLACE_ATTEMPTS, ge=1, le=10,
                                   description="calls made at once before rescheduling")
    in_place_max: Seconds = Field(DEFAULT_IN_PLACE_MAX_S, description="time budget of the in-place attempts")
    schedule: list[Seconds] = Field(list(STANDARD_WEBHOOKS_SCHEDULE_S),
                                    description="delays between rounds; after the last round the delivery is dead")
    jitter: float = Field(DEFAULT_JITTER, ge=0, le=1, description="± fraction of randomness on each delay")
    max_retry_after: Seconds = Field(3600.0, description="cap on a target's Retry-After")


class CircuitBreakerOptions(_Model):
    """A circuit breaker per target (:mod:`hub.delivery.circuit`): a dead system stops burning attempts.

    ``closed`` — calls go through; ``failures`` consecutive transient failures (or, with ``ratio``, that
    share of failed calls within ``window``) open it. ``open`` — no call is made: each claimed delivery
    is parked until the end of ``cool_down`` (no attempt, no round). ``half_open`` — after the cool-down
    one probe call goes through; its success closes the circuit, its failure opens it for another
    cool-down. Only transient failures count (network faults, timeouts, 5xx, 408/409/425/429 and
    answers a ``responses`` rule calls ``retry``); a business rejection proves the target is up.
    """

    failures: int = Field(DEFAULT_BREAKER_FAILURES, ge=1, le=1000,
                          description="consecutive transient failures that open the circuit")
    cool_down: Seconds = Field(DEFAULT_BREAKER_COOL_DOWN_S, gt=0,
                               description="how long the circuit stays open before one probe call")
    ratio: float | None = Field(None, gt=0, le=1,
                                description="also open when this share of calls within `window` failed "
                                            "(e.g. 0.5); off by default")
    window: Seconds = Field(DEFAULT_BREAKER_WINDOW_S, gt=0, description="with `ratio`: the counting window")
    min_calls: int = Field(DEFAULT_BREAKER_MIN_CALLS, ge=1,
                           description="with `ratio`: fewer calls than this in a window never open the circuit")


class RateLimitOptions(_Model):
    """A token bucket per target (:mod:`hub.delivery.ratelimit`), shared by every worker process
    through Redis when the hub runs with a Redis broker, per process in the embedded default.

    A call over the limit waits for its token (up to ``max_wait``) or is parked until the token is
    due: never an attempt, never a round.
    """

    per_second: float = Field(gt=0, description="sustained calls per second to this system")
    burst: int | None = Field(None, ge=1, description="calls that may go at once after a quiet spell; "
                                                      "default: per_second rounded up")
    max_wait: Seconds = Field(DEFAULT_RATE_LIMIT_MAX_WAIT_S,
                              description="longest wait in place for a token before the delivery is parked")

    @property
    def capacity(self) -> int:
        return self.burst if self.burst is not None else max(1, math.ceil(self.per_second))


class InboundEvent(_Model):
    """A native event this system sends, and the canonical message it becomes.

    ``correlate`` and ``xref`` are JSONata expressions evaluated on
    ``{"native": <webhook body>, "data": <canonical payload>}``.
    """

    canonical: str = Field(description="canonical type, e.g. sales_order.placed")
    mapping: str = Field(description="JSONata file under mappings/, native body → canonical payload; a mapping "
                                      "that yields nothing marks the message 'ignored' (the event is not for the hub)")
    time: str | None = Field(None, description="JSONata on the native body giving when it happened")
    correlate: list[str] = Field(
        default_factory=list,
        description="business keys (JSONata → string or array of strings), e.g. "
                    "'\"sales_order:\" & data.order_no'; messages sharing a key share one correlation id, "
                    "and the latest message with the key is this one's cause")
    xref: list[str] = Field(
        default_factory=list,
        description="cross-references this event reveals (JSONata → {entity, ids: {system: id}} or an "
                    "array of them), e.g. an ERP customer that names its CRM id")
    split: bool = Field(
        False, description="splitter: the mapping yields an array and each element becomes a canonical message "
                           "of its own, in order (an empty array marks the message 'ignored'); `correlate`, "
                           "`xref` and `time` are evaluated for each element")
    records: str | None = Field(
        None, description="with `split`: JSONata on the native body giving the batch's records; the mapping is "
                          "then evaluated once per record (the record as its input, the whole body as "
                          "`$native`), so a record that fails the mapping or the schema fails alone and can "
                          "be replayed alone, e.g. 'data.affected_orders'. A mapping that reads `$native` is "
                          "given the whole body for each record: about 0.5 s for 1,000 records, against 0.1 s "
                          "mapped in one evaluation")
    description: str = ""

    @model_validator(mode="after")
    def _records_need_split(self) -> InboundEvent:
        if self.records is not None and not self.split:
            raise ValueError("`records` applies only to a split event: add `split: true`")
        return self


class Inbound(_Model):
    event_type: str = Field("type", description="JSONata on the native body giving the native event name "
                                                "(CloudEvents use their own `type`)")
    events: dict[str, InboundEvent] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list,
                              description="native events acknowledged and kept, but not translated "
                                          "(no canonical meaning); their messages are 'ignored', not failed")


class ResponseRule(_Model):
    """How one kind of answer is taken — Camel's ``onException`` with its redelivery policy as the model.

    Rules are tried in order and the first that matches decides; an answer no rule matches is
    classified by default: 2xx/3xx success; 408, 409, 425, 429 and 5xx retried; other 4xx rejected.
    """

    status: list[int] = Field(min_length=1, description="HTTP statuses this rule is about, e.g. [422]")
    when: str | None = Field(
        None, description="JSONata on {status, body, headers} (body parsed when JSON); the rule matches only "
                          "when true, e.g. 'body.code = \"insufficient_stock\"'")
    outcome: Literal["success", "rejected", "retry"] = Field(
        description="success: done; rejected: a business refusal, not retried; retry: transient, retried in "
                    "place and then on the schedule")
    schedule: list[Seconds] | None = Field(
        None, description="with outcome retry: delays between rounds for this answer instead of the "
                          "connector's `retry.schedule` (e.g. a refusal that time cures within minutes)")
    description: str = ""

    @model_validator(mode="after")
    def _schedule_needs_retry(self) -> ResponseRule:
        if self.schedule is not None and self.outcome != "retry":
            raise ValueError("`schedule` applies only to `outcome: retry`")
        return self


class Enrichment(_Model):
    """Content enricher: before the call, ask a declared query (request–reply, :mod:`hub.queries`) and hand the
    answer to the outbound mapping as ``$enrich.<name>``. No answer is a transient failure: the delivery
    is retried like a failed call."""

    query: str = Field(description="a query some connector declares, e.g. inventory.availability")
    request: str = Field(description="JSONata on the canonical envelope → the query's request, "
                                     "e.g. '{\"item\": data.lines[0].item}'")
    system: str | None = Field(None, description="whose ids the request uses; default: the message's sender")


class Operation(_Model):
    """A call the hub makes to this system."""

    method: Literal["POST", "PUT", "PATCH", "DELETE"] = "POST"
    path: str = Field("", description="path template; each {…} is JSONata on the canonical envelope, "
                                      "e.g. /orders/{data.order_no}")
    write: Write | None = Field(
        None, description="instead of an HTTP call: insert the mapping's row(s) into a table "
                          "({kind: table, url, table, key}) or write a file ({kind: file, folder, name}), with the "
                          "same attempts, retries and idempotency (see hub.connectors.sources)")
    mapping: str | None = Field(None, description="JSONata file: canonical envelope → request body; "
                                                  "none sends the envelope itself")
    headers: dict[str, str] = Field(default_factory=dict, json_schema_extra={"secret": True})
    each: str | None = Field(
        None, description="JSONata on the canonical envelope giving an array: one call per element, the mapping "
                          "and the path reading it as $item (and its position as $index), e.g. data.lines")
    responses: list[ResponseRule] = Field(
        default_factory=list,
        description="how answers are classified, first match wins (see ResponseRule), e.g. "
                    "[{status: [404], outcome: retry}] when the record it refers to may not have reached "
                    "the target yet")
    response_xref: str | None = Field(
        None, description="JSONata on {request, response, data, source} → cross-references the answer reveals "
                          "({entity, ids} or an array), e.g. the id a target gave a record the hub created")
    enrich: dict[str, Enrichment] = Field(
        default_factory=dict, description="content enricher: queries asked before the call, their answers "
                                          "read by the mapping as $enrich.<name> (see Enrichment)")
    description: str = ""

    @model_validator(mode="after")
    def _a_call_or_a_write(self) -> Operation:
        if not self.path and self.write is None:
            raise ValueError("an operation needs `path` (an HTTP call) or `write` (a table or a file)")
        return self


class Query(_Model):
    """A synchronous read this system answers (request–reply), e.g. stock availability.

    The hub's ``GET /query/{name}`` calls every connector that declares the query and merges
    their answers. ``path`` placeholders and the ``params`` mapping read the request
    (``{"request": {...}, "system": <whose ids the caller uses>}``); ``response`` maps
    ``{"request": …, "response": <the system's JSON>}`` to this system's part of the answer.
    """

    method: Literal["GET", "POST"] = "GET"
    path: str = Field(description="path template; each {…} is JSONata on {request, system}")
    params: str | None = Field(None, description="JSONata file: {request, system} → query parameters (GET) "
                                                 "or body (POST)")
    response: str = Field(description="JSONata file: {request, response} → this system's part of the answer")
    timeout: Seconds = Field(5.0, description="per call; a query is retried once in place on a transient fault")
    description: str = ""


class Subscription(_Model):
    """Which canonical messages this system receives, through which operation."""

    type: str = Field(description="canonical type")
    operation: str | None = Field(None, description="name of one of this connector's operations")
    recipients: str | None = Field(
        None, description="recipient list computed from content, instead of `operation`: JSONata on the canonical "
                          "envelope giving the name of one of this connector's operations or an array of them "
                          "(none: no delivery), e.g. 'data.priority = \"rush\" ? [\"book\", \"alert\"] : \"book\"'")
    filter: str | None = Field(None, description="JSONata on the canonical envelope; deliver only when true")
    wire_tap: bool = Field(
        False, description="a copy for an audit or analytics endpoint that never delays or fails the main path: "
                           "its deliveries neither wait for nor hold back any other (no causal or key order), "
                           "and their outcome never changes the message's status")
    description: str = ""

    @model_validator(mode="after")
    def _operation_or_recipients(self) -> Subscription:
        if (self.operation is None) == (self.recipients is None):
            raise ValueError("a subscription names its `operation`, or computes it with `recipients` (one of the two)")
        return self


class Completion(_Model):
    """When an aggregation is complete: the first of its conditions that holds (at least one is given)."""

    count: int | None = Field(None, ge=1, description="complete once this many messages are gathered")
    when: str | None = Field(
        None, description="JSONata on {key, count, messages} (the gathered payloads, in arrival order); complete "
                          "when true, e.g. '$sum(messages.lines.qty) >= messages[0].ordered'")
    timeout: Seconds | None = Field(
        None, gt=0, description="complete this long after the first message, with what has been gathered "
                                "(the sweeper completes it; `completion` reads 'timeout')")

    @model_validator(mode="after")
    def _one_condition(self) -> Completion:
        if self.count is None and self.when is None and self.timeout is None:
            raise ValueError("give at least one of `count`, `when` or `timeout`")
        return self


class Aggregation(_Model):
    """Aggregator: canonical messages of one type gathered by a correlation key until complete, then one
    canonical message of their own, sent from this connector (:mod:`hub.pipeline.aggregation`).

    The gathered messages are stored as they come (``aggregates``), so a restart loses none; the message
    a completed aggregation makes is an inbound message like a webhook's (native event
    ``aggregation/<name>``), translated by ``mapping`` from
    ``{aggregation, key, count, completion, messages}``.
    """

    gather: str = Field(description="canonical type of the messages gathered, e.g. goods.received")
    by: str = Field(description="JSONata on the canonical envelope → the correlation key, e.g. data.po_no; "
                                "a message without one is not gathered")
    filter: str | None = Field(None, description="JSONata on the canonical envelope; gather only when true")
    completion: Completion
    canonical: str = Field(description="canonical type of the message a complete aggregation makes")
    mapping: str = Field(description="JSONata file: {aggregation, key, count, completion, messages} → its payload")
    correlate: list[str] = Field(
        default_factory=list, description="business keys of the message it makes, as in an inbound event, "
                                          "e.g. '\"purchase_order:\" & data.po_no'")
    description: str = ""


class Connector(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str = ""
    base_url: str = Field(description="default base URL; HUB_URL_<NAME> overrides")
    timeout: Seconds = Field(DEFAULT_TIMEOUT_S, description="per outbound call")
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    circuit_breaker: CircuitBreakerOptions | None = Field(
        None, description="stop calling a system that keeps failing, park its deliveries and probe it after a "
                          "cool-down, e.g. {failures: 5, cool_down: 30s}; none by default")
    rate_limit: RateLimitOptions | None = Field(
        None, description="at most this many calls per second to this system, e.g. {per_second: 10, burst: 20}; "
                          "none by default")
    inbound: Inbound = Field(default_factory=Inbound)
    operations: dict[str, Operation] = Field(default_factory=dict)
    subscriptions: list[Subscription] = Field(default_factory=list)
    queries: dict[str, Query] = Field(default_factory=dict)
    aggregations: dict[str, Aggregation] = Field(
        default_factory=dict, description="aggregators: messages gathered by a key until complete, then one "
                                          "message from this connector (see Aggregation)")
    ordering_key: str | None = Field(
        None, description="JSONata on the canonical envelope, e.g. data.order_no: deliveries to this system with "
                          "the same key go one at a time, in the order their messages arrived")
    masked_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_MASKED_FIELDS),
                                     description="JSON keys shown as *** in logs and the dashboard")
    poll: Source | None = Field(
        None, description="for a system that cannot call webhooks: the hub reads it instead — an HTTP API "
                          "(kind: http), a database table (kind: database) or a drop folder (kind: files); "
                          "see hub.connectors.sources")

    @model_validator(mode="after")
    def _subscriptions_name_operations(self) -> Connector:
        for i, sub in enumerate(self.subscriptions):
            if sub.operation is not None and sub.operation not in self.operations:
                known = ", ".join(sorted(self.operations)) or "none"
                raise ValueError(f"subscriptions[{i}] names operation {sub.operation!r}, "
                                 f"which is not defined (operations: {known})")
        return self
