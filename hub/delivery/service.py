"""Deliver one delivery: claim, build the call, run it through the stages, record, decide what comes next.

The worker calls :meth:`Deliverer.deliver`. It claims the delivery (so a
duplicate enqueue does nothing, and a delivery waits while one that must go
before it is open), builds the call with the current outbound mapping (ids
translated through the cross-reference), and makes it through the
:mod:`~hub.delivery.stages` (circuit breaker, rate limit, headers, signing,
cross-reference capture, metrics). A stage may park the delivery instead
(:class:`~hub.errors.Hold`): no call, no attempt, no round; it is due again
when the stage said. Every call is an :class:`~hub.store.Attempt`, stored *before* the
call and closed after it, so the log never hides a call the target may have
seen. The operation's ``responses`` rules classify the answer
(:func:`hub.pipeline.outbound.classify`). The result is an :class:`Outcome`:
done, or "reschedule in N seconds" (the worker turns that into a dramatiq
retry with that delay).

Three transactions for a delivery that succeeds at once: claim (with the
data the call needs), open the attempt, and close it with the outcome and
the message's status roll-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.connectors import Connector
from hub.delivery import policy
from hub.delivery.client import OutboundClient, Response, encode_body
from hub.delivery.stages import CallContext, DeliveryStage, Observer, default_stages
from hub.errors import (
    ConfigError,
    DeliveryError,
    Hold,
    MappingError,
    RejectedDelivery,
    TransientDeliveryError,
    XrefMissing,
)
from hub.ids import new_id
from hub.mapping.functions import XrefResolver, hub_functions
from hub.pipeline.outbound import Verdict, classify, outbound_call
from hub.registry import Registry
from hub.settings import Settings
from hub.store import Attempt, CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.db import required
from hub.store.models import DeliveryStatus, MessageStatus
from hub.store.status import refresh_status
from hub.xref import link_in

log = logging.getLogger("hub.delivery")

ORDERING_WAIT_S = 1.0
"""How soon a delivery waiting for an earlier one (same key, or same transaction) looks again."""
UNTRANSLATED_WAIT_LIMIT = timedelta(minutes=5)
"""An untranslated earlier message holds keyed deliveries this long at most (the sweeper re-queues it)."""
CLAIM_SKEW_S = 1.0
"""A delivery may be claimed this early: broker delays and clocks are not exact."""
LEASE_MARGIN_S = 30.0
"""A claimed delivery whose worker vanished is given back after its time budget plus this."""
RELEASE_BATCH = 20
"""How many deliveries held behind a settled one are woken at once (the rest wake at their next look)."""


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in_s: float | None = None


@dataclass(frozen=True)
class Claimed:
    """What a claimed delivery needs to build its call, read in the claim's transaction."""

    delivery_id: str
    connector: str
    operation: str
    element: int | None
    message_id: str
    canonical_id: str
    correlation_id: str
    traceparent: str | None
    envelope: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: Any
    source: str = ""


class Deliverer:
    def __init__(self, *, db: Database, registry: Registry, settings: Settings, client: OutboundClient,
                 xref: XrefResolver, is_paused: Callable[[str], bool], observers: list[Observer] | None = None,
                 stages: list[DeliveryStage] | None = None, enqueue: Callable[[str], None] | None = None):
        self.db = db
        self.enqueue = enqueue
        self.registry = registry
        self.settings = settings
        self.client = client
        self.xref = xref
        self.is_paused = is_paused
        self.stages = stages if stages is not None else default_stages(
            secret_of=settings.connector_secret, observers=observers or [])

    # ------------------------------------------------------------------ the one entry point
    def deliver(self, delivery_id: str) -> Outcome | None:
        """Run one round for ``delivery_id``; None if it was not due or already taken."""
        claimed = self._claim(delivery_id)
        if not isinstance(claimed, Claimed):
            return claimed  # not due, taken, or held behind an earlier delivery
        connector = self.registry.connector(claimed.connector)
        if connector is None or claimed.operation not in connector.operations:
            return self._finish(delivery_id, DeliveryStatus.DEAD,
                                error=f"operation {claimed.connector}.{claimed.operation} is no longer configured")
        if self.is_paused(claimed.connector):
            return self._finish(delivery_id, DeliveryStatus.PAUSED, error=None)
        try:
            request = self._request(claimed, connector)
        except XrefMissing as exc:
            self._note(delivery_id, outcome="waiting", error=str(exc))
            return self._reschedule(delivery_id, connector, str(exc), None)
        except (MappingError, ConfigError) as exc:
            self._note(delivery_id, outcome="mapping_error", error=str(exc))
            return self._finish(delivery_id, DeliveryStatus.DEAD, error=f"outbound mapping failed: {exc}")
        last: tuple[str, CallContext, Response | None] | None = None
        failed: list[TransientDeliveryError] = []
        try:
            for attempt in policy.in_place(connector.retry):
                with attempt:
                    try:
                        last = self._call(claimed, connector, request)
                    except TransientDeliveryError as exc:
                        failed.append(exc)
                        raise
        except Hold as hold:
            return self._hold(delivery_id, connector, hold, failed[-1] if failed else None)
        except RejectedDelivery as exc:
            return self._finish(delivery_id, DeliveryStatus.REJECTED, error=str(exc), status_code=exc.status_code,
                                attempt=self._closing(last, "rejected", exc))
        except TransientDeliveryError as exc:
            return self._reschedule(delivery_id, connector, str(exc), exc.retry_after_s, exc.status_code,
                                    schedule=exc.schedule, attempt=self._closing(last, "transient", exc))
        assert last is not None
        return self._finish(delivery_id, DeliveryStatus.DELIVERED, error=None,
                            attempt=self._closing(last, "success", None))

    # ------------------------------------------------------------------ claim and order
    def _claim(self, delivery_id: str) -> Claimed | Outcome | None:
        """Take a due delivery under a lease, with what its call needs.

        None when it is not due or another worker has it; an Outcome when it must wait for
        something that arrived before it (see :meth:`_must_wait`).
        """
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = s.get(Delivery, delivery_id)
            if (d is None or d.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
                    or d.next_attempt_at > now + timedelta(seconds=CLAIM_SKEW_S)):
                return None
            if self._must_wait(s, d):
                d.next_attempt_at = now + timedelta(seconds=ORDERING_WAIT_S)
                return Outcome(DeliveryStatus.RETRYING, ORDERING_WAIT_S)
            connector = self.registry.connector(d.connector)
            budget = (connector.timeout * connector.retry.in_place_attempts + connector.retry.in_place_max
                      if connector else 0)
            claimed = s.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id,
                       Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                       Delivery.next_attempt_at <= now + timedelta(seconds=CLAIM_SKEW_S))
                .values(status=DeliveryStatus.IN_FLIGHT, updated_at=now,
                        lease_until=now + timedelta(seconds=budget + LEASE_MARGIN_S))
            ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            if claimed != 1:
                return None
            canonical = required(s, CanonicalMessage, d.canonical_id)
            origin = s.scalar(select(InboundMessage.connector).where(InboundMessage.id == d.message_id))
            return Claimed(delivery_id=d.id, connector=d.connector, operation=d.operation, element=d.element,
                           message_id=d.message_id, canonical_id=d.canonical_id,
                           correlation_id=canonical.correlation_id, traceparent=canonical.traceparent,
                           envelope=canonical.envelope(), origin=origin or "")

    @staticmethod
    def _must_wait(s: Session, d: Delivery) -> bool:
        """Whether something that arrived before this delivery may still have to go first.

        - **Causal order**: an open delivery to the same system in the same transaction
          (correlation id) for a message that arrived earlier — a shipment waits for the
          production receipt of the same order, whoever sent each.
        - **Per-key order** (``ordering_key``): an open delivery to the same system with the same
          key, or an earlier message from the same sender that is not translated yet (its key
          is not known until it is, and two events about one document often arrive back to back).
        """
        if d.correlation_id is not None and s.scalar(select(Delivery.id).where(
                Delivery.connector == d.connector, Delivery.correlation_id == d.correlation_id,
                Delivery.message_id < d.message_id, Delivery.status.in_(DeliveryStatus.OPEN)).limit(1)) is not None:
            return True
        if d.ordering_key is None:
            return False
        earlier = s.scalar(select(Delivery.id).where(
            Delivery.connector == d.connector, Delivery.ordering_key == d.ordering_key,
            Delivery.message_id < d.message_id, Delivery.status.in_(DeliveryStatus.OPEN)).limit(1))
        if earlier is not None:
            return True
        sender = select(InboundMessage.connector).where(InboundMessage.id == d.message_id)
        return s.scalar(select(InboundMessage.id).where(
            InboundMessage.status == MessageStatus.RECEIVED,
            InboundMessage.received_at >= datetime.now(UTC) - UNTRANSLATED_WAIT_LIMIT,
            InboundMessage.connector == sender.scalar_subquery(),
            InboundMessage.id < d.message_id).limit(1)) is not None

    # ------------------------------------------------------------------ the call
    def build_request(self, delivery_id: str) -> Request:
        """The call this delivery makes, with the current mapping (for the dashboard and tests)."""
        with self.db.read() as s:
            d = required(s, Delivery, delivery_id)
            canonical = required(s, CanonicalMessage, d.canonical_id)
            origin = s.scalar(select(InboundMessage.connector).where(InboundMessage.id == d.message_id))
            claimed = Claimed(delivery_id=d.id, connector=d.connector, operation=d.operation, element=d.element,
                              message_id=d.message_id, canonical_id=d.canonical_id,
                              correlation_id=canonical.correlation_id, traceparent=canonical.traceparent,
                              envelope=canonical.envelope(), origin=origin or "")
        return self._request(claimed, self.registry.connectors[claimed.connector])

    def _request(self, claimed: Claimed, connector: Connector) -> Request:
        op = self.registry.operation(claimed.connector, claimed.operation)
        functions = hub_functions(source=claimed.origin, target=claimed.connector, xref=self.xref,
                                  codes=self.registry.mappings.codes)
        mapping = self.registry.mappings.get(op.mapping) if op.mapping else None
        call = outbound_call(op, claimed.envelope, functions, mapping=mapping, element=claimed.element)
        base = self.settings.connector_url(claimed.connector, connector.base_url).rstrip("/")
        return Request(call.method, base + call.path, call.body, claimed.origin)

    def _call(self, claimed: Claimed, connector: Connector,
              request: Request) -> tuple[str, CallContext, Response | None]:
        """One call through the stages; raises for anything but success, with the attempt id kept."""
        op = self.registry.operation(claimed.connector, claimed.operation)
        ctx = CallContext(delivery_id=claimed.delivery_id, message_id=claimed.message_id,
                          canonical_id=claimed.canonical_id, correlation_id=claimed.correlation_id,
                          traceparent=claimed.traceparent, connector=connector, operation=op,
                          data=claimed.envelope.get("data"), source=claimed.origin, method=request.method,
                          url=request.url, body=request.body, content=encode_body(request.body),
                          headers=dict(op.headers))
        for i, stage in enumerate(self.stages):
            try:
                stage.before_call(ctx)
            except Hold as hold:
                ran = self.stages[:i]
                for earlier in reversed(ran):
                    try:
                        earlier.after_hold(ctx, hold)
                    except Exception:  # giving back is best effort; leases cover the rest
                        log.exception("delivery stage %s failed", type(earlier).__name__)
                raise
        attempt_id = self._open_attempt(ctx)
        try:
            response = self.client.send(ctx.method, ctx.url, ctx.content, headers=ctx.headers,
                                        timeout_s=connector.timeout)
        except DeliveryError as exc:
            fault = exc
            self._after(lambda st: st.after_fault(ctx, fault))
            self._close_attempt(attempt_id, "transient", fault, None)
            raise
        verdict = classify(op, response.status_code, response.json, response.headers)
        self._after(lambda st: st.after_call(ctx, response, verdict))
        if verdict.outcome == "success":
            return attempt_id, ctx, response
        error = _refusal(response, verdict)
        if isinstance(error, RejectedDelivery):
            raise _Pending(attempt_id, ctx, response, error)
        self._close_attempt(attempt_id, "transient", error, response)  # another call may follow
        raise error

    def _after(self, hook: Callable[[DeliveryStage], None]) -> None:
        for stage in reversed(self.stages):
            try:
                hook(stage)
            except Exception:  # an observing stage must never stop delivery
                log.exception("delivery stage %s failed", type(stage).__name__)

    # ------------------------------------------------------------------ the attempt log
    def _open_attempt(self, ctx: CallContext) -> str:
        """Store the attempt before the call: if the worker dies during it, the log still shows it."""
        attempt_id = new_id()
        with self.db.session() as s:
            d = required(s, Delivery, ctx.delivery_id)
            d.attempts += 1
            d.request = {"method": ctx.method, "url": ctx.url, "body": ctx.body}
            s.add(Attempt(id=attempt_id, delivery_id=ctx.delivery_id, number=d.attempts,
                          started_at=datetime.now(UTC), duration_ms=0.0, url=ctx.url, outcome="in_flight"))
        return attempt_id

    def _close_attempt(self, attempt_id: str, outcome: str, error: DeliveryError | None,
                       response: Response | None, s: Session | None = None) -> None:
        values: dict[str, Any] = dict(outcome=outcome, error=str(error) if error else None,
                      status_code=response.status_code if response else (error.status_code if error else None),
                      response_excerpt=response.excerpt if response else (error.response_excerpt if error else None))
        if response is not None:
            values["duration_ms"] = response.duration_ms
        if s is not None:
            s.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))
            return
        with self.db.session() as own:
            own.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))

    def _closing(self, last: Any, outcome: str, error: DeliveryError | None) -> _Closing | None:
        """The attempt the delivery's final transaction closes, with what it learnt."""
        if isinstance(error, _Pending):
            return _Closing(error.attempt_id, outcome, error.error, error.response, error.ctx.links)
        if error is not None:
            return None  # a transient attempt is closed as soon as it fails
        attempt_id, ctx, response = last
        return _Closing(attempt_id, outcome, None, response, ctx.links)

    def _note(self, delivery_id: str, *, outcome: str, error: str) -> None:
        """An attempt that made no call: the mapping could not build it (or waits for an id)."""
        with self.db.session() as s:
            d = required(s, Delivery, delivery_id)
            d.attempts += 1
            s.add(Attempt(id=new_id(), delivery_id=delivery_id, number=d.attempts, started_at=datetime.now(UTC),
                          duration_ms=0.0, outcome=outcome, error=error))

    # ------------------------------------------------------------------ what comes next
    def _reschedule(self, delivery_id: str, connector: Connector, error: str, retry_after_s: float | None,
                    status_code: int | None = None, *, schedule: tuple[float, ...] | None = None,
                    attempt: _Closing | None = None) -> Outcome:
        with self.db.read() as s:
            rounds = (s.scalar(select(Delivery.rounds).where(Delivery.id == delivery_id)) or 0) + 1
        retry = connector.retry if schedule is None else connector.retry.model_copy(update={"schedule": list(schedule)})
        delay = policy.next_delay(retry, rounds, retry_after_s)
        if delay is None:
            return self._finish(delivery_id, DeliveryStatus.DEAD, status_code=status_code, attempt=attempt,
                                error=f"gave up after {rounds} rounds: {error}")
        return self._finish(delivery_id, DeliveryStatus.RETRYING, error=error, status_code=status_code,
                            rounds=rounds, retry_in_s=delay, attempt=attempt)

    def _hold(self, delivery_id: str, connector: Connector, hold: Hold,
              failure: TransientDeliveryError | None) -> Outcome:
        """A stage parked the delivery (:class:`~hub.errors.Hold`).

        Before any call this round: no attempt, no round — the delivery is ``retrying`` until
        ``hold.until``. After a call of this round failed: the round failed like any other, and the
        next one comes no sooner than ``hold.until``.
        """
        wait_s = max(0.0, (hold.until - datetime.now(UTC)).total_seconds())
        if failure is not None:
            return self._reschedule(delivery_id, connector, str(failure), max(wait_s, failure.retry_after_s or 0.0),
                                    failure.status_code, schedule=failure.schedule)
        return self._finish(delivery_id, DeliveryStatus.RETRYING, error=hold.reason, retry_in_s=wait_s)

    def _finish(self, delivery_id: str, status: str, *, error: str | None, status_code: int | None = None,
                rounds: int | None = None, retry_in_s: float | None = None,
                attempt: _Closing | None = None) -> Outcome:
        """One transaction: close the last attempt, store what it revealed, settle the delivery, roll up."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            d = required(s, Delivery, delivery_id)
            s.get(InboundMessage, d.message_id, with_for_update=True)  # serialise the status roll-up
            if attempt is not None:
                self._close_attempt(attempt.attempt_id, attempt.outcome, attempt.error, attempt.response, s)
                self._store_links(s, d, attempt.links)
            d.status = status
            d.last_error = error
            d.updated_at = now
            d.lease_until = None
            if status_code is not None:
                d.last_status_code = status_code
            if rounds is not None:
                d.rounds = rounds
            if retry_in_s is not None:
                d.next_attempt_at = now + timedelta(seconds=retry_in_s)
            if status == DeliveryStatus.DELIVERED:
                d.delivered_at = now
            s.flush()
            refresh_status(s, d.message_id)
            connector = d.connector
            released = self._release_successors(s, d, now) if status in DeliveryStatus.FINAL else []
        for successor in released:
            self._wake(successor)
        if status == DeliveryStatus.DEAD:
            log.warning("delivery %s is dead: %s", delivery_id, error)
            self._after(lambda st: st.after_outcome(connector, "dead", None))
        return Outcome(status, retry_in_s)

    @staticmethod
    def _release_successors(s: Session, d: Delivery, now: datetime) -> list[str]:
        """The deliveries held behind ``d`` (same system and transaction, or same key), due at once.

        A held delivery looks again every ORDERING_WAIT_S; waking it when its predecessor settles
        keeps a transaction's chain of deliveries from paying that wait at every link.
        """
        behind = []
        if d.correlation_id is not None:
            behind.append(Delivery.correlation_id == d.correlation_id)
        if d.ordering_key is not None:
            behind.append(Delivery.ordering_key == d.ordering_key)
        if not behind:
            return []
        ids = list(s.scalars(select(Delivery.id).where(
            Delivery.connector == d.connector, or_(*behind), Delivery.message_id > d.message_id,
            Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
            Delivery.next_attempt_at <= now + timedelta(seconds=ORDERING_WAIT_S))
            .order_by(Delivery.message_id).limit(RELEASE_BATCH)))
        if ids:
            s.execute(update(Delivery).where(Delivery.id.in_(ids)).values(next_attempt_at=now))
        return ids

    def _wake(self, delivery_id: str) -> None:
        if self.enqueue is None:
            return
        try:
            self.enqueue(delivery_id)
        except Exception:  # committed as due: the sweeper or its own retry brings it
            log.exception("enqueue of delivery %s failed", delivery_id)

    @staticmethod
    def _store_links(s: Session, d: Delivery, links: list[dict[str, Any]]) -> None:
        if not links:
            return
        try:
            with s.begin_nested():
                for link in links:
                    link_in(s, str(link["entity"]), link["ids"])
        except IntegrityError as exc:
            log.warning("response_xref of %s.%s not recorded: %s", d.connector, d.operation, exc)


@dataclass(frozen=True)
class _Closing:
    attempt_id: str
    outcome: str
    error: DeliveryError | None
    response: Response | None
    links: list[dict[str, Any]]


class _Pending(RejectedDelivery):
    """A business rejection whose attempt is closed by the delivery's final transaction."""

    def __init__(self, attempt_id: str, ctx: CallContext, response: Response, error: RejectedDelivery):
        super().__init__(str(error), status_code=error.status_code, response_excerpt=error.response_excerpt)
        self.attempt_id = attempt_id
        self.ctx = ctx
        self.response = response
        self.error = error


def _refusal(response: Response, verdict: Verdict) -> DeliveryError:
    """The error for an answer that is not a success: transient (with the rule's schedule) or rejected."""
    message = f"HTTP {response.status_code}: {response.excerpt}"
    if verdict.rule:
        message += f" ({verdict.rule})"
    if verdict.outcome == "retry":
        error = TransientDeliveryError(message, status_code=response.status_code, response_excerpt=response.excerpt,
                                       retry_after_s=response.retry_after_s)
        error.schedule = verdict.schedule
        return error
    return RejectedDelivery(message, status_code=response.status_code, response_excerpt=response.excerpt)
