"""The golden-record service: match a source record, merge, unmerge, decide a review, train.

Every method works inside the caller's session (one transaction): the message path calls
:meth:`MasterData.record` in the transaction that stores the canonical message, the API
and the CLI in their own. A golden record's id is the ``golden_id`` its members carry in
the cross-reference, so ``$xref`` needs nothing new.

How a record finds its golden record (:meth:`MasterData.record`)::

    replay of the same payload ─▶ unchanged
    its id already in the cross-reference of a golden record ─▶ joins it
    blocked candidates ─▶ deterministic rules ─▶ Fellegi–Sunter probability
        same valid code, no conflicting code         ─▶ joins (auto-merge)
        p ≥ auto_merge, no conflicting valid code    ─▶ joins (auto-merge)
        review ≤ p < auto_merge (or a conflict the rule sends to review) ─▶ review queue
        otherwise                                     ─▶ a new golden record
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.errors import MasterDataError, NotFound
from hub.ids import new_id
from hub.masterdata import store
from hub.masterdata.blocking import blocking_keys
from hub.masterdata.entities import Entity, EntityCatalog
from hub.masterdata.fields import Normalised, normalise_record
from hub.masterdata.normalise import CHECKS
from hub.masterdata.scoring import Model, Score, default_model, estimate_u, learn, levels_of, score, term_counts
from hub.masterdata.survivorship import Member, survive
from hub.store import GoldenRecord, SourceRecord
from hub.store.masterdata import GoldenStatus, LinkState

SYSTEM_ACTOR = "masterdata"
TRAINING_PAIRS = 20000
"""Blocked candidate pairs EM learns from."""
RANDOM_PAIRS = 20000
"""Random pairs ``u`` is estimated from."""
MIN_TRAINING_PAIRS = 500
"""Fewer candidate pairs than this teach EM nothing reliable: the entity file's values stay."""
SEARCH_TEXT_MAX = 1000
MODEL_CACHE_S = 30.0
"""How long learnt parameters are reused before they are read again (a retrain shows within this)."""


@dataclass
class MatchOutcome:
    """What recording one source record did."""

    entity: str
    system: str
    local_id: str
    record_id: str
    golden_id: str
    action: str
    """``created`` (a new golden record), ``joined`` (an existing one), ``updated``, ``unchanged``;
    ``unmatched``: a record that may not start a golden record matched none (nothing stored)."""
    probability: float | None = None
    reason: str | None = None
    review_links: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)
    """Golden records merged into ``golden_id`` by this record."""

    @property
    def changed(self) -> bool:
        return self.action not in ("unchanged", "unmatched")


@dataclass
class _Candidate:
    golden_id: str
    record: store.Comparable
    score: Score
    same_code: bool
    conflict: bool


class MasterData:
    def __init__(self, catalog: EntityCatalog):
        self.catalog = catalog
        self._models: dict[str, tuple[float, Model]] = {}

    # -- matching ------------------------------------------------------------------------------

    def model(self, s: Session, entity: Entity) -> Model:
        """The learnt m/u if they fit the entity file, else the file's starting values (cached briefly)."""
        cached = self._models.get(entity.entity)
        if cached is not None and time.monotonic() - cached[0] < MODEL_CACHE_S:
            return cached[1]
        row = store.parameters(s, entity.entity)
        model = default_model(entity)
        if row is not None:
            learnt = Model.from_json(row.params)
            if learnt.fits(entity):
                model = learnt
        self._models[entity.entity] = (time.monotonic(), model)
        return model

    def record(self, s: Session, entity_name: str, system: str, local_id: str, payload: dict[str, Any], *,
               received_at: datetime | None = None, actor: str = SYSTEM_ACTOR, creates: bool = True) -> MatchOutcome:
        """Store one system's record and give it its golden record; replaying the same payload is a no-op.

        With ``creates=False`` a new record that matches no golden record is not stored (``unmatched``):
        it is looked at again when its system sends it next.
        """
        entity = self.catalog.get(entity_name)
        now = received_at or datetime.now(UTC)
        norm = normalise_record(entity, payload)
        keys = blocking_keys(entity, norm)
        with s.no_autoflush:  # one flush per record, in _recompute: every query before it reads committed rows
            rec = store.source(s, entity.entity, system, local_id)
            if rec is not None:
                if rec.payload == payload or now < rec.received_at:
                    return MatchOutcome(entity.entity, system, local_id, rec.id, rec.golden_id, "unchanged")
                return self._update(s, entity, rec, payload, norm, keys, now, actor)
            return self._new(s, entity, system, local_id, payload, norm, keys, now, actor, creates)

    def _new(self, s: Session, entity: Entity, system: str, local_id: str, payload: dict[str, Any],
             norm: Normalised, keys: set[str], now: datetime, actor: str, creates: bool = True) -> MatchOutcome:
        rec = SourceRecord(id=new_id(), entity=entity.entity, system=system, local_id=local_id, golden_id="",
                           payload=payload, normalised=norm, received_at=now, updated_at=now)
        known = store.xref_golden(s, entity.entity, system, local_id)
        known_golden = store.golden(s, known) if known else None
        if known_golden is not None and known_golden.status == GoldenStatus.ACTIVE:
            return self._join(s, entity, rec, keys, known_golden, actor, probability=None,
                              reason="cross-reference", review=[], xref_exists=True)
        best, review = self._match(s, entity, rec.id, norm, keys, exclude_goldens=set(), new=True)
        if best is None and not creates:
            return MatchOutcome(entity.entity, system, local_id, "", "", "unmatched", reason="no match")
        review_ids = self._review(s, entity, rec.id, review)
        if best is not None:
            g = store.golden(s, best.golden_id)
            assert g is not None
            if known:  # ids the hub learnt elsewhere (a seed, a replication event) follow the record
                store.repoint_xrefs(s, [x.id for x in store.xrefs(s, entity.entity, known)], g.id)
            return self._join(s, entity, rec, keys, g, actor, probability=best.score.probability,
                              reason="rule" if best.same_code else "score", review=review_ids,
                              xref_exists=known is not None)
        g = GoldenRecord(id=known or new_id(), entity=entity.entity, status=GoldenStatus.ACTIVE, fields={},
                         provenance={}, version=0, search_text="", created_at=now, updated_at=now)
        s.add(g)
        rec.golden_id = g.id
        s.add(rec)
        store.replace_keys(s, entity.entity, rec.id, keys, old=set())
        if known is None:
            store.add_xref(s, entity.entity, system, local_id, g.id)
        changed = self._recompute(s, entity, g, "created", actor, source=f"{system}:{local_id}")
        return MatchOutcome(entity.entity, system, local_id, rec.id, g.id, "created", reason="new",
                            review_links=review_ids, changed_fields=changed)

    def _join(self, s: Session, entity: Entity, rec: SourceRecord, keys: set[str], g: GoldenRecord, actor: str,
              *, probability: float | None, reason: str, review: list[str], xref_exists: bool) -> MatchOutcome:
        rec.golden_id = g.id
        s.add(rec)
        store.replace_keys(s, entity.entity, rec.id, keys, old=set())
        if not xref_exists:
            store.add_xref(s, entity.entity, rec.system, rec.local_id, g.id)
        changed = self._recompute(s, entity, g, "record_added", actor, source=f"{rec.system}:{rec.local_id}",
                                  detail={"record_id": rec.id, "reason": reason, "probability": probability})
        return MatchOutcome(entity.entity, rec.system, rec.local_id, rec.id, g.id, "joined",
                            probability=probability, reason=reason, review_links=review, changed_fields=changed)

    def _update(self, s: Session, entity: Entity, rec: SourceRecord, payload: dict[str, Any], norm: Normalised,
                keys: set[str], now: datetime, actor: str) -> MatchOutcome:
        rec.payload, rec.normalised, rec.received_at, rec.updated_at = payload, norm, now, now
        store.replace_keys(s, entity.entity, rec.id, keys)
        g = store.golden(s, rec.golden_id)
        assert g is not None
        changed = self._recompute(s, entity, g, "updated", actor, source=f"{rec.system}:{rec.local_id}")
        outcome = MatchOutcome(entity.entity, rec.system, rec.local_id, rec.id, g.id, "updated",
                               changed_fields=changed)
        # A changed record may now match another golden record: merge when sure, else ask a steward.
        best, review = self._match(s, entity, rec.id, norm, keys, exclude_goldens={g.id})
        outcome.review_links = self._review(s, entity, rec.id, review)
        if best is not None:
            into = store.golden(s, best.golden_id)
            assert into is not None
            self.merge(s, entity.entity, into.id, g.id, actor=actor,
                       reason="rule" if best.same_code else "score")
            outcome.absorbed, outcome.golden_id = [g.id], into.id
            outcome.probability = best.score.probability
        return outcome

    def rematch(self, s: Session, entity: Entity, rec: SourceRecord, *, actor: str) -> tuple[int, int]:
        """Match a stored record again (after new records or new parameters): (merges, reviews)."""
        g = store.golden(s, rec.golden_id)
        if g is None or g.status != GoldenStatus.ACTIVE:
            return 0, 0
        keys = store.keys_of(s, rec.id)
        best, review = self._match(s, entity, rec.id, rec.normalised, keys, exclude_goldens={g.id})
        reviews = len(self._review(s, entity, rec.id, review))
        if best is None:
            return 0, reviews
        into, other = sorted([best.golden_id, g.id])
        self.merge(s, entity.entity, into, other, actor=actor, reason="rule" if best.same_code else "score")
        return 1, reviews

    def _match(self, s: Session, entity: Entity, record_id: str, norm: Normalised, keys: set[str],
               exclude_goldens: set[str], new: bool = False) -> tuple[_Candidate | None, list[_Candidate]]:
        """(the golden record to join, if any; the pairs to review)."""
        ids = store.candidate_ids(s, entity.entity, keys, exclude=record_id)
        if not ids:
            return None, []
        model = self.model(s, entity)
        apart = set() if new else store.distinct_from(s, entity.entity, [record_id])
        per_golden: dict[str, list[_Candidate]] = {}
        stored = [c for c in store.comparables(s, ids) if c.golden_id not in exclude_goldens]
        tf = term_counts(entity, norm, ((c.golden_id, c.normalised) for c in stored))
        for cand in stored:
            same, conflict = _codes(entity, norm, cand.normalised)
            sc = score(entity, model, norm, cand.normalised, tf)
            per_golden.setdefault(cand.golden_id, []).append(_Candidate(cand.golden_id, cand, sc, same, conflict))
        auto: list[_Candidate] = []
        review: list[_Candidate] = []
        th = entity.thresholds
        for cands in per_golden.values():
            if any(c.record.id in apart for c in cands):
                continue
            best = max(cands, key=lambda c: (c.same_code, c.score.probability))
            conflict_rule = next((r for r in entity.rules if _conflicts_on(r.field, r.check, norm, cands)), None)
            if conflict_rule is not None:
                if conflict_rule.when_different == "review" and best.score.probability >= th.review:
                    review.append(best)
                continue
            if best.same_code or best.score.probability >= th.auto_merge:
                auto.append(best)
            elif best.score.probability >= th.review:
                review.append(best)
        auto.sort(key=lambda c: (c.same_code, c.score.probability), reverse=True)
        for choice in auto:
            if not self._golden_conflicts(s, entity, norm, choice.golden_id):
                review.extend(c for c in auto if c is not choice and c.score.probability >= th.review)
                return choice, review
        return None, review + [c for c in auto if c.score.probability >= th.review]

    def _golden_conflicts(self, s: Session, entity: Entity, norm: Normalised, golden_id: str) -> bool:
        """Whether any member of the golden record carries a different valid code than ``norm``."""
        if not any(_valid(norm.get(r.field), r.check) for r in entity.rules):
            return False
        return any(_codes(entity, norm, m.normalised)[1] for m in store.members(s, entity.entity, golden_id))

    def _review(self, s: Session, entity: Entity, record_id: str, review: list[_Candidate]) -> list[str]:
        out = []
        for c in review:
            row = store.put_link(s, entity.entity, record_id, c.record.id, score=c.score.probability,
                                 weight=c.score.weight, evidence=c.score.evidence, state=LinkState.REVIEW)
            out.append(row.id)
        return out

    # -- survivorship ------------------------------------------------------------------------

    def _recompute(self, s: Session, entity: Entity, g: GoldenRecord, action: str, actor: str, *,
                   source: str | None = None, detail: dict[str, Any] | None = None) -> list[str]:
        """Re-apply survivorship to the golden record; a new version and history entry if anything changed."""
        s.flush()
        members = store.members(s, entity.entity, g.id)
        fields, provenance = survive(entity.survivorship, [
            Member(m.id, m.system, m.local_id, m.received_at, m.payload) for m in members])
        changes = {k: [g.fields.get(k), fields.get(k)] for k in sorted(set(g.fields) | set(fields))
                   if g.fields.get(k) != fields.get(k)}
        if not changes and g.version and action in ("updated", "recomputed"):
            g.provenance = provenance
            return []
        g.fields, g.provenance = fields, provenance
        g.version += 1
        g.updated_at = datetime.now(UTC)
        g.search_text = _search_text(entity, g.id, fields, members)
        store.add_history(s, g, action, actor, source=source, changes=changes, detail=detail)
        return list(changes)

    # -- stewardship -------------------------------------------------------------------------

    def merge(self, s: Session, entity_name: str, into_id: str, other_id: str, *, actor: str,
              reason: str = "manual") -> GoldenRecord:
        """Absorb ``other`` into ``into``: its records and cross-references move; an unmerge restores them."""
        entity = self.catalog.get(entity_name)
        into, other = self._active(s, entity, into_id), self._active(s, entity, other_id)
        if into.id == other.id:
            raise MasterDataError("a golden record cannot be merged with itself")
        moved = store.members(s, entity.entity, other.id)
        refs = store.xrefs(s, entity.entity, other.id)
        kept = store.members(s, entity.entity, into.id)
        snapshot = {"absorbed": other.id, "records": [m.id for m in moved],
                    "xrefs": [x.id for x in refs], "absorbed_version": other.version, "reason": reason}
        store.move_members(s, [m.id for m in moved], into.id)
        store.repoint_xrefs(s, [x.id for x in refs], into.id)
        store.resolve_links_between(s, entity.entity, [m.id for m in kept], [m.id for m in moved],
                                    LinkState.MERGED, actor)
        other.status, other.merged_into = GoldenStatus.MERGED, into.id
        other.version += 1
        other.updated_at = datetime.now(UTC)
        store.add_history(s, other, "merged_into", actor, detail={"into": into.id, "reason": reason})
        self._recompute(s, entity, into, "merged", actor, detail=snapshot)
        return into

    def unmerge(self, s: Session, entity_name: str, golden_id: str, *, actor: str) -> GoldenRecord:
        """Undo the latest merge into ``golden_id``: records and cross-references go back as they were.

        The two are then kept apart: matching will not merge them again on its own.
        """
        entity = self.catalog.get(entity_name)
        into = self._active(s, entity, golden_id)
        entry = store.last_merge(s, into.id)
        if entry is None or not entry.detail:
            raise MasterDataError(f"golden record {golden_id} has no merge to undo")
        detail = dict(entry.detail)
        absorbed = store.golden(s, detail["absorbed"])
        if absorbed is None:
            raise NotFound(f"golden record {detail['absorbed']} is gone")
        store.move_members(s, detail["records"], absorbed.id)
        store.repoint_xrefs(s, detail["xrefs"], absorbed.id)
        absorbed.status, absorbed.merged_into = GoldenStatus.ACTIVE, None
        entry.detail = {**detail, "undone": True, "undone_by": actor}
        s.flush()
        restored = store.members(s, entity.entity, absorbed.id)
        remaining = store.members(s, entity.entity, into.id)
        for a in restored:
            for b in remaining:
                store.put_link(s, entity.entity, a.id, b.id, score=0.0, weight=0.0, evidence={},
                               state=LinkState.DISTINCT, actor=actor)
        self._recompute(s, entity, absorbed, "unmerged", actor, detail={"from": into.id})
        self._recompute(s, entity, into, "unmerged", actor, detail={"restored": absorbed.id})
        return absorbed

    def decide(self, s: Session, link_id: str, decision: str, *, actor: str) -> dict[str, Any]:
        """A steward's answer to a review: ``merge`` the two golden records, or keep them ``apart``."""
        from hub.store import MatchLink

        row = s.get(MatchLink, link_id)
        if row is None:
            raise NotFound(f"no review {link_id}")
        if row.state != LinkState.REVIEW:
            raise MasterDataError(f"review {link_id} was already decided ({row.state})")
        left, right = s.get(SourceRecord, row.left_id), s.get(SourceRecord, row.right_id)
        if left is None or right is None:
            raise NotFound("a record of this review is gone")
        if decision == "merge":
            if left.golden_id != right.golden_id:
                into, other = sorted([left.golden_id, right.golden_id])
                self.merge(s, row.entity, into, other, actor=actor, reason=f"review {row.id}")
            row.state = LinkState.MERGED
            result = {"state": row.state, "golden_id": left.golden_id}
        elif decision == "apart":
            row.state = LinkState.DISTINCT
            result = {"state": row.state}
        else:
            raise MasterDataError(f"a review is decided by 'merge' or 'apart', not {decision!r}")
        row.decided_by, row.decided_at = actor, datetime.now(UTC)
        s.flush()
        return result

    def _active(self, s: Session, entity: Entity, golden_id: str) -> GoldenRecord:
        g = store.golden(s, golden_id)
        if g is None or g.entity != entity.entity:
            raise NotFound(f"no {entity.entity} golden record {golden_id}")
        if g.status != GoldenStatus.ACTIVE:
            raise MasterDataError(f"golden record {golden_id} was merged into {g.merged_into}")
        return g

    # -- reading -----------------------------------------------------------------------------

    def view(self, s: Session, golden_id: str) -> dict[str, Any]:
        """A golden record with its fields, provenance, source records and cross-references."""
        g = store.golden(s, golden_id)
        if g is None:
            raise NotFound(f"no golden record {golden_id}")
        return {
            "id": g.id, "entity": g.entity, "status": g.status, "version": g.version, "merged_into": g.merged_into,
            "fields": g.fields, "provenance": g.provenance,
            "sources": [{"record_id": m.id, "system": m.system, "local_id": m.local_id,
                         "received_at": m.received_at.isoformat(), "payload": m.payload}
                        for m in store.members(s, g.entity, g.id)],
            "xrefs": {x.system: x.local_id for x in store.xrefs(s, g.entity, g.id)},
            "created_at": g.created_at.isoformat(), "updated_at": g.updated_at.isoformat(),
        }

    # -- learning ----------------------------------------------------------------------------

    def train(self, s: Session, entity_name: str, *, pairs: int = TRAINING_PAIRS, random_pairs: int = RANDOM_PAIRS,
              seed: int = 0) -> Model:
        """Learn m/u by EM from the stored records' blocked pairs (no labels); u from random pairs."""
        entity = self.catalog.get(entity_name)
        rng = random.Random(seed)
        start = default_model(entity)
        vectors: list[dict[str, int | None]] = []
        randoms: list[dict[str, int | None]] = []
        sample = store.source_page(s, entity.entity, None, max(pairs // 4, 100))
        if len(sample) < 2:
            return start
        for rec in sample:
            ids = store.candidate_ids(s, entity.entity, store.keys_of(s, rec.id), exclude=rec.id)
            for other in store.records(s, ids):
                vectors.append(levels_of(entity, rec.normalised, other.normalised)[0])
        for _ in range(random_pairs):
            a, b = rng.choice(sample), rng.choice(sample)
            if a.id != b.id:
                randoms.append(levels_of(entity, a.normalised, b.normalised)[0])
        # u starts from random pairs (almost all non-matches) and is then learnt on the candidate pairs
        # themselves: blocking makes non-matching candidates agree more often than random pairs do.
        if len(vectors) < MIN_TRAINING_PAIRS:
            return start
        start.u = estimate_u(randoms, start)
        model = learn(vectors[:pairs], start)
        store.save_parameters(s, entity.entity, model.to_json(), len(vectors))
        self._models.pop(entity.entity, None)
        return model


def _codes(entity: Entity, a: Normalised, b: Normalised) -> tuple[bool, bool]:
    """(a deterministic code agrees, a deterministic code conflicts) — only valid codes count."""
    same = conflict = False
    for rule in entity.rules:
        va, vb = _valid(a.get(rule.field), rule.check), _valid(b.get(rule.field), rule.check)
        if va and vb:
            if va & vb:
                same = True
            else:
                conflict = True
    return same and not conflict, conflict


def _conflicts_on(fld: str, check: str, norm: Normalised, cands: list[_Candidate]) -> bool:
    mine = _valid(norm.get(fld), check)
    return bool(mine) and any((theirs := _valid(c.record.normalised.get(fld), check)) and not (mine & theirs)
                              for c in cands)


def _valid(value: Any, check: str) -> set[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return {v for v in values if CHECKS[check](v)}


def _search_text(entity: Entity, golden_id: str, fields: dict[str, Any], members: list[SourceRecord]) -> str:
    parts = [golden_id]
    for name in entity.display:
        value = fields.get(name)
        if value:
            parts.append(str(value))
    for m in members:
        parts.append(m.local_id)
        parts.extend(str(v) for v in m.normalised.values() if isinstance(v, str))
    return " ".join(parts).casefold()[:SEARCH_TEXT_MAX]


__all__ = ["MasterData", "MatchOutcome"]
