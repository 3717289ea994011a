"""Fellegi–Sunter scoring: agreement levels → a weight of evidence → a match probability.

For each comparison, ``m[k]`` is P(level k | the records match) and ``u[k]`` is
P(level k | they do not). A pair's weight is ``log2(λ/(1-λ)) + Σ log2(m[k]/u[k])`` over
the fields both records have, and its match probability ``1 / (1 + 2**-weight)``.

The parameters are learnt without labels by expectation–maximisation over the comparison
vectors of blocked candidate pairs (:func:`learn`): identical vectors are counted once, so
an iteration costs the number of distinct patterns, not of pairs. ``u`` can be pinned from
random pairs (:func:`estimate_u`), which are almost all non-matches.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.masterdata.compare import level, similarity, values_of
from hub.masterdata.entities import Entity
from hub.masterdata.fields import Normalised

EM_ITERATIONS = 200
PRIOR_STRENGTH = 50.0
"""The starting m/u count as this many pseudo-pairs in each M-step (a MAP estimate): a level that
few pairs reach keeps a sensible probability instead of collapsing to 0 or 1."""
EM_TOLERANCE = 1e-6
PROBABILITY_FLOOR = 1e-6
"""No learnt probability goes below this: one unseen level must not make a weight infinite."""
DEFAULT_M_AGREE = 0.9
DEFAULT_U_EXACT = 0.001
"""Exact agreement is rare between different records: about one pair in a thousand."""
DEFAULT_U_GROWTH = 5
"""Each looser level is this many times likelier among non-matches than the one above it."""

Levels = dict[str, int | None]


@dataclass
class Model:
    """λ and the m/u probabilities of each comparison (one per level, the last one: disagree)."""

    prior: float
    m: dict[str, list[float]]
    u: dict[str, list[float]]

    def to_json(self) -> dict[str, Any]:
        return {"prior": self.prior, "m": self.m, "u": self.u}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(prior=float(data["prior"]), m={k: list(v) for k, v in data["m"].items()},
                   u={k: list(v) for k, v in data["u"].items()})

    def fits(self, entity: Entity) -> bool:
        """Whether learnt parameters still match the entity file (same comparisons, same levels)."""
        return all(name in self.m and len(self.m[name]) == len(c.levels) + 1
                   for name, c in entity.comparisons.items()) and set(self.m) == set(entity.comparisons)


@dataclass
class Score:
    """One pair's evidence: per field the values, similarity, level and weight; the total."""

    weight: float
    probability: float
    levels: Levels
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)


def default_model(entity: Entity) -> Model:
    """The file's m/u where given; otherwise agreement likely among matches and rare among non-matches."""
    m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for name, comp in entity.comparisons.items():
        n = len(comp.levels)
        m[name] = list(comp.m) if comp.m else _normalised([DEFAULT_M_AGREE * 0.5 ** k for k in range(n)] + [0.05])
        u[name] = list(comp.u) if comp.u else _normalised(
            [DEFAULT_U_EXACT * DEFAULT_U_GROWTH ** k for k in range(n)] + [0.9])
    return Model(prior=entity.prior, m=m, u=u)


def levels_of(entity: Entity, a: Normalised, b: Normalised) -> tuple[Levels, dict[str, float | None]]:
    levels: Levels = {}
    sims: dict[str, float | None] = {}
    for name, comp in entity.comparisons.items():
        key = comp.field or name
        sim = similarity(comp.method, a.get(key), b.get(key))
        sims[name] = sim
        levels[name] = level(sim, comp.levels)
    return levels, sims


def score(entity: Entity, model: Model, a: Normalised, b: Normalised, tf: dict[str, int] | None = None) -> Score:
    """The pair's weight of evidence; ``tf`` (from :func:`term_counts`) discounts values several entities share."""
    levels, sims = levels_of(entity, a, b)
    total = _logit2(model.prior)
    evidence: dict[str, dict[str, Any]] = {}
    for name, lvl in levels.items():
        key = entity.comparisons[name].field or name
        w = 0.0 if lvl is None else math.log2(model.m[name][lvl] / model.u[name][lvl])
        shared = (tf or {}).get(name, 0)
        if lvl == 0 and shared > 1:
            w -= math.log2(shared)
        total += w
        evidence[name] = {"left": a.get(key), "right": b.get(key), "similarity": sims[name], "level": lvl,
                          "weight": round(w, 3)}
        if lvl == 0 and shared > 1:
            evidence[name]["shared_by"] = shared
    return Score(weight=total, probability=probability(total), levels=levels, evidence=evidence)


def term_counts(entity: Entity, record: Normalised, candidates: Iterable[tuple[str, Normalised]]) -> dict[str, int]:
    """Term-frequency adjustment: per ``term_frequency`` comparison, how many entities are known to bear one of
    the record's values exactly — the distinct golden records among the candidates holding it, plus the
    record's own entity when it disagrees on a ``tells_apart`` field with a member of every one of them.

    Agreeing with one of k bearers of a name is worth log2(k) bits less than agreeing with the only one:
    ``北京明辉贸易`` and ``上海明辉贸易`` both exist, so a bare ``明辉贸易`` fits either. A ``王伟`` born in 1970
    meeting the only golden ``王伟``, born in 1989, shows two bearers, even if the member it is scored
    against has no birth date.
    """
    wanted = {name: comp.field or name for name, comp in entity.comparisons.items() if comp.term_frequency}
    mine = {name: set(values_of(record.get(key))) for name, key in wanted.items()}
    holders: dict[str, set[str]] = {name: set() for name in wanted if mine[name]}
    if not holders:
        return {}
    apart = [(comp.field or name, comp) for name, comp in entity.comparisons.items() if comp.tells_apart]
    contradicted: set[str] = set()
    for golden_id, other in candidates:
        for name in holders:
            if mine[name] & set(values_of(other.get(wanted[name]))):
                holders[name].add(golden_id)
        if golden_id not in contradicted and any(
                level(similarity(comp.method, record.get(key), other.get(key)), comp.levels) == len(comp.levels)
                for key, comp in apart):
            contradicted.add(golden_id)
    return {name: len(goldens) + (1 if goldens and goldens <= contradicted else 0)
            for name, goldens in holders.items()}


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    return float(1.0 / (1.0 + 2.0 ** -weight))


def learn(vectors: Iterable[Levels], start: Model, *, fix_u: bool = False,
          iterations: int = EM_ITERATIONS, prior_strength: float = PRIOR_STRENGTH) -> Model:
    """EM over comparison vectors (no labels): returns λ, m and (unless ``fix_u``) u.

    ``start`` is both where EM begins and a Dirichlet prior worth ``prior_strength`` pairs.
    """
    patterns = Counter(tuple(sorted(v.items())) for v in vectors)
    if not patterns:
        return start
    names = list(start.m)
    model = Model(prior=start.prior, m={k: list(v) for k, v in start.m.items()},
                  u={k: list(v) for k, v in start.u.items()})
    total = sum(patterns.values())
    for _ in range(iterations):
        m_counts = {n: [prior_strength * p for p in start.m[n]] for n in names}
        u_counts = {n: [prior_strength * p for p in start.u[n]] for n in names}
        matched = 0.0
        for pattern, count in patterns.items():
            lm, lu = math.log(model.prior), math.log(1 - model.prior)
            for name, lvl in pattern:
                if lvl is not None and name in model.m:
                    lm += math.log(model.m[name][lvl])
                    lu += math.log(model.u[name][lvl])
            g = 1.0 / (1.0 + math.exp(min(lu - lm, 700)))
            matched += g * count
            for name, lvl in pattern:
                if lvl is not None and name in m_counts:
                    m_counts[name][lvl] += g * count
                    u_counts[name][lvl] += (1 - g) * count
        prior = min(max(matched / total, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
        new_m = {n: _normalised(c) for n, c in m_counts.items()}
        new_u = model.u if fix_u else {n: _normalised(c) for n, c in u_counts.items()}
        delta = abs(prior - model.prior) + max(
            abs(a - b) for n in names for a, b in zip(new_m[n], model.m[n], strict=True))
        model = Model(prior=prior, m=new_m, u=new_u)
        if delta < EM_TOLERANCE:
            break
    return model


def estimate_u(vectors: Iterable[Levels], start: Model) -> dict[str, list[float]]:
    """u from random pairs: the share of each level among (almost surely) non-matching records."""
    counts = {n: [0.0] * len(v) for n, v in start.u.items()}
    for vector in vectors:
        for name, lvl in vector.items():
            if lvl is not None and name in counts:
                counts[name][lvl] += 1
    return {n: (_normalised(c) if sum(c) else start.u[n]) for n, c in counts.items()}


def _normalised(values: list[float]) -> list[float]:
    floored = [max(v, 0.0) for v in values]
    total = sum(floored) or 1.0
    probs = [max(v / total, PROBABILITY_FLOOR) for v in floored]
    norm = sum(probs)
    return [p / norm for p in probs]


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))
