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

Two transactions for a delivery that succeeds at once, in Core statements
(no ORM loads on this path): the claim, which takes the delivery, reads what
its call needs (the canonical message, the sender) and opens the attempt
(on PostgreSQL one ``UPDATE … RETURNING`` with a writable CTE; a translating
worker claims the first delivery in the translation's transaction, :meth:`claim_in`); and the
finish, which locks the message, reads its deliveries for the status roll-up,
then closes the attempt, settles the delivery, rolls the status up and wakes
what waited behind it (on PostgreSQL two statements). An attempt opened with
the claim that makes no call (paused, parked by a stage) is removed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.adapters.writers import OutboundWriter
from hub.connectors import Connector
from hub.delivery import claims, policy
from hub.delivery.claims import CLAIM_SKEW_S, ORDERING_WAIT_S, claim_params
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
from hub.masking import Redactor
from hub.pipeline.compiled import CompiledOperation
from hub.pipeline.outbound import Verdict, classify, outbound_call
from hub.registry import Registry
from hub.settings import Settings
from hub.store import Attempt, CanonicalMessage, Database, Delivery, InboundMessage
from hub.store.db import retry_on_disconnect
from hub.store.models import DeliveryStatus, cloud_event
from hub.store.status import rolled_up_rows
from hub.store.together import Bound, Write, execute_together, execute_write, update_row
from hub.xref import link_in, resolve_in

log = logging.getLogger("hub.delivery")

D = cast(Table, Delivery.__table__)
A = cast(Table, Attempt.__table__)
C = cast(Table, CanonicalMessage.__table__)
I = cast(Table, InboundMessage.__table__)  # noqa: E741 (the inbound table, beside D, A and C)

EnrichFn = Callable[[CompiledOperation, dict[str, Any], dict[str, Any], str], dict[str, Any]]
"""(operation, envelope, mapping functions, sender) → the answers of the operation's ``enrich`` queries."""


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
    attempt_id: str = ""
    """The attempt opened with the claim, for the first call (removed if no call is made)."""
    rounds: int = 0
    ordering_key: str | None = None
    chain: str | None = None
    """The delivery's own correlation id (None for a wire tap's copy): what holds later deliveries behind it."""
    request: Request | None = None
    """Its call, when it was built before the claim (the translating worker's first delivery)."""


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: Any
    source: str = ""


def _stored(request: Request) -> dict[str, Any]:
    """A call as the delivery keeps it (``deliveries.request``)."""
    return {"method": request.method, "url": request.url, "body": request.body}


class Deliverer:
    def __init__(self, *, db: Database, registry: Registry, settings: Settings, client: OutboundClient,
                 xref: XrefResolver, is_paused: Callable[[str], bool], observers: list[Observer] | None = None,
                 stages: list[DeliveryStage] | None = None, enqueue: Callable[[str], None] | None = None,
                 enricher: EnrichFn | None = None):
        self.db = db
        self.enqueue = enqueue
        self.enricher = enricher
        self.registry = registry
        self.settings = settings
        self.client = client
        self.writer = OutboundWriter(settings.config_dir)
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
        return self.deliver_claimed(claimed)

    def deliver_claimed(self, claimed: Claimed) -> Outcome:
        """Run the round of a delivery claimed already (by :meth:`deliver`, or by :meth:`claim_in` in the
        transaction that made it)."""
        spare = [claimed.attempt_id]  # the attempt opened with the claim, until a call uses it
        connector = self.registry.connector(claimed.connector)
        if connector is None or claimed.operation not in connector.operations:
            return self._finish(claimed, DeliveryStatus.DEAD, spare=spare,
                                error=f"operation {claimed.connector}.{claimed.operation} is no longer configured")
        if self.is_paused(claimed.connector):
            return self._finish(claimed, DeliveryStatus.PAUSED, error=None, spare=spare)
        try:
            request = claimed.request or self._noted(claimed, self._request(claimed, connector))
        except XrefMissing as exc:
            spare.clear()
            return self._reschedule(claimed, connector, str(exc), None,
                                    attempt=_Closing.note(claimed.attempt_id, "waiting", str(exc)))
        except TransientDeliveryError as exc:  # an enrichment's query went unanswered: retried like a call
            spare.clear()
            return self._reschedule(claimed, connector, str(exc), None,
                                    attempt=_Closing.note(claimed.attempt_id, "transient", str(exc)))
        except (MappingError, ConfigError) as exc:
            spare.clear()
            error = self._redactor(claimed).text(str(exc))
            return self._finish(claimed, DeliveryStatus.DEAD, error=f"outbound mapping failed: {error}",
                                attempt=_Closing.note(claimed.attempt_id, "mapping_error", error))
        last: tuple[str, CallContext, Response | None] | None = None
        failed: list[TransientDeliveryError] = []
        try:
            for attempt in policy.in_place(connector.retry):
                with attempt:
                    try:
                        last = self._call(claimed, connector, request, spare)
                    except TransientDeliveryError as exc:
                        failed.append(exc)
                        raise
        except Hold as hold:
            return self._hold(claimed, connector, hold, failed[-1] if failed else None, spare, request)
        except RejectedDelivery as exc:
            return self._finish(claimed, DeliveryStatus.REJECTED, error=str(exc), status_code=exc.status_code,
                                attempt=self._closing(last, "rejected", exc), request=request)
        except TransientDeliveryError as exc:
            return self._reschedule(claimed, connector, str(exc), exc.retry_after_s, exc.status_code,
                                    schedule=exc.schedule, attempt=self._closing(last, "transient", exc),
                                    request=request)
        assert last is not None
        return self._finish(claimed, DeliveryStatus.DELIVERED, error=None,
                            attempt=self._closing(last, "success", None), request=request)

    # ------------------------------------------------------------------ claim and order
    @retry_on_disconnect
    def _claim(self, delivery_id: str) -> Claimed | Outcome | None:
        """Take a due delivery under a lease, with what its call needs, and open its first attempt.

        None when it is not due or another worker has it; an Outcome when it must wait for
        something that arrived before it (see :func:`hub.delivery.claims.may_go`).
        """
        now = datetime.now(UTC)
        with self.db.session() as s:
            claimed = self._take(s, delivery_id, now)
            return claimed if claimed is not None else self._not_taken(s, delivery_id, now)

    def claim_in(self, s: Session, delivery: dict[str, Any], envelope: dict[str, Any], origin: str) -> Claimed | None:
        """:meth:`_claim` in the caller's transaction (the translation that made ``delivery``, a row of
        ``envelope`` from ``origin``): None when it may not go yet, and then it is left as it was for the
        broker to bring. Its call is built first, so the attempt opened with the claim names its URL."""
        ahead = Claimed(delivery_id=delivery["id"], connector=delivery["connector"], operation=delivery["operation"],
                        element=delivery["element"], message_id=delivery["message_id"],
                        canonical_id=delivery["canonical_id"], correlation_id=str(envelope.get("correlationid")),
                        traceparent=envelope.get("traceparent"), envelope=envelope, origin=origin)
        request = self._request_ahead(ahead, s)
        kept = request if request is not None and self._echoes(ahead) else None
        claimed = self._take(s, ahead.delivery_id, datetime.now(UTC), url=request.url if request else None,
                             request=kept)
        if claimed is None or request is None or claimed.envelope != envelope:
            return claimed  # (an envelope that reads back otherwise is mapped again from what was stored)
        return replace(claimed, request=request)

    def _request_ahead(self, ahead: Claimed, s: Session) -> Request | None:
        """The call of a delivery about to be claimed, when it can be built at once: not when its operation
        asks other systems first (``enrich``), and not when it fails — it is built again after the claim,
        where a failure is recorded and retried."""
        connector = self.registry.connector(ahead.connector)
        if connector is None or ahead.operation not in connector.operations:
            return None
        if self.registry.operation(ahead.connector, ahead.operation).enrich:
            return None
        try:
            # its cross-references read in the translation's transaction, which may just have linked them
            return self._request(ahead, connector, xref=partial(resolve_in, s))
        except Exception:  # whatever it is, it is met again (recorded, retried) when built after the claim
            return None

    def _take(self, s: Session, delivery_id: str, now: datetime, url: str | None = None,
              request: Request | None = None) -> Claimed | None:
        """The claim's statement(s) (:mod:`hub.delivery.claims`): the delivery taken if it may go
        (:func:`~hub.delivery.claims.may_go`), its call's data read and its attempt opened (with the URL
        of its call when it is known already, and the call itself when ``request`` is given)."""
        attempt_id = new_id()
        params = claim_params(delivery_id, now, self.settings.lease_s, attempt_id)
        if request is not None:
            params["request"] = _stored(request)
        if self.db.is_sqlite:  # RETURNING there names the updated table only
            taken = claims.take_returning_with_request() if request is not None else claims.take_returning()
            row = s.execute(taken, params).first()
            if row is None:
                return None
            data = s.execute(claims.read_for_call(), {"canonical_id": row.canonical_id}).one()
            s.execute(claims.open_attempt(), dict(id=attempt_id, delivery_id=delivery_id, number=row.attempts,
                                                  started_at=now, duration_ms=0.0, url=url, outcome="in_flight"))
            return _claimed(row, data, attempt_id)
        row = s.execute(claims.take_on_postgres(request is not None), {**params, "url": url}).first()
        return None if row is None else _claimed(row, row, attempt_id)

    @staticmethod
    def _not_taken(s: Session, delivery_id: str, now: datetime) -> Outcome | None:
        """The claim took nothing: not due or taken (None), or due but held behind an earlier delivery."""
        held = s.execute(claims.not_taken(), {
            "delivery_id": delivery_id, "due_by": now + timedelta(seconds=CLAIM_SKEW_S),
            "next_look": now + timedelta(seconds=ORDERING_WAIT_S)}).first()
        return None if held is None else Outcome(DeliveryStatus.RETRYING, ORDERING_WAIT_S)

    # ------------------------------------------------------------------ the call
    def _echoes(self, claimed: Claimed) -> bool:
        """Its target may report this call back as an event of its own (:mod:`hub.echoes`): the call is
        stored before it is made, so that an event arriving before the answer is known for an echo."""
        return self.registry.two_way(claimed.connector, str(claimed.envelope.get("type")))

    @retry_on_disconnect
    def _noted(self, claimed: Claimed, request: Request) -> Request:
        """``request``, stored on the delivery first when its target may echo it (see :meth:`_echoes`)."""
        if self._echoes(claimed):
            with self.db.session() as s:
                s.execute(update(D).where(D.c.id == claimed.delivery_id).values(request=_stored(request)))
        return request

    def build_request(self, delivery_id: str) -> Request:
        """The call this delivery makes, with the current mapping (for the dashboard and tests)."""
        with self.db.read() as s:
            d = s.get(Delivery, delivery_id)
            if d is None:
                raise LookupError(f"no Delivery {delivery_id!r}")
            canonical = s.get(CanonicalMessage, d.canonical_id)
            if canonical is None:
                raise LookupError(f"no CanonicalMessage {d.canonical_id!r}")
            origin = s.scalar(select(InboundMessage.connector).where(InboundMessage.id == d.message_id))
            claimed = Claimed(delivery_id=d.id, connector=d.connector, operation=d.operation, element=d.element,
                              message_id=d.message_id, canonical_id=d.canonical_id,
                              correlation_id=canonical.correlation_id, traceparent=canonical.traceparent,
                              envelope=canonical.envelope(), origin=origin or "")
        return self._request(claimed, self.registry.connectors[claimed.connector])

    def _request(self, claimed: Claimed, connector: Connector, xref: XrefResolver | None = None) -> Request:
        op = self.registry.operation(claimed.connector, claimed.operation)
        functions = hub_functions(source=claimed.origin, target=claimed.connector, xref=xref or self.xref,
                                  codes=self.registry.mappings.codes)
        mapping = self.registry.mappings.get(op.mapping) if op.mapping else None
        enrichment = (self.enricher(op, claimed.envelope, functions, claimed.origin)
                      if op.enrich and self.enricher is not None else None)
        call = outbound_call(op, claimed.envelope, functions, mapping=mapping, element=claimed.element,
                             enrichment=enrichment)
        if op.declared.write is not None:
            return Request(call.method, self.writer.target_of(op.declared.write), call.body, claimed.origin)
        base = self.settings.connector_url(claimed.connector, connector.base_url).rstrip("/")
        return Request(call.method, base + call.path, call.body, claimed.origin)

    def _call(self, claimed: Claimed, connector: Connector, request: Request,
              spare: list[str]) -> tuple[str, CallContext, Response | None]:
        """One call through the stages; raises for anything but success, with the attempt id kept.

        The first call of a round uses the attempt opened with the claim (``spare``); a later one opens its own.
        """
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
        attempt_id = spare.pop() if spare else self._open_attempt(ctx)
        try:
            response = (self.writer.send(ctx) if op.declared.write is not None else
                        self.client.send(ctx.method, ctx.url, ctx.content, headers=ctx.headers,
                                         timeout_s=connector.timeout))
            redact = self._redactor(claimed, request.body) if response.excerpt else None
            if redact:  # a target echoing the request must not put masked values in the log and errors
                response = replace(response, excerpt=redact.text(response.excerpt))
        except DeliveryError as exc:
            fault = exc
            self._after(lambda st: st.after_fault(ctx, fault))
            self._close_attempt(_Closing.of(attempt_id, "transient", fault, None, ctx))
            raise
        verdict = classify(op, response.status_code, response.json, response.headers)
        self._after(lambda st: st.after_call(ctx, response, verdict))
        if verdict.outcome == "success":
            return attempt_id, ctx, response
        error = _refusal(response, verdict)
        if isinstance(error, RejectedDelivery):
            raise _Pending(attempt_id, ctx, response, error)
        self._close_attempt(_Closing.of(attempt_id, "transient", error, response, ctx))  # another call may follow
        raise error

    def _redactor(self, claimed: Claimed, *more: Any) -> Redactor:
        """Masked values of the payload (the origin's and the target's masked fields) and of ``more``."""
        return Redactor.of(self.registry.masked_fields(claimed.origin, claimed.connector),
                           claimed.envelope.get("data"), *more)

    def _after(self, hook: Callable[[DeliveryStage], None]) -> None:
        for stage in reversed(self.stages):
            try:
                hook(stage)
            except Exception:  # an observing stage must never stop delivery
                log.exception("delivery stage %s failed", type(stage).__name__)

    # ------------------------------------------------------------------ the attempt log
    @retry_on_disconnect
    def _open_attempt(self, ctx: CallContext) -> str:
        """Store a further attempt of the round before its call: if the worker dies during it, the log shows it."""
        attempt_id = new_id()
        now = datetime.now(UTC)
        with self.db.session() as s:
            number = s.execute(update(D).where(D.c.id == ctx.delivery_id)
                               .values(attempts=D.c.attempts + 1,
                                       request={"method": ctx.method, "url": ctx.url, "body": ctx.body})
                               .returning(D.c.attempts)).scalar_one()
            s.execute(insert(A).values(id=attempt_id, delivery_id=ctx.delivery_id, number=number, started_at=now,
                                       duration_ms=0.0, url=ctx.url, outcome="in_flight"))
        return attempt_id

    @retry_on_disconnect
    def _close_attempt(self, closing: _Closing) -> None:
        with self.db.session() as s:
            execute_write(s, closing.statement())

    def _closing(self, last: Any, outcome: str, error: DeliveryError | None) -> _Closing | None:
        """The attempt the delivery's final transaction closes, with what it learnt."""
        if isinstance(error, _Pending):
            return _Closing.of(error.attempt_id, outcome, error.error, error.response, error.ctx)
        if error is not None:
            return None  # a transient attempt is closed as soon as it fails
        attempt_id, ctx, response = last
        return _Closing.of(attempt_id, outcome, None, response, ctx)

    # ------------------------------------------------------------------ what comes next
    def _reschedule(self, claimed: Claimed, connector: Connector, error: str, retry_after_s: float | None,
                    status_code: int | None = None, *, schedule: tuple[float, ...] | None = None,
                    attempt: _Closing | None = None, spare: list[str] | None = None,
                    request: Request | None = None) -> Outcome:
        rounds = claimed.rounds + 1
        retry = connector.retry if schedule is None else connector.retry.model_copy(update={"schedule": list(schedule)})
        delay = policy.next_delay(retry, rounds, retry_after_s)
        if delay is None:
            return self._finish(claimed, DeliveryStatus.DEAD, status_code=status_code, attempt=attempt, spare=spare,
                                error=f"gave up after {rounds} rounds: {error}", request=request)
        return self._finish(claimed, DeliveryStatus.RETRYING, error=error, status_code=status_code,
                            rounds=rounds, retry_in_s=delay, attempt=attempt, spare=spare, request=request)

    def _hold(self, claimed: Claimed, connector: Connector, hold: Hold,
              failure: TransientDeliveryError | None, spare: list[str], request: Request) -> Outcome:
        """A stage parked the delivery (:class:`~hub.errors.Hold`).

        Before any call this round: no attempt, no round — the delivery is ``retrying`` until
        ``hold.until``. After a call of this round failed: the round failed like any other, and the
        next one comes no sooner than ``hold.until``.
        """
        wait_s = max(0.0, (hold.until - datetime.now(UTC)).total_seconds())
        if failure is not None:
            outcome = self._reschedule(claimed, connector, str(failure), max(wait_s, failure.retry_after_s or 0.0),
                                       failure.status_code, schedule=failure.schedule, spare=spare, request=request)
        else:
            outcome = self._finish(claimed, DeliveryStatus.RETRYING, error=hold.reason, retry_in_s=wait_s,
                                   spare=spare)
        if outcome.status == DeliveryStatus.RETRYING and hold.lifted is not None and hold.lifted():
            return self._due_now(claimed.delivery_id) or outcome  # lifted while it was parked: it goes at once
        return outcome

    @retry_on_disconnect
    def _due_now(self, delivery_id: str) -> Outcome | None:
        """Make a parked delivery due at once (None if it is parked no more)."""
        with self.db.session() as s:
            done = s.execute(update(D).where(D.c.id == delivery_id, D.c.status == DeliveryStatus.RETRYING)
                             .values(next_attempt_at=datetime.now(UTC)))
        return Outcome(DeliveryStatus.RETRYING, 0.0) if getattr(done, "rowcount", 0) else None

    def _finish(self, claimed: Claimed, status: str, *, error: str | None, status_code: int | None = None,
                rounds: int | None = None, retry_in_s: float | None = None, attempt: _Closing | None = None,
                spare: list[str] | None = None, request: Request | None = None) -> Outcome:
        """One transaction: close the last attempt, store what it revealed, settle the delivery, roll up.

        An attempt opened with the claim that no call used (``spare``) is removed: no call, no attempt.
        """
        released = self._settle(claimed, status, error=error, status_code=status_code, rounds=rounds,
                                retry_in_s=retry_in_s, attempt=attempt, unused=spare[0] if spare else None,
                                request=request)
        for successor in released:
            self._wake(successor)
        if status == DeliveryStatus.DEAD:
            log.warning("delivery %s is dead: %s", claimed.delivery_id, error)
            self._after(lambda st: st.after_outcome(claimed.connector, "dead", None))
        return Outcome(status, retry_in_s)

    @retry_on_disconnect
    def _settle(self, claimed: Claimed, status: str, *, error: str | None, status_code: int | None,
                rounds: int | None, retry_in_s: float | None, attempt: _Closing | None, unused: str | None,
                request: Request | None) -> list[str]:
        now = datetime.now(UTC)
        values: dict[str, Any] = dict(status=status, last_error=error, updated_at=now, lease_until=None,
                                      not_yet=_not_yet(status, status_code))
        if status_code is not None:
            values["last_status_code"] = status_code
        if rounds is not None:
            values["rounds"] = rounds
        if retry_in_s is not None:
            values["next_attempt_at"] = now + timedelta(seconds=retry_in_s)
        if status == DeliveryStatus.DELIVERED:
            values["delivered_at"] = now
        if request is not None:
            values["request"] = _stored(request)
        writes: list[Write] = []
        if attempt is not None:
            writes.append(attempt.statement())
        if unused is not None:
            writes.append(Bound(claims.drop_attempt(), {"unused_attempt": unused}))
            values["attempts"] = D.c.attempts - 1
        with self.db.session() as s:
            writes += self._roll_up(s, claimed, status, now)  # locks the message first
            if attempt is not None and attempt.links:
                self._store_links(s, claimed, attempt.links)
            settle = update_row(D, claimed.delivery_id, values, "settled")
            release = self._release(claimed, now) if status in DeliveryStatus.FINAL else None
            if release is None:
                execute_together(s, writes, settle)
                return []
            return list(execute_together(s, [*writes, settle], release).scalars())

    @staticmethod
    def _roll_up(s: Session, claimed: Claimed, status: str, now: datetime) -> list[Write]:
        """The status roll-up's writes, with this delivery at ``status``: read under the message's lock,
        so two workers finishing deliveries of one message do not overwrite each other's roll-up."""
        rows = s.execute(claims.roll_up_rows(), {"message_id": claimed.message_id}).all()
        if not rows:
            return []  # failed, ignored or not translated yet: nothing to roll up
        current = {r.canonical_id: r.canonical_status for r in rows}
        statuses, message_status = rolled_up_rows(
            ((r.canonical_id, r.connector, r.operation, r.element,
              status if r.id == claimed.delivery_id else r.status) for r in rows if r.id is not None), current)
        writes: list[Write] = [update_row(C, cid, {"status": new}, f"rolled_up_{i}")
                               for i, (cid, new) in enumerate((cid, new) for cid, new in statuses.items()
                                                              if current[cid] != new)]
        if rows[0].message_status != message_status:
            writes.append(update_row(I, claimed.message_id, {"status": message_status, "updated_at": now}))
        return writes

    @staticmethod
    def _release(claimed: Claimed, now: datetime) -> Bound | None:
        """Make the deliveries held behind this one (same system and transaction, or same key) due at once.

        A held delivery looks again every ORDERING_WAIT_S; waking it when its predecessor settles
        keeps a transaction's chain of deliveries from paying that wait at every link.
        """
        if claimed.chain is None and claimed.ordering_key is None:
            return None
        return Bound(claims.release(claimed.chain is not None, claimed.ordering_key is not None), {
            "release_connector": claimed.connector, "release_after": claimed.message_id,
            "release_chain": claimed.chain, "release_key": claimed.ordering_key,
            "release_due_by": now + timedelta(seconds=ORDERING_WAIT_S), "release_now": now})

    def _wake(self, delivery_id: str) -> None:
        if self.enqueue is None:
            return
        try:
            self.enqueue(delivery_id)
        except Exception:  # committed as due: the sweeper or its own retry brings it
            log.exception("enqueue of delivery %s failed", delivery_id)

    @staticmethod
    def _store_links(s: Session, claimed: Claimed, links: list[dict[str, Any]]) -> None:
        try:
            with s.begin_nested():
                for link in links:
                    link_in(s, str(link["entity"]), link["ids"])
        except IntegrityError as exc:
            log.warning("response_xref of %s.%s not recorded: %s", claimed.connector, claimed.operation, exc)


def _claimed(own: Row[Any], read: Row[Any] | Any, attempt_id: str) -> Claimed:
    return Claimed(delivery_id=own.id, connector=own.connector, operation=own.operation, element=own.element,
                   message_id=own.message_id, canonical_id=own.canonical_id, correlation_id=read.correlation_id,
                   traceparent=read.traceparent, origin=read.origin or "", attempt_id=attempt_id,
                   rounds=own.rounds, ordering_key=own.ordering_key, chain=own.chain,
                   envelope=cloud_event(id=own.canonical_id, source=read.source, type=read.type,
                                        subject=read.subject, time=read.time, dataschema=read.dataschema,
                                        correlation_id=read.correlation_id, causation_id=read.causation_id,
                                        traceparent=read.traceparent, data=read.data))


@dataclass(frozen=True)
class _Closing:
    """An attempt's end: its outcome and what the answer (or its absence) said."""

    attempt_id: str
    outcome: str
    values: dict[str, Any]
    links: list[dict[str, Any]]

    @classmethod
    def of(cls, attempt_id: str, outcome: str, error: DeliveryError | None, response: Response | None,
           ctx: CallContext) -> _Closing:
        values: dict[str, Any] = dict(
            outcome=outcome, url=ctx.url, error=str(error) if error else None,
            status_code=response.status_code if response else (error.status_code if error else None),
            response_excerpt=response.excerpt if response else (error.response_excerpt if error else None))
        if response is not None:
            values["duration_ms"] = response.duration_ms
        return cls(attempt_id, outcome, values, ctx.links)

    @classmethod
    def note(cls, attempt_id: str, outcome: str, error: str) -> _Closing:
        """An attempt that made no call: the mapping could not build it (or waits for an id)."""
        return cls(attempt_id, outcome, dict(outcome=outcome, error=error), [])

    def statement(self) -> Write:
        return update_row(A, self.attempt_id, self.values, "closed_attempt")


class _Pending(RejectedDelivery):
    """A business rejection whose attempt is closed by the delivery's final transaction."""

    def __init__(self, attempt_id: str, ctx: CallContext, response: Response, error: RejectedDelivery):
        super().__init__(str(error), status_code=error.status_code, response_excerpt=error.response_excerpt)
        self.attempt_id = attempt_id
        self.ctx = ctx
        self.response = response
        self.error = error


def _not_yet(status: str, status_code: int | None) -> bool:
    """A delivery retried after a 4xx other than a timeout or a rate limit: a refusal for now."""
    return (status == DeliveryStatus.RETRYING and status_code is not None and 400 <= status_code < 500
            and status_code not in (408, 429))


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
