"""Planner state kept as key/values: document-number sequences and the re-plan flag."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mocks.mrp.models import Meta

DIRTY = "dirty"
"""Set when planning inputs change; cleared by a run. The simulation re-plans while it is set."""


def next_number(session: Session, prefix: str) -> str:
    """The next document number of a series: ``MO-000001``, ``PR-000001``, …"""
    row = session.get(Meta, f"seq:{prefix}")
    value = int(row.value) + 1 if row else 1
    if row:
        row.value = str(value)
    else:
        session.add(Meta(key=f"seq:{prefix}", value=str(value)))
    return f"{prefix}-{value:06d}"


def mark_dirty(session: Session, why: str) -> None:
    row = session.get(Meta, DIRTY)
    if row:
        row.value = why
    else:
        session.add(Meta(key=DIRTY, value=why))


def is_dirty(session: Session) -> bool:
    return session.get(Meta, DIRTY) is not None


def clear_dirty(session: Session) -> None:
    row = session.get(Meta, DIRTY)
    if row:
        session.delete(row)
