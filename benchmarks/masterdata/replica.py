"""The matching decisions of :meth:`MasterData.record` on an in-memory index, for data sets too large
to push through the database on a shared machine.

Same normalisers, blocking keys (with the same per-key and total candidate caps), comparators,
term-frequency adjustment, Fellegi–Sunter scoring, deterministic rules and thresholds as the
service; only the store differs: a dict of blocking keys instead of ``md_blocking_keys``. It covers
what the benchmark exercises — new records arriving one at a time, each joining the golden record
it is surely part of or starting its own — not updates, replays or stewards' decisions. ``quality``
runs the service itself; compare both on the same size before trusting this one on a larger one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from hub.masterdata.blocking import blocking_keys
from hub.masterdata.entities import Entity
from hub.masterdata.fields import Normalised, normalise_record
from hub.masterdata.scoring import default_model, score, term_counts
from hub.masterdata.service import _codes
from hub.masterdata.store import MAX_CANDIDATES, MAX_CANDIDATES_PER_KEY


def cluster(entity: Entity, records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """``system:id`` → golden id, matching the records one at a time in order."""
    model = default_model(entity)
    th = entity.thresholds
    index: dict[str, list[int]] = defaultdict(list)
    norms: list[Normalised] = []
    golden: list[int] = []
    members: dict[int, list[int]] = defaultdict(list)
    out: dict[str, str] = {}
    for i, r in enumerate(records):
        norm = normalise_record(entity, {k: v for k, v in r.items() if k not in ("system", "id", "_truth")})
        keys = blocking_keys(entity, norm)
        shared: Counter[int] = Counter()
        for k in sorted(keys):
            shared.update(index[k][:MAX_CANDIDATES_PER_KEY])
        cands = sorted(shared, key=lambda c: -shared[c])[:MAX_CANDIDATES]
        tf = term_counts(entity, norm, ((golden[c], norms[c]) for c in cands))
        per_golden: dict[int, list[tuple[bool, bool, float]]] = defaultdict(list)
        for c in cands:
            same, conflict = _codes(entity, norm, norms[c])
            per_golden[golden[c]].append((same, conflict, score(entity, model, norm, norms[c], tf).probability))
        auto = []
        for g, scored in per_golden.items():
            if any(conflict for _, conflict, _ in scored):
                continue
            same, _, p = max(scored, key=lambda x: (x[0], x[2]))
            if same or p >= th.auto_merge:
                auto.append((same, p, g))
        chosen = i
        for _, _, g in sorted(auto, reverse=True):
            if not any(_codes(entity, norm, norms[m])[1] for m in members[g]):
                chosen = g
                break
        norms.append(norm)
        golden.append(chosen)
        members[chosen].append(i)
        for k in keys:
            index[k].append(i)
        out[f"{r['system']}:{r['id']}"] = str(chosen)
    return out


IDENTIFIERS = ("tax_id", "phone", "email", "birth_date", "city")
"""The generator's optional fields: which of them a missed record carries says which noise left it alone."""


def missed_pairs(entity: Entity, records: list[dict[str, Any]], predicted: dict[str, str]) -> Counter[tuple[str, str]]:
    """True pairs the matching kept apart, counted by cause and by what the pair's later record carries.

    The cause is ``blocking`` when the two records share no blocking key (they were never compared) and
    ``score`` otherwise (compared, but the evidence stayed below auto-merge or a code conflicted).
    """
    by_truth: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_truth[r["_truth"]].append(r)
    out: Counter[tuple[str, str]] = Counter()
    for group in by_truth.values():
        keyed = [(r, predicted[f"{r['system']}:{r['id']}"],
                  blocking_keys(entity, normalise_record(entity, _payload(r)))) for r in group]
        for i, (_, ga, ka) in enumerate(keyed):
            for b, gb, kb in keyed[i + 1:]:
                if ga != gb:
                    carried = "+".join(f for f in IDENTIFIERS if f in b) or "name only"
                    out[("blocking" if not ka & kb else "score", carried)] += 1
    return out


def _payload(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if k not in ("system", "id", "_truth")}
