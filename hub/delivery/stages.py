"""The stages around each outbound call, in the style of dramatiq's middleware.

A :class:`DeliveryStage` has no-op hooks; each stage overrides the ones it
needs and owns its options. The deliverer runs ``before_call`` in order
before the call, and ``after_call`` / ``after_fault`` in reverse order after
it. A stage may refuse a call by raising :class:`~hub.errors.DeliveryError`
in ``before_call``, or park the delivery without a call, an attempt or a
round by raising :class:`~hub.errors.Hold` (the circuit breaker and the rate
limit do; the stages that already ran hear of it in ``after_hold``). Observers
(metrics) must never stop a delivery: the deliverer logs and ignores their
exceptions in ``after_call``/``after_fault``/``after_outcome``.

The hub's chain (:mod:`hub.runtime`) puts two guards in front of the default one:

- :class:`~hub.delivery.circuit.CircuitBreaker` — for connectors that declare ``circuit_breaker``:
  park deliveries while the target is down, probe it after a cool-down.
- :class:`~hub.delivery.ratelimit.RateLimit` — for connectors that declare ``rate_limit``: a token
  bucket per target, shared through Redis when the hub runs with it.

The default chain (:func:`default_stages`):
- :class:`CorrelationHeaders` — ``Idempotency-Key`` (the delivery id, so a retried call is
  applied once), the hub's message ids and the W3C ``traceparent``.
- :class:`Signing` — a Standard Webhooks signature over the exact bytes sent, with the
  connector's secret (``HUB_SECRET_<NAME>``).
- :class:`XrefCapture` — after a success, the cross-references the answer reveals
  (``response_xref``), stored with the attempt.
- :class:`Observe` — metrics per connector and outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from hub.connectors import Connector
from hub.delivery.client import Response
from hub.envelope import child_traceparent
from hub.errors import DeliveryError, Hold, MappingError
from hub.pipeline.compiled import CompiledOperation
from hub.pipeline.outbound import Verdict, revealed_links

log = logging.getLogger("hub.delivery")

Observer = Callable[[str, str, float | None], None]
"""(connector, outcome, duration_ms) — metrics; an observer's failure never stops delivery."""


@dataclass
class CallContext:
    """One call of one delivery, as the stages see and shape it."""

    delivery_id: str
    message_id: str
    canonical_id: str
    correlation_id: str
    traceparent: str | None
    connector: Connector
    operation: CompiledOperation
    data: Any
    """The canonical payload the call was made from."""
    source: str
    """The connector the message came from."""
    method: str
    url: str
    body: Any
    content: bytes
    """The exact bytes sent (stages that sign read these)."""
    headers: dict[str, str] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    """Cross-references to store with the attempt (``{"entity": …, "ids": {system: id}}``)."""
    notes: dict[str, Any] = field(default_factory=dict)
    """What a stage remembers about this call between its hooks (e.g. "this call is the probe")."""


class DeliveryStage:
    """Base class: every hook does nothing."""

    def before_call(self, ctx: CallContext) -> None:
        """Shape the call (headers), refuse it by raising a DeliveryError, or park the delivery
        without a call by raising :class:`~hub.errors.Hold`."""

    def after_hold(self, ctx: CallContext, hold: Hold) -> None:
        """A later stage's ``before_call`` held the call: it is not made (give back what was taken)."""

    def after_call(self, ctx: CallContext, response: Response, verdict: Verdict) -> None:
        """The target answered; ``verdict`` says what the answer means."""

    def after_fault(self, ctx: CallContext, error: DeliveryError) -> None:
        """The call did not reach an answer (network fault, timeout)."""

    def after_outcome(self, connector: str, outcome: str, duration_ms: float | None) -> None:
        """A call or a delivery ended: success, rejected, transient, dead."""


class CorrelationHeaders(DeliveryStage):
    def before_call(self, ctx: CallContext) -> None:
        ctx.headers.update({
            "idempotency-key": ctx.delivery_id, "x-hub-message-id": ctx.message_id,
            "x-hub-canonical-id": ctx.canonical_id, "x-correlation-id": ctx.correlation_id,
            "traceparent": child_traceparent(ctx.traceparent)})


class Signing(DeliveryStage):
    """Standard Webhooks: ``webhook-id`` (the delivery id), ``webhook-timestamp``, ``webhook-signature``."""

    def __init__(self, secret_of: Callable[[str], str | None]):
        self.secret_of = secret_of

    def before_call(self, ctx: CallContext) -> None:
        secret = self.secret_of(ctx.connector.name)
        if not secret:
            return
        now = datetime.now(UTC)
        ctx.headers.update({
            "webhook-id": ctx.delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(ctx.delivery_id, now, ctx.content.decode()),
        })


class XrefCapture(DeliveryStage):
    """Record the ids a target's answer reveals (``response_xref``); never fails the delivery."""

    def after_call(self, ctx: CallContext, response: Response, verdict: Verdict) -> None:
        if verdict.outcome != "success" or ctx.operation.response_xref is None:
            return
        try:
            ctx.links.extend(revealed_links(ctx.operation, request=ctx.body, response=response.json,
                                            data=ctx.data, source=ctx.source))
        except MappingError as exc:
            log.warning("response_xref of %s.%s not recorded: %s", ctx.operation.connector,
                        ctx.operation.name, exc)


class Observe(DeliveryStage):
    def __init__(self, observers: list[Observer]):
        self.observers = observers

    def after_call(self, ctx: CallContext, response: Response, verdict: Verdict) -> None:
        outcome = {"success": "success", "rejected": "rejected", "retry": "transient"}[verdict.outcome]
        self.after_outcome(ctx.connector.name, outcome, response.duration_ms)

    def after_fault(self, ctx: CallContext, error: DeliveryError) -> None:
        self.after_outcome(ctx.connector.name, "transient", None)

    def after_outcome(self, connector: str, outcome: str, duration_ms: float | None) -> None:
        for observer in self.observers:
            observer(connector, outcome, duration_ms)


def default_stages(*, secret_of: Callable[[str], str | None], observers: list[Observer]) -> list[DeliveryStage]:
    return [CorrelationHeaders(), Signing(secret_of), XrefCapture(), Observe(observers)]
