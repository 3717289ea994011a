"""The statements a delivery runs on every claim and settle, built once with named parameters.

Building a statement this size (correlated ``EXISTS``, aliases, a writable CTE) costs more Python
than the database spends running it: a worker built the claim's statement anew for each delivery,
and that was a quarter of its CPU. Here each is built on first use and reused; a call passes its
values as parameters, and SQLAlchemy's compiled cache does the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, exists, insert, literal, or_, select, update
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import ColumnElement

from hub.store import Attempt, CanonicalMessage, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus, UTCDateTime

D = cast(Table, Delivery.__table__)
A = cast(Table, Attempt.__table__)
C = cast(Table, CanonicalMessage.__table__)
I = cast(Table, InboundMessage.__table__)  # noqa: E741 (the inbound table, beside D, A and C)

ORDERING_WAIT_S = 1.0
"""How soon a delivery waiting for an earlier one (same key, or same transaction) looks again."""
UNTRANSLATED_WAIT_LIMIT = timedelta(minutes=5)
"""An untranslated earlier message holds keyed deliveries this long at most (the sweeper re-queues it)."""
CLAIM_SKEW_S = 1.0
"""A delivery may be claimed this early: broker delays and clocks are not exact."""
RELEASE_BATCH = 20
"""How many deliveries held behind a settled one are woken at once (the rest wake at their next look)."""

OWN = (D.c.id, D.c.connector, D.c.operation, D.c.element, D.c.message_id, D.c.canonical_id, D.c.attempts,
       D.c.rounds, D.c.ordering_key, D.c.correlation_id.label("chain"))
"""What a claim reads of the delivery."""
READ = (C.c.source, C.c.type, C.c.subject, C.c.time, C.c.dataschema, C.c.correlation_id,
        C.c.causation_id, C.c.traceparent, C.c.data, I.c.connector.label("origin"))
"""What a claim reads of its canonical message and its sender."""


def _time(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


def _one_of(column: ColumnElement[Any], values: tuple[str, ...]) -> ColumnElement[bool]:
    """``column IN (…)`` with one bound parameter per value: ``in_`` of a constant list makes an
    expanding parameter, whose statement SQLAlchemy renders again for every execution."""
    return column.in_([literal(v, column.type) for v in values])


def may_go() -> ColumnElement[bool]:
    """The claimed delivery has nothing before it that may still have to go first.

    - **Causal order**: an open delivery to the same system in the same transaction
      (correlation id) for a message that arrived earlier — a shipment waits for the
      production receipt of the same order, whoever sent each.
    - **Per-key order** (``ordering_key``): an open delivery to the same system with the same
      key, or an earlier message from the same sender that is not translated yet (its key
      is not known until it is, and two events about one document often arrive back to back).

    An earlier delivery the target answered "not yet" (``not_yet``: a confirmation of an order
    the target has not got) holds back none that has not met that answer itself: a sender may
    send the order after its confirmation, and the order must be let through, or both wait
    for good. Two "not yet" deliveries keep their order. Parameter: ``untranslated_since``.
    """
    earlier = D.alias("earlier")
    untranslated = I.alias("untranslated")
    own = I.alias("own")  # the claimed delivery's own message, for its sender
    waiting_for_later = and_(earlier.c.not_yet, earlier.c.status == DeliveryStatus.RETRYING, ~D.c.not_yet)
    before = and_(earlier.c.connector == D.c.connector, earlier.c.message_id < D.c.message_id,
                  _one_of(earlier.c.status, DeliveryStatus.OPEN), ~waiting_for_later)
    causal = exists().where(before, earlier.c.correlation_id == D.c.correlation_id)
    keyed = exists().where(before, earlier.c.ordering_key == D.c.ordering_key)
    unread = exists().where(own.c.id == D.c.message_id, untranslated.c.connector == own.c.connector,
                            untranslated.c.status == MessageStatus.RECEIVED,
                            untranslated.c.received_at >= _time("untranslated_since"),
                            untranslated.c.id < D.c.message_id)
    return and_(or_(D.c.correlation_id.is_(None), ~causal),
                or_(D.c.ordering_key.is_(None), and_(~keyed, ~unread)))


def claim_params(delivery_id: str, now: datetime, lease_s: float, attempt_id: str) -> dict[str, Any]:
    """The parameters of :func:`take` and :func:`take_on_postgres` (plus ``url`` and ``request`` when used)."""
    return {"delivery_id": delivery_id, "now": now, "due_by": now + timedelta(seconds=CLAIM_SKEW_S),
            "untranslated_since": now - UNTRANSLATED_WAIT_LIMIT, "lease_until": now + timedelta(seconds=lease_s),
            "attempt_id": attempt_id}


@cache
def take(with_request: bool) -> Update:
    """Take a due delivery that may go under a lease (``UPDATE … WHERE``), storing its call when given."""
    values: dict[str, Any] = dict(status=DeliveryStatus.IN_FLIGHT, updated_at=_time("now"),
                                  lease_until=_time("lease_until"), attempts=D.c.attempts + 1)
    if with_request:
        values["request"] = bindparam("request", type_=D.c.request.type)
    return (update(D)
            .where(D.c.id == bindparam("delivery_id"),
                   _one_of(D.c.status, (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                   D.c.next_attempt_at <= _time("due_by"), may_go())
            .values(**values))


@cache
def take_on_postgres(with_request: bool) -> Select[Any]:
    """:func:`take`, reading its call's data and opening its attempt in the same statement (a writable CTE)."""
    claim = (take(with_request).where(C.c.id == D.c.canonical_id, I.c.id == D.c.message_id)
             .returning(*OWN, *READ).cte("claimed"))
    opened = insert(A).from_select(
        ["id", "delivery_id", "number", "started_at", "duration_ms", "url", "outcome"],
        select(bindparam("attempt_id", type_=A.c.id.type), claim.c.id, claim.c.attempts, _time("now"),
               literal(0.0), bindparam("url", type_=A.c.url.type), literal("in_flight"))).cte("opened")
    return select(claim).add_cte(opened)


@cache
def take_returning() -> Update:
    """:func:`take` where RETURNING names the updated table only (SQLite)."""
    return take(False).returning(*OWN)


@cache
def take_returning_with_request() -> Update:
    return take(True).returning(*OWN)


@cache
def read_for_call() -> Select[Any]:
    """What a claimed delivery's call needs of its canonical message and sender. Parameter: ``canonical_id``."""
    return select(*READ).select_from(C.join(I, I.c.id == C.c.message_id)).where(C.c.id == bindparam("canonical_id"))


@cache
def open_attempt() -> Insert:
    """The attempt opened with the claim (parameters: the attempt's columns)."""
    return insert(A)


@cache
def drop_attempt() -> Delete:
    """The attempt opened with the claim that no call used: no call, no attempt. Parameter: ``unused_attempt``."""
    return delete(A).where(A.c.id == bindparam("unused_attempt"))


@cache
def not_taken() -> Update:
    """A due delivery the claim did not take waits ORDERING_WAIT_S for what is before it.
    Parameters: ``delivery_id``, ``due_by``, ``next_look``."""
    return (update(D).where(D.c.id == bindparam("delivery_id"),
                            _one_of(D.c.status, (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                            D.c.next_attempt_at <= _time("due_by"))
            .values(next_attempt_at=_time("next_look")).returning(D.c.id))


@cache
def roll_up_rows() -> Select[Any]:
    """A message's status and its current canonical messages' deliveries, under the message's lock
    (two workers finishing deliveries of one message must not overwrite each other's roll-up).
    Parameter: ``message_id``."""
    return (select(I.c.status.label("message_status"), C.c.id.label("canonical_id"),
                   C.c.status.label("canonical_status"), D.c.id, D.c.connector, D.c.operation, D.c.element,
                   D.c.status)
            .select_from(I.join(C, and_(C.c.message_id == I.c.id, C.c.current))
                         .outerjoin(D, and_(D.c.canonical_id == C.c.id, D.c.tap.is_(False))))
            .where(I.c.id == bindparam("message_id"))
            .order_by(D.c.created_at, D.c.id)
            .with_for_update(of=I))


@cache
def release(by_chain: bool, by_key: bool) -> Update:
    """Make the deliveries held behind a settled one (same system and transaction, or same key) due at once.

    Parameters: ``release_connector``, ``release_after`` (the settled one's message id), ``release_chain``
    and/or ``release_key``, ``release_due_by``, ``release_now``. The names are the statement's own: it
    runs as the last of several writes whose parameters are anonymous.
    """
    later = D.alias("later")
    behind = []
    if by_chain:
        behind.append(later.c.correlation_id == bindparam("release_chain"))
    if by_key:
        behind.append(later.c.ordering_key == bindparam("release_key"))
    held = (select(later.c.id).where(
        later.c.connector == bindparam("release_connector"), or_(*behind),
        later.c.message_id > bindparam("release_after"),
        _one_of(later.c.status, (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
        later.c.next_attempt_at <= _time("release_due_by"))
        .order_by(later.c.message_id).limit(RELEASE_BATCH))
    return (update(D).where(D.c.id.in_(held.scalar_subquery())).values(next_attempt_at=_time("release_now"))
            .returning(D.c.id))
