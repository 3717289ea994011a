"""Poison work: a message whose translation or call kills its worker each time is parked, alone.

**Counting.** A worker that dies inside a translation (a crash in native code, memory exhausted,
``kill -9``) leaves nothing of it in the database: its transaction is rolled back, and the sweeper
gives the message to the next worker, which dies too. So each start is committed before the
mapping runs (``inbound_messages.translation_starts``; the first starts of the messages a worker's
threads take at once share one statement that commits by itself, :mod:`hub.group_commit`), and a
translation that finishes — translated, failed or ignored — sets it back to 0 in its own transaction
(:meth:`hub.translate.Translator.translate`). Unfinished starts are dead workers: a start that
finds ``HUB_MAX_WORKER_DEATHS`` of them parks the message as ``failed`` instead of running the
mapping again. It is listed, searchable and replayable like any failure; a replay gives it a
fresh count and goes to a worker, never into the process that asked for it
(:meth:`hub.operations.Operations.replay_message`). A delivery's deaths are its ``abandoned``
attempts (:func:`hub.delivery.lease.give_back` parks it).

**Blame.** A worker that dies takes down everything it was running, so every translation and
delivery in flight counts a death — the innocent ones beside the poison too, and those cannot be
told from it by their records: each was there every time. So work that has already seen its
worker die (a *suspect*) runs alone in its process: it waits until the process's other work is
done, and none starts beside it (a readers–writer lock: suspects write, the rest read). The
poison dies alone and is parked; an innocent suspect runs alone, lives, and goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import fasteners
from sqlalchemy import Table, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import ReturningUpdate

from hub.delivery.lease import ABANDONED
from hub.group_commit import GroupCommit
from hub.settings import DEFAULT_MAX_WORKER_DEATHS
from hub.store import Attempt, Database, InboundMessage
from hub.store.models import MessageStatus, UTCDateTime

log = logging.getLogger("hub.poison")

FIRST_STARTS_BATCH = 64
"""At most this many first starts counted in one transaction (a worker runs fewer threads)."""
POISON_KIND = "poison"
"""``error_detail.kind`` of a message parked because its translation killed its workers."""


def poison_reason(deaths: int) -> str:
    return f"translation killed its worker {deaths} times; parked as a poison message (replay it once fixed)"


class Quarantine:
    """Counts translation starts durably, parks poison translations, and runs suspects alone in this process."""

    def __init__(self, db: Database, *, max_deaths: int = DEFAULT_MAX_WORKER_DEATHS):
        self.db = db
        self.max_deaths = max_deaths
        self._lock = fasteners.ReaderWriterLock()
        self._first_starts: GroupCommit[str, bool] = GroupCommit(
            self._count_first_starts, max_batch=FIRST_STARTS_BATCH, name="translation-starts")

    @contextmanager
    def translation(self, message_id: str) -> Iterator[bool]:
        """Around one translation: yields False when there is nothing to run (not waiting for
        translation, or parked now); a suspect runs alone."""
        with self._alone(False):
            fresh = self._begin_fresh(message_id)
            if fresh:
                with self._abandoned_on_error(message_id):
                    yield True
        if fresh:
            return
        if self._starts(message_id) is None:  # translated meanwhile, or not waiting for translation
            yield False
            return
        with self._alone(True):
            go = self.begin(message_id)
            with self._abandoned_on_error(message_id) if go else nullcontext():
                yield go

    @property
    def starts_waiting(self) -> int:
        """First starts handed over and waiting for the transaction of the next batch."""
        return self._first_starts.waiting

    @contextmanager
    def delivery(self, delivery_id: str) -> Iterator[None]:
        """Around one delivery: a delivery whose worker died before runs alone."""
        with self.db.read() as s:
            suspect = s.scalar(select(Attempt.id).where(
                Attempt.delivery_id == delivery_id, Attempt.outcome == ABANDONED).limit(1)) is not None
        with self._alone(suspect):
            yield

    @contextmanager
    def _alone(self, suspect: bool) -> Iterator[None]:
        if self._lock.is_reader() or self._lock.is_writer():  # nested: a translation delivering what it made
            yield
        elif suspect:
            with self._lock.write_lock():
                yield
        else:
            with self._lock.read_lock():
                yield

    def _starts(self, message_id: str) -> int | None:
        """Its unfinished translation starts; None when it is not waiting for translation."""
        with self.db.read() as s:
            row = s.execute(select(InboundMessage.status, InboundMessage.translation_starts)
                            .where(InboundMessage.id == message_id)).first()
        return None if row is None or row.status != MessageStatus.RECEIVED else int(row.translation_starts or 0)

    def _begin_fresh(self, message_id: str) -> bool:
        """Count a start of a translation no worker died in yet (the usual case); False when it is not
        one (a start died before, or it is not waiting for translation). Committed before it returns,
        together with the first starts other threads asked for meanwhile."""
        return self._first_starts.submit(message_id)

    def _count_first_starts(self, message_ids: Sequence[str]) -> list[bool]:
        """One transaction for a batch of first starts: whether each was counted (an id asked for twice
        at once is counted for the first caller only; the other finds it started)."""
        statement = _first_starts(self.db.engine.dialect.name == "postgresql")
        counted = {row.id for row in self.db.execute_alone(statement, {"message_ids": sorted(set(message_ids)),
                                                                       "now": datetime.now(UTC)})}
        answers = []
        for message_id in message_ids:
            answers.append(message_id in counted)
            counted.discard(message_id)
        return answers

    @contextmanager
    def _abandoned_on_error(self, message_id: str) -> Iterator[None]:
        try:
            yield
        except Exception:
            self.abandon(message_id)
            raise

    def begin(self, message_id: str) -> bool:
        """Count a start of ``message_id``'s translation (committed); False when there is nothing to run:
        not waiting for translation, or parked now because its workers died ``max_deaths`` times."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            msg = s.get(InboundMessage, message_id, with_for_update=True)
            if msg is None or msg.status != MessageStatus.RECEIVED:
                return False
            deaths = msg.translation_starts or 0
            if deaths >= self.max_deaths:
                msg.status = MessageStatus.FAILED
                msg.error = poison_reason(deaths)
                msg.error_detail = {"kind": POISON_KIND, "message": msg.error, "deaths": deaths}
                msg.updated_at = now
                log.warning("message %s failed: %s", message_id, msg.error)
                return False
            msg.translation_starts = deaths + 1
            msg.updated_at = now  # the sweeper leaves it to this worker for a grace period
            return True

    def abandon(self, message_id: str) -> None:
        """Take back a start whose translation raised (the database away, …): the worker lives on."""
        try:
            with self.db.session() as s:
                s.execute(update(InboundMessage).where(InboundMessage.id == message_id,
                                                       InboundMessage.translation_starts > 0)
                          .values(translation_starts=InboundMessage.translation_starts - 1))
        except Exception:  # the database is still away: the start stays counted
            log.exception("could not take back the translation start of message %s", message_id)


@cache
def _first_starts(postgres: bool) -> ReturningUpdate[Any]:
    """The first starts of translations, built once: it runs for every message (Core, not ORM, for the same
    reason). The ids it returns were counted. On PostgreSQL the ids are one array parameter, so the
    statement's text stays the same (SQLAlchemy renders an expanding ``IN`` again for every execution)."""
    inbound = cast(Table, InboundMessage.__table__)
    ids = (inbound.c.id == any_(bindparam("message_ids", type_=ARRAY(inbound.c.id.type))) if postgres
           else inbound.c.id.in_(bindparam("message_ids", expanding=True)))
    return (update(inbound).where(ids,
                                  inbound.c.status == MessageStatus.RECEIVED, inbound.c.translation_starts == 0)
            .values(translation_starts=1, updated_at=bindparam("now", type_=UTCDateTime()))
            .returning(inbound.c.id))
