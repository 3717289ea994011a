"""When periodic jobs last ran, kept in the database so the schedule holds across restarts and processes.

A job's period is claimed with one conditional UPDATE (``last_run_at`` older than the period): the
database lets one of the processes asking at the same moment change the row, the others find it
already taken. A job that has never run gets its row from the first claim; two first claims meet on
the primary key, and the loser leaves the run to the winner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from hub.store.db import Database
from hub.store.models import ScheduledJob


def last_run(db: Database, job: str) -> datetime | None:
    """When ``job`` last ran, by any process (None: never)."""
    with db.read() as s:
        row = s.get(ScheduledJob, job)
        return row.last_run_at if row else None


def claim(db: Database, job: str, now: datetime, every: timedelta) -> bool:
    """Take ``job``'s run for the period starting ``now``; False when another run took it less than ``every`` ago."""
    with db.session() as s:
        taken = s.execute(update(ScheduledJob).where(
            ScheduledJob.name == job,
            or_(ScheduledJob.last_run_at.is_(None), ScheduledJob.last_run_at <= now - every))
            .values(last_run_at=now))
        if getattr(taken, "rowcount", 0):
            return True
        if s.get(ScheduledJob, job) is not None:
            return False
    return _first_run(db, job, now)


def record(db: Database, job: str, now: datetime) -> None:
    """Note a run made on demand (``hub retention run``): the schedule counts its period from it."""
    with db.session() as s:
        if getattr(s.execute(update(ScheduledJob).where(ScheduledJob.name == job).values(last_run_at=now)),
                   "rowcount", 0):
            return
    if not _first_run(db, job, now):
        record(db, job, now)  # another process made the row in between: update it


def _first_run(db: Database, job: str, now: datetime) -> bool:
    try:
        with db.session() as s:
            s.add(ScheduledJob(name=job, last_run_at=now))
    except IntegrityError:
        return False
    return True
