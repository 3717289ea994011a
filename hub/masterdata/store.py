"""The golden-record service's queries; the service never writes SQL of its own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from hub.ids import new_id
from hub.store import BlockingKey, CrossReference, GoldenRecord, HistoryEntry, MatchLink, MatchParameters, SourceRecord
from hub.store.masterdata import GoldenStatus, LinkState

MAX_CANDIDATES_PER_KEY = 50
"""A key shared by more records than this (a common word) yields only this many candidates."""
MAX_CANDIDATES = 100
"""Candidates scored per record, those sharing the most keys first: the cost of a match is bounded."""
SEARCH_LIMIT = 50

# The statements of the matching path are built once: building SQL per call costs more than running it.
_SOURCE = select(SourceRecord).where(SourceRecord.entity == bindparam("entity"),
                                     SourceRecord.system == bindparam("system"),
                                     SourceRecord.local_id == bindparam("local_id"))
_RECORDS = select(SourceRecord).where(SourceRecord.id.in_(bindparam("ids", expanding=True)))
_COMPARABLE = select(SourceRecord.id, SourceRecord.golden_id, SourceRecord.normalised).where(
    SourceRecord.id.in_(bindparam("ids", expanding=True)))
_MEMBERS = (select(SourceRecord).where(SourceRecord.entity == bindparam("entity"),
                                       SourceRecord.golden_id == bindparam("golden_id"))
            .order_by(SourceRecord.received_at, SourceRecord.id))
_XREF_GOLDEN = select(CrossReference.golden_id).where(CrossReference.entity == bindparam("entity"),
                                                      CrossReference.system == bindparam("system"),
                                                      CrossReference.local_id == bindparam("local_id"))
_CANDIDATE_SQL: dict[int, TextClause] = {}


def source(s: Session, entity: str, system: str, local_id: str) -> SourceRecord | None:
    return s.scalar(_SOURCE, {"entity": entity, "system": system, "local_id": local_id})


def _candidate_sql(n: int) -> TextClause:
    """One round trip for ``n`` keys: a UNION ALL of index lookups, each bounded by ``:limit``."""
    if n not in _CANDIDATE_SQL:
        parts = [f"SELECT * FROM (SELECT record_id FROM md_blocking_keys WHERE entity = :entity AND key = :k{i} "
                 f"LIMIT :limit) AS b{i}" for i in range(n)]
        _CANDIDATE_SQL[n] = text(" UNION ALL ".join(parts))
    return _CANDIDATE_SQL[n]


def candidate_ids(s: Session, entity: str, keys: Iterable[str], exclude: str | None = None,
                  per_key: int = MAX_CANDIDATES_PER_KEY) -> list[str]:
    """Records sharing a key, by index (each key bounded by ``per_key``); most keys shared first."""
    ordered = sorted(keys)
    if not ordered:
        return []
    params: dict[str, Any] = {"entity": entity, "limit": per_key, **{f"k{i}": k for i, k in enumerate(ordered)}}
    counts: dict[str, int] = {}
    for rid in s.execute(_candidate_sql(len(ordered)), params).scalars():
        if rid != exclude:
            counts[rid] = counts.get(rid, 0) + 1
    return sorted(counts, key=lambda r: -counts[r])[:MAX_CANDIDATES]


@dataclass(frozen=True)
class Comparable:
    """What matching reads of a candidate: no payload, no ORM object (a match loads up to a hundred)."""

    id: str
    golden_id: str
    normalised: dict[str, Any]


def comparables(s: Session, ids: list[str]) -> list[Comparable]:
    if not ids:
        return []
    return [Comparable(*row) for row in s.execute(_COMPARABLE, {"ids": ids})]


def records(s: Session, ids: list[str]) -> list[SourceRecord]:
    if not ids:
        return []
    return list(s.scalars(_RECORDS, {"ids": ids}))


def replace_keys(s: Session, entity: str, record_id: str, keys: set[str], old: set[str] | None = None) -> None:
    """The record's keys become ``keys``; only the difference is written."""
    if old is None:
        old = set(s.scalars(select(BlockingKey.key).where(BlockingKey.record_id == record_id)))
    gone, new = old - keys, keys - old
    if gone:
        s.execute(delete(BlockingKey).where(BlockingKey.record_id == record_id, BlockingKey.key.in_(gone)))
    if new:
        s.add_all(BlockingKey(entity=entity, key=k, record_id=record_id) for k in new)


def keys_of(s: Session, record_id: str) -> set[str]:
    return set(s.scalars(select(BlockingKey.key).where(BlockingKey.record_id == record_id)))


def members(s: Session, entity: str, golden_id: str) -> list[SourceRecord]:
    return list(s.scalars(_MEMBERS, {"entity": entity, "golden_id": golden_id}))


def golden(s: Session, golden_id: str) -> GoldenRecord | None:
    return s.get(GoldenRecord, golden_id)


def xref_golden(s: Session, entity: str, system: str, local_id: str) -> str | None:
    return s.scalar(_XREF_GOLDEN, {"entity": entity, "system": system, "local_id": local_id})


def add_xref(s: Session, entity: str, system: str, local_id: str, golden_id: str) -> None:
    """A new cross-reference row (what :func:`hub.xref.link_in` does for an id it does not know yet)."""
    s.add(CrossReference(id=new_id(), entity=entity, golden_id=golden_id, system=system, local_id=local_id,
                         created_at=datetime.now(UTC)))


def xrefs(s: Session, entity: str, golden_id: str) -> list[CrossReference]:
    return list(s.scalars(select(CrossReference).where(CrossReference.entity == entity,
                                                       CrossReference.golden_id == golden_id)
                          .order_by(CrossReference.system, CrossReference.local_id)))


def repoint_xrefs(s: Session, ids: list[str], golden_id: str) -> None:
    if ids:
        s.execute(update(CrossReference).where(CrossReference.id.in_(ids)).values(golden_id=golden_id))


def move_members(s: Session, ids: list[str], golden_id: str) -> None:
    if ids:
        s.execute(update(SourceRecord).where(SourceRecord.id.in_(ids)).values(golden_id=golden_id))


def distinct_from(s: Session, entity: str, record_ids: list[str]) -> set[str]:
    """Records a steward kept apart from any of ``record_ids``."""
    if not record_ids:
        return set()
    rows = s.execute(select(MatchLink.left_id, MatchLink.right_id).where(
        MatchLink.entity == entity, MatchLink.state == LinkState.DISTINCT,
        or_(MatchLink.left_id.in_(record_ids), MatchLink.right_id.in_(record_ids))))
    mine = set(record_ids)
    return {r for pair in rows for r in pair if r not in mine}


def link(s: Session, entity: str, a: str, b: str) -> MatchLink | None:
    left, right = sorted((a, b))
    return s.scalar(select(MatchLink).where(MatchLink.entity == entity, MatchLink.left_id == left,
                                            MatchLink.right_id == right))


def put_link(s: Session, entity: str, a: str, b: str, *, score: float, weight: float,
             evidence: dict[str, Any], state: str, actor: str | None = None) -> MatchLink:
    """Create or update the pair's link; a steward's decision is never overwritten by matching.

    ``evidence`` compares ``a`` (left) with ``b`` (right); the link keeps its records in id order, so
    when that puts ``b`` first the evidence's sides are swapped too and each value stays under its record."""
    now = datetime.now(UTC)
    left, right = sorted((a, b))
    if left != a:
        evidence = {name: {**e, "left": e.get("right"), "right": e.get("left")} for name, e in evidence.items()}
    row = link(s, entity, left, right)
    if row is None:
        row = MatchLink(id=new_id(), entity=entity, left_id=left, right_id=right, score=score, weight=weight,
                        evidence=evidence, state=state, created_at=now)
        s.add(row)
    elif row.decided_by is None or actor is not None:
        row.score, row.weight, row.evidence, row.state = score, weight, evidence, state
    if actor is not None:
        row.decided_by, row.decided_at = actor, now
    return row


def resolve_links_between(s: Session, entity: str, left_ids: list[str], right_ids: list[str],
                          state: str, actor: str) -> None:
    """Open review links between two groups of records take ``state``."""
    if not left_ids or not right_ids:
        return
    now = datetime.now(UTC)
    s.execute(update(MatchLink).where(
        MatchLink.entity == entity, MatchLink.state == LinkState.REVIEW,
        or_((MatchLink.left_id.in_(left_ids)) & (MatchLink.right_id.in_(right_ids)),
            (MatchLink.left_id.in_(right_ids)) & (MatchLink.right_id.in_(left_ids))))
        .values(state=state, decided_by=actor, decided_at=now))


def review_queue(s: Session, entity: str | None, limit: int, offset: int = 0) -> list[MatchLink]:
    q = select(MatchLink).where(MatchLink.state == LinkState.REVIEW)
    if entity:
        q = q.where(MatchLink.entity == entity)
    return list(s.scalars(q.order_by(MatchLink.score.desc(), MatchLink.created_at).limit(limit).offset(offset)))


def add_history(s: Session, g: GoldenRecord, action: str, actor: str, *, source: str | None = None,
                changes: dict[str, Any] | None = None, detail: dict[str, Any] | None = None) -> HistoryEntry:
    entry = HistoryEntry(id=new_id(), entity=g.entity, golden_id=g.id, version=g.version, action=action,
                         actor=actor, source=source, changes=changes or {}, detail=detail, at=datetime.now(UTC))
    s.add(entry)
    return entry


def history(s: Session, golden_id: str) -> list[HistoryEntry]:
    return list(s.scalars(select(HistoryEntry).where(HistoryEntry.golden_id == golden_id)
                          .order_by(HistoryEntry.version, HistoryEntry.at)))


def last_merge(s: Session, golden_id: str) -> HistoryEntry | None:
    """The latest merge into ``golden_id`` that has not been undone."""
    for entry in reversed(history(s, golden_id)):
        if entry.action == "merged" and not (entry.detail or {}).get("undone"):
            return entry
    return None


def search(s: Session, entity: str, q: str | None, limit: int = SEARCH_LIMIT, offset: int = 0) -> list[GoldenRecord]:
    stmt = select(GoldenRecord).where(GoldenRecord.entity == entity, GoldenRecord.status == GoldenStatus.ACTIVE)
    if q:
        stmt = stmt.where(or_(GoldenRecord.search_text.contains(q.casefold()), GoldenRecord.id == q))
    return list(s.scalars(stmt.order_by(GoldenRecord.created_at).limit(limit).offset(offset)))


def parameters(s: Session, entity: str) -> MatchParameters | None:
    return s.get(MatchParameters, entity)


def save_parameters(s: Session, entity: str, params: dict[str, Any], pairs: int) -> None:
    row = s.get(MatchParameters, entity)
    now = datetime.now(UTC)
    if row is None:
        s.add(MatchParameters(entity=entity, params=params, pairs=pairs, trained_at=now))
    else:
        row.params, row.pairs, row.trained_at = params, pairs, now


def count_sources(s: Session, entity: str) -> int:
    return int(s.scalar(select(func.count()).select_from(SourceRecord).where(SourceRecord.entity == entity)) or 0)


def source_page(s: Session, entity: str, after: str | None, limit: int) -> list[SourceRecord]:
    """Source records in id order, ``limit`` at a time (keyset pagination: flat memory)."""
    stmt = select(SourceRecord).where(SourceRecord.entity == entity)
    if after:
        stmt = stmt.where(SourceRecord.id > after)
    return list(s.scalars(stmt.order_by(SourceRecord.id).limit(limit)))
