"""Tables of the golden-record service (migration 0005).

::

    md_source_records   one system's record of an entity, as it last arrived (unique entity+system+local id)
    md_golden_records   one real-world entity: surviving fields, their provenance, a version
    md_blocking_keys    (entity, key) → source record: candidates are fetched by index, never by scan
    md_match_links      a scored pair awaiting a steward (review) or decided (merged / kept apart)
    md_history          every version of every golden record: what changed, from which source, who
    md_parameters       the Fellegi–Sunter m/u probabilities learnt for an entity

A golden record's id is the ``golden_id`` of its members' rows in the cross-reference
(:class:`~hub.store.models.CrossReference`), so ``$xref`` reads through it unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.models import ID, Base


class GoldenStatus:
    ACTIVE = "active"
    MERGED = "merged"
    """Absorbed into another golden record; kept so an unmerge can bring it back."""


class LinkState:
    REVIEW = "review"
    MERGED = "merged"
    DISTINCT = "distinct"
    """A steward kept the pair apart: matching never joins them again."""
    ALL = (REVIEW, MERGED, DISTINCT)


class SourceRecord(Base):
    """One system's record of an entity, as it last arrived."""

    __tablename__ = "md_source_records"
    __table_args__ = (
        UniqueConstraint("entity", "system", "local_id", name="uq_md_source_local"),
        Index("ix_md_source_golden", "entity", "golden_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    system: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[str] = mapped_column(String(200))
    golden_id: Mapped[str] = mapped_column(ID)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    normalised: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The entity's fields after normalisation, kept so candidates are compared without re-normalising."""
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GoldenRecord(Base):
    """One real-world entity: its surviving fields and where each came from."""

    __tablename__ = "md_golden_records"
    __table_args__ = (Index("ix_md_golden_entity_status", "entity", "status"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)
    """field → {system, local_id, record_id, at, rule}."""
    version: Mapped[int] = mapped_column(Integer)
    merged_into: Mapped[str | None] = mapped_column(ID, nullable=True)
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BlockingKey(Base):
    """A blocking key of a source record; the primary key is the index candidates are fetched by."""

    __tablename__ = "md_blocking_keys"
    __table_args__ = (Index("ix_md_blocking_record", "record_id"),)

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    record_id: Mapped[str] = mapped_column(ID, primary_key=True)


class MatchLink(Base):
    """A scored pair of source records and what became of it."""

    __tablename__ = "md_match_links"
    __table_args__ = (
        UniqueConstraint("entity", "left_id", "right_id", name="uq_md_link_pair"),
        Index("ix_md_link_state", "entity", "state", "created_at"),
        Index("ix_md_link_right", "right_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    left_id: Mapped[str] = mapped_column(ID)
    """The smaller of the two source record ids, so a pair is stored once."""
    right_id: Mapped[str] = mapped_column(ID)
    score: Mapped[float] = mapped_column(Float)
    """Match probability in [0, 1]."""
    weight: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    """field → {left, right, similarity, level, weight}."""
    state: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class HistoryEntry(Base):
    """One version of a golden record: what changed, why, from which source, who did it."""

    __tablename__ = "md_history"
    __table_args__ = (Index("ix_md_history_golden", "golden_id", "version"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    golden_id: Mapped[str] = mapped_column(ID)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """``system:local_id`` of the source record that caused the change, if one did."""
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    """field → [before, after]."""
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """For a merge: what an unmerge needs to restore (members, cross-references, absorbed record)."""
    at: Mapped[datetime]


class MatchParameters(Base):
    """The m/u probabilities an entity's matching uses, learnt by EM from its own records."""

    __tablename__ = "md_parameters"

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    pairs: Mapped[int] = mapped_column(Integer)
    trained_at: Mapped[datetime]
