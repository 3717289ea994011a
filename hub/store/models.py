"""Tables of the message path: inbound (raw) → canonical messages (one or several) → deliveries → attempts.

An inbound message yields its canonical messages in order (``seq``); a later
translation (a replay with the current mapping) supersedes them (``current``
false) and adds new ones. Each canonical message has the state of its own
deliveries, and ``InboundMessage.status`` rolls those up
(:mod:`hub.store.status`)::

    message:  received ─▶ failed            (mapping / schema error; replayable — or, once its good
                                            records are done, a split batch with records that failed alone)
                      ─▶ ignored           (a native event the connector declares as ignored)
                      ─▶ no_route          (translated; nobody subscribes)
                      ─▶ delivering ─▶ delivered | rejected | dead
    canonical: no_route | delivering ─▶ delivered | rejected | dead;  superseded
               failed  (a split batch's record that failed alone: no delivery; replayed alone)
    delivery: pending ─▶ in_flight ─▶ delivered
                                   ─▶ retrying ─▶ in_flight …
                                   ─▶ rejected (4xx business refusal) | dead (retries exhausted)
              paused  (the connector's delivery is paused)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ID = String(36)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out — on SQLite (which drops offsets) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store keeps aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class MessageStatus:
    RECEIVED = "received"
    IGNORED = "ignored"
    FAILED = "failed"
    NO_ROUTE = "no_route"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    DEAD = "dead"
    SUPERSEDED = "superseded"
    """A canonical message replaced by a later translation (canonical messages only)."""
    ALL = (RECEIVED, IGNORED, FAILED, NO_ROUTE, DELIVERING, DELIVERED, REJECTED, DEAD)


class DeliveryStatus:
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    DEAD = "dead"
    PAUSED = "paused"
    ALL = (PENDING, IN_FLIGHT, RETRYING, DELIVERED, REJECTED, DEAD, PAUSED)
    OPEN = (PENDING, IN_FLIGHT, RETRYING, PAUSED)
    FINAL = (DELIVERED, REJECTED, DEAD)


class InboundMessage(Base):
    """A message as a system sent it, stored before the sender gets its ``202``."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("connector", "sender_id", name="uq_inbound_sender"),
        Index("ix_inbound_status_received", "status", "received_at"),
        Index("ix_inbound_sender", "sender_id"),
        # and on PostgreSQL a fill factor of 70 (migration 0023), so its updates stay on their page.
        # No index of a column another index begins with (migration 0025): each costs every write.
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    connector: Mapped[str] = mapped_column(String(64))
    sender_id: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str] = mapped_column(String(32))
    native_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[Any] = mapped_column(JSON)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    translations: Mapped[int] = mapped_column(Integer, default=0)
    translation_starts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Translations begun and not finished since the last one that did: each is a worker that died in it
    (:mod:`hub.workers.poison`)."""
    purged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """When retention (:mod:`hub.retention`) removed its payloads; the metadata stays."""

    canonicals: Mapped[list[CanonicalMessage]] = relationship(
        back_populates="inbound", order_by="CanonicalMessage.created_at",
        foreign_keys="CanonicalMessage.message_id")
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="message", order_by="Delivery.created_at")


class SearchText(Base):
    """What ``q=`` searches of a message: its raw body (part 0, written at ingest) and its current
    canonical payloads (part 1, written by each translation), with masked fields as ``***``.

    A table of its own, with the trigram index (PostgreSQL, migration 0024), because the message's
    row changes state several times on its way and every such update would re-index all the text.
    """

    __tablename__ = "search_texts"

    message_id: Mapped[str] = mapped_column(ForeignKey("inbound_messages.id", ondelete="CASCADE"),
                                            primary_key=True)
    part: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    text: Mapped[str] = mapped_column(Text)


BODY_PART, CANONICAL_PART = 0, 1
"""The parts of a message's :class:`SearchText`."""


class CanonicalMessage(Base):
    """One CloudEvents envelope and canonical payload a translation produced."""

    __tablename__ = "canonical_messages"
    __table_args__ = (Index("ix_canonical_current", "message_id", "current", "seq"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("inbound_messages.id"))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    """Its place among the messages one translation of the inbound message gave (a split gives several)."""
    current: Mapped[bool] = mapped_column(default=True)
    """False once a later translation of the inbound message has replaced it."""
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """The roll-up of its own deliveries (see the module docstring)."""
    type: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(255), index=True, nullable=True)
    time: Mapped[datetime]
    dataschema: Mapped[str] = mapped_column(String(200))
    correlation_id: Mapped[str] = mapped_column(String(100), index=True)
    causation_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    traceparent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[Any] = mapped_column(JSON)
    mapping: Mapped[str | None] = mapped_column(String(255), nullable=True)
    no_route: Mapped[Any] = mapped_column(JSON, nullable=True)
    """Why it makes no delivery, when it makes none: one reason per subscription to its type, or that
    there is none (see :func:`hub.pipeline.routing.why_no_route`)."""
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """A failed record's error (migration 0019); its ``data`` is then the record, not a canonical payload."""
    echo_of: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """When its event reports back a call the hub made to its sender: that call's ``delivery_id``, the
    ``message_id`` it carried and that message's connector (``origin``), to which it is not sent back
    (:mod:`hub.pipeline.echo`)."""
    error_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(index=True)

    inbound: Mapped[InboundMessage] = relationship(back_populates="canonicals", foreign_keys=[message_id])

    def envelope(self) -> dict[str, Any]:
        """The CloudEvents 1.0 JSON form (structured mode)."""
        return cloud_event(id=self.id, source=self.source, type=self.type, subject=self.subject, time=self.time,
                           dataschema=self.dataschema, correlation_id=self.correlation_id,
                           causation_id=self.causation_id, traceparent=self.traceparent, data=self.data)


def cloud_event(*, id: str, source: str, type: str, subject: str | None, time: datetime, dataschema: str,
                correlation_id: str, causation_id: str | None, traceparent: str | None, data: Any) -> dict[str, Any]:
    """A canonical message's CloudEvents 1.0 JSON form, from its columns (also read without the ORM)."""
    env: dict[str, Any] = {
        "specversion": "1.0", "id": id, "source": source, "type": type,
        "subject": subject, "time": time.isoformat(),
        "datacontenttype": "application/json", "dataschema": dataschema,
        "correlationid": correlation_id, "causationid": causation_id,
        "traceparent": traceparent, "data": data,
    }
    return {k: v for k, v in env.items() if v is not None}


class Delivery(Base):
    """One canonical message on its way to one connector operation."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),
                      Index("ix_delivery_ordering", "connector", "ordering_key"),
                      Index("ix_delivery_causal", "connector", "correlation_id"),
                      Index("ix_delivery_recent", "connector", "created_at"))

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    canonical_id: Mapped[str] = mapped_column(ForeignKey("canonical_messages.id"), index=True)
    connector: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(100))
    element: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """For an operation with ``each``: which element of its array this call carries."""
    ordering_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    """Deliveries to one connector with the same key go one at a time, in message order."""
    correlation_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """Its canonical message's transaction: deliveries to one connector within one transaction are
    applied in the order their messages arrived (causal order across senders). None for a wire tap."""
    tap: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A wire tap's copy (``wire_tap: true``): in no order, and left out of the message's status."""
    not_yet: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Its last call was refused for now, with a 4xx that is retried (a ``responses:`` rule's ``retry``, or a
    409): what it refers to has not reached the target yet — and may be what a later delivery brings, so
    while it waits it holds no later delivery back (:func:`hub.delivery.claims.may_go`)."""
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the delivery was rescheduled after its in-place attempts failed."""
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)

    message: Mapped[InboundMessage] = relationship(back_populates="deliveries")
    attempt_log: Mapped[list[Attempt]] = relationship(back_populates="delivery", order_by="Attempt.number")


class Attempt(Base):
    """One outbound call, whatever its outcome."""

    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")


class CrossReference(Base):
    """One system's id for a real-world entity, tied to the entity's golden id.

    Two systems' ids for the same customer share a ``golden_id``; ``$xref`` in
    a mapping walks from one to the other.
    """

    __tablename__ = "xrefs"
    __table_args__ = (
        UniqueConstraint("entity", "system", "local_id", name="uq_xref_local"),
        Index("ix_xref_golden", "entity", "golden_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    golden_id: Mapped[str] = mapped_column(ID)
    system: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ConnectorState(Base):
    """Operator-controlled state of a connector (delivery paused or not)."""

    __tablename__ = "connector_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CircuitBreakerState(Base):
    """A connector's circuit breaker, shared by every worker process (migration 0007).

    Written only by :mod:`hub.delivery.circuit`; ``closed`` with no row is the same as no failures.
    """

    __tablename__ = "circuit_breakers"

    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default="closed")
    """closed | open | half_open"""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Consecutive transient failures since the last success."""
    window_start: Mapped[datetime | None] = mapped_column(nullable=True)
    window_calls: Mapped[int] = mapped_column(Integer, default=0)
    window_failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(nullable=True)
    open_until: Mapped[datetime | None] = mapped_column(nullable=True)
    """End of the cool-down: the first call after it is the probe."""
    probe_until: Mapped[datetime | None] = mapped_column(nullable=True)
    """While half-open: the probe's lease; a probe that never reports is replaced after it."""
    updated_at: Mapped[datetime]


# ---------------------------------------------------------------------------------------------
# Who may do what, and what they did: dashboard users, API tokens, the audit log (migration 0002).


class User(Base):
    """A dashboard login. ``role`` is viewer (read), operator (replay, retry, pause) or admin."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    """An argon2 hash (pwdlib); the password itself is never stored."""
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    """Sessions that began before this moment are no longer accepted."""
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ApiToken(Base):
    """A token for machine access (``Authorization: Bearer …``); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, shown so a token can be recognised without being revealed."""
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditEntry(Base):
    """One thing a person or token did: a replay, a retry, a pause, a login, a change of users."""

    __tablename__ = "audit_log"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str | None] = mapped_column(String(255), nullable=True)
    via: Mapped[str] = mapped_column(String(10))
    """``ui``, ``api`` or ``cli``."""
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CorrelationKey(Base):
    """A business key (``sales_order:SO-…``) and the transaction it belongs to.

    Messages whose connector declares the same key share one correlation id; the latest
    message with a key is the cause of the next one.
    """

    __tablename__ = "correlation_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    correlation_id: Mapped[str] = mapped_column(String(100), index=True)
    last_canonical_id: Mapped[str] = mapped_column(ID)
    updated_at: Mapped[datetime]


class Poller(Base):
    """One polled source (a connector's ``poll:``): how far it has read, its health, and its leader.

    Exactly one process polls a source at a time: the one holding the lease (``leader`` until
    ``lease_until``), renewed while it works; a leader that dies loses it when the lease runs out.
    The watermark moves only in the transaction that stores the records it covers.
    """

    __tablename__ = "pollers"

    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="idle")
    """idle | polling | failing"""
    watermark: Mapped[Any] = mapped_column(JSON, nullable=True)
    """``{"value": …, "type": "number" | "datetime" | "string"}``, or none before the first record."""
    leader: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Consecutive failed runs; the next run backs off accordingly."""
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    records: Mapped[int] = mapped_column(Integer, default=0)
    """Records stored from this source (duplicates not counted)."""
    updated_at: Mapped[datetime]


class Aggregate(Base):
    """One aggregator's gathering for one correlation key (migration 0012): the messages so far, until complete.

    Written only by :mod:`hub.aggregator`, in the transaction that translates each gathered message,
    so a message is gathered exactly when it is translated. A key whose aggregate is complete starts a
    new one (``generation`` + 1) with its next message.
    """

    __tablename__ = "aggregates"
    __table_args__ = (
        UniqueConstraint("connector", "name", "key", "generation", name="uq_aggregate_key"),
        Index("ix_aggregates_state_expires", "state", "expires_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    connector: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(10), default="open")
    """open | complete"""
    count: Mapped[int] = mapped_column(Integer, default=0)
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{message_id, seq, canonical_id, data}] in arrival order; one per (message_id, seq)."""
    first_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """With a ``timeout``: when the sweeper completes it with what it has."""
    deferred_at: Mapped[datetime | None] = mapped_column(nullable=True)
    """When its completion held but was put off: a message its sender sent earlier was not translated yet
    (it may belong here). The next message gathered, or the sweeper once that one is translated, decides."""
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completion: Mapped[str | None] = mapped_column(String(10), nullable=True)
    """count | when | timeout: what completed it."""
    message_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    """The inbound message the complete aggregate made."""
    updated_at: Mapped[datetime]


class ReconcileRun(Base):
    """One reconciliation (:mod:`hub.reconcile`): when, why, and per check the counts and totals of both sides."""

    __tablename__ = "reconcile_runs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    trigger: Mapped[str] = mapped_column(String(100))
    """``sweeper``, ``cli`` or ``api:<actor>``."""
    status: Mapped[str] = mapped_column(String(20))
    """running | ok | mismatch | error | interrupted"""
    mismatches: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[Any] = mapped_column(JSON)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    """While ``running``: renewed by its process's heartbeat; once passed, the process is gone."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why an ``interrupted`` run did not finish."""


class Mismatch(Base):
    """A key one system has and the other lacks, or holds with another amount (or twice)."""

    __tablename__ = "reconcile_mismatches"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("reconcile_runs.id"), index=True)
    check: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    """missing_right | missing_left | amount | duplicate_right"""
    key: Mapped[str] = mapped_column(String(255))
    left_amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    right_amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    replayed_message_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    replayed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    replay_status: Mapped[str | None] = mapped_column(String(20), nullable=True)


class ScheduledJob(Base):
    """When a periodic job last ran, shared by every process (:mod:`hub.store.schedule`)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
