"""The aggregators' store: each gathered message is kept (``aggregates``) in the transaction that translates it.

:meth:`Aggregator.gather` is called by the translator for each canonical message it stores:
the message joins the open aggregate of its key (created on first use, locked while it changes),
and when the aggregation's completion holds the aggregate is closed and its message is stored as
an inbound message of the aggregator's connector (``mode`` ``aggregation``, native event
``aggregation/<name>``), which is then translated like any other. Everything is in the database,
so an aggregate survives a restart of every process; the sweeper completes those whose
``timeout`` has passed (:meth:`Aggregator.expire`). A message translated again (a replay) is not
gathered twice.

Workers translate in whatever order they get to messages, so a completion is not decided while a
message its sender sent earlier is still untranslated: that one may belong to the aggregate (a
purchase order's first receipt translated after its second must not leave the second complete
alone). The aggregate is marked ``deferred_at`` and decided again by the next message gathered
into it, or by the sweeper once the earlier message is translated (:meth:`Aggregator.expire`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.ids import new_id
from hub.pipeline.aggregation import Completion, completed, gatherings, native_body
from hub.pipeline.compiled import CompiledAggregation
from hub.registry import Registry
from hub.store import Database, InboundMessage
from hub.store.models import Aggregate, MessageStatus

UNTRANSLATED_WAIT_LIMIT = timedelta(minutes=5)
"""An untranslated earlier message puts a completion off this long at most (the sweeper re-queues it)."""

log = logging.getLogger("hub.aggregator")

OPEN = "open"
COMPLETE = "complete"
MODE = "aggregation"
"""``InboundMessage.mode`` of a message an aggregation made: only these may carry an aggregation event."""
EXPIRE_BATCH = 100


class Aggregator:
    def __init__(self, *, db: Database, registry: Registry, clock: Callable[[], datetime] | None = None):
        self.db = db
        self.registry = registry
        self.clock = clock or (lambda: datetime.now(UTC))

    def gather(self, s: Session, envelope: dict[str, Any], *, message_id: str, seq: int,
               functions_for: Callable[[str], dict[str, Any]] | None = None) -> list[str]:
        """File ``envelope`` with every aggregator that gathers it, in ``s``; returns the ids of the
        inbound messages the aggregations it completes made (to translate once ``s`` commits)."""
        made = []
        for g in gatherings(self.registry, envelope, functions_for):
            agg, key = g.aggregation, g.key
            rows = list(s.scalars(select(Aggregate).where(
                Aggregate.connector == agg.connector, Aggregate.name == agg.name, Aggregate.key == key)
                .order_by(Aggregate.generation)))
            if any(m["message_id"] == message_id and m["seq"] == seq for r in rows for m in r.members):
                continue  # translated again: already gathered
            row = self._open(s, agg, key, next((r for r in rows if r.state == OPEN), None),
                             max((r.generation for r in rows), default=0) + 1)
            member = {"message_id": message_id, "seq": seq, "canonical_id": envelope["id"],
                      "correlation_id": envelope.get("correlationid"), "data": envelope.get("data")}
            # In arrival order whichever worker translates first: inbound ids are time-ordered.
            row.members = sorted([*row.members, member], key=lambda m: (m["message_id"], m["seq"]))
            row.count = len(row.members)
            row.updated_at = self.clock()
            completion = completed(agg, key, [m["data"] for m in row.members])
            if completion is None:
                continue
            if self._sent_earlier_untranslated(s, row.members):
                row.deferred_at = row.updated_at
                continue
            made.append(self._complete(s, agg, row, completion))
        return made

    def _sent_earlier_untranslated(self, s: Session, members: list[dict[str, Any]]) -> bool:
        """Whether a sender of these members has an earlier message that is not translated yet."""
        newest = max(m["message_id"] for m in members)
        own, earlier = InboundMessage.__table__.alias("own"), InboundMessage.__table__.alias("earlier")
        ids = sorted({m["message_id"] for m in members})
        return bool(s.scalar(select(exists().where(
            own.c.id.in_(ids), earlier.c.connector == own.c.connector, earlier.c.id < newest,
            earlier.c.id.not_in(ids), earlier.c.mode != MODE, earlier.c.status == MessageStatus.RECEIVED,
            earlier.c.received_at >= self.clock() - UNTRANSLATED_WAIT_LIMIT))))

    def expire(self) -> list[str]:
        """Complete every open aggregate whose timeout has passed, and every deferred one whose completion
        holds now that what its senders sent before is translated; returns the inbound messages made."""
        now = self.clock()
        made = self._decide_deferred()
        with self.db.session() as s:
            due = list(s.scalars(select(Aggregate.id).where(
                Aggregate.state == OPEN, Aggregate.expires_at < now).limit(EXPIRE_BATCH)))
        for aggregate_id in due:
            with self.db.session() as s:
                row = s.get(Aggregate, aggregate_id, with_for_update=True, populate_existing=True)
                if row is None or row.state != OPEN:
                    continue  # completed meanwhile
                agg = self._declared(row)
                if agg is None:
                    log.warning("aggregate %s: aggregation %s.%s is no longer configured", row.id, row.connector,
                                row.name)
                    row.state, row.completed_at, row.updated_at = COMPLETE, now, now
                    continue
                made.append(self._complete(s, agg, row, "timeout"))
        return made

    def _decide_deferred(self) -> list[str]:
        made = []
        with self.db.session() as s:
            deferred = list(s.scalars(select(Aggregate.id).where(
                Aggregate.state == OPEN, Aggregate.deferred_at.is_not(None)).limit(EXPIRE_BATCH)))
        for aggregate_id in deferred:
            with self.db.session() as s:
                row = s.get(Aggregate, aggregate_id, with_for_update=True, populate_existing=True)
                agg = self._declared(row) if row is not None and row.state == OPEN else None
                if row is None or agg is None or self._sent_earlier_untranslated(s, row.members):
                    continue  # completed meanwhile, no longer configured (its timeout decides), or still waiting
                row.deferred_at = None
                completion = completed(agg, row.key, [m["data"] for m in row.members])
                if completion is not None:
                    made.append(self._complete(s, agg, row, completion))
        return made

    def _declared(self, row: Aggregate) -> CompiledAggregation | None:
        c = self.registry.compiled.get(row.connector)
        return c.aggregations.get(row.name) if c else None

    def _open(self, s: Session, agg: CompiledAggregation, key: str, row: Aggregate | None,
              generation: int) -> Aggregate:
        """The key's open aggregate, locked; created if there is none (another process may race us)."""
        if row is not None:
            locked = s.get(Aggregate, row.id, with_for_update=True, populate_existing=True)
            if locked is not None and locked.state == OPEN:
                return locked
        now = self.clock()
        timeout = agg.declared.completion.timeout
        fresh = Aggregate(id=new_id(), connector=agg.connector, name=agg.name, key=key, generation=generation,
                          state=OPEN, count=0, members=[], first_at=now, updated_at=now,
                          expires_at=now + timedelta(seconds=timeout) if timeout is not None else None)
        try:
            with s.begin_nested():
                s.add(fresh)
            return fresh
        except IntegrityError:  # another translation opened it first: join theirs
            theirs = s.scalar(select(Aggregate).where(
                Aggregate.connector == agg.connector, Aggregate.name == agg.name, Aggregate.key == key,
                Aggregate.generation == generation).with_for_update().execution_options(populate_existing=True))
            assert theirs is not None
            return theirs

    def _complete(self, s: Session, agg: CompiledAggregation, row: Aggregate, completion: Completion) -> str:
        now = self.clock()
        members = row.members
        first = members[0] if members else {}
        attributes = {k: v for k, v in (("correlationid", first.get("correlation_id")),
                                        ("causationid", members[-1]["canonical_id"] if members else None))
                      if v}
        message = InboundMessage(
            id=new_id(), connector=agg.connector, sender_id=f"aggregate:{row.id}", mode=MODE,
            native_type=agg.event, headers={}, attributes=attributes, received_at=now, updated_at=now,
            body=native_body(agg, row.key, [m["data"] for m in members], completion),
            status=MessageStatus.RECEIVED, translations=0)
        s.add(message)
        row.state, row.completion, row.completed_at = COMPLETE, completion, now
        row.message_id, row.updated_at = message.id, now
        log.info("aggregation %s.%s key %s complete (%s, %d message(s)) → message %s", agg.connector, agg.name,
                 row.key, completion, len(members), message.id)
        return message.id
