"""Comparators: two normalised values → a similarity in [0, 1].

The string metrics are rapidfuzz's (Jaro-Winkler, token-set and partial ratios); Latin
names are also compared by their metaphone codes (jellyfish) and Chinese names by their
pinyin (pypinyin), which catches homophone typos (张伟 / 张炜). A field may hold several
values (a company's phones): the best pair counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from hub.masterdata.normalise import brand, has_cjk, latin_words, pinyin

PHONETIC_AGREEMENT = 0.9
"""Similarity credited to two Latin names whose metaphone codes agree word by word."""
PINYIN_DISCOUNT = 0.95
"""Pinyin agreement counts slightly less than character agreement (homophones are common)."""
CONTAINMENT = 0.85
"""Similarity credited when one company name contains the other whole (an abbreviation)."""
MIN_CONTAINED = 2
ABBREVIATED = 0.95
"""Similarity credited when one Chinese company name is the other without its industry words (华远 / 华远科技):
the brand agrees and nothing disagrees. Two different industry words (华远贸易 / 华远科技) earn no such credit."""
ONE_CHARACTER = 0.85
"""Similarity of two Chinese names of one family name and length where one given-name character differs
(张子涵 / 张梓涵, 杨杰 / 杨婷): a mistyped character, or another member of the family."""
DATE_SWAPPED = 0.8
DATE_ONE_TYPO = 0.7

Similarity = Callable[[str, str], float]


def exact(a: str, b: str) -> float:
    return 1.0 if a == b else 0.0


def jaro_winkler(a: str, b: str) -> float:
    return float(JaroWinkler.normalized_similarity(a, b))


def token_set(a: str, b: str) -> float:
    return fuzz.token_set_ratio(a, b) / 100.0


def company_name(a: str, b: str) -> float:
    """The best of Jaro-Winkler, token-set ratio, pinyin agreement and containment (abbreviations)."""
    if a == b:
        return 1.0
    best = max(jaro_winkler(a, b), token_set(a, b))
    if has_cjk(a) and has_cjk(b):
        best = max(best, PINYIN_DISCOUNT * jaro_winkler(pinyin(a), pinyin(b)))
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short.replace(" ", "")) >= MIN_CONTAINED and short in long_:
        best = max(best, CONTAINMENT)
        if has_cjk(short) and brand(short) == short and brand(long_) == short:
            best = max(best, ABBREVIATED)
    return min(best, 1.0)


def person_name(a: str, b: str) -> float:
    """Chinese names by characters and pinyin; Latin names by words (any order) and metaphone."""
    if a == b:
        return 1.0
    best = max(jaro_winkler(a, b), token_set(a, b))
    if has_cjk(a) and has_cjk(b):
        best = max(best, PINYIN_DISCOUNT * jaro_winkler(pinyin(a), pinyin(b)))
        if len(a) == len(b) and a[0] == b[0] and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
            best = max(best, ONE_CHARACTER)
    else:
        wa, wb = latin_words(a), latin_words(b)
        if wa and len(wa) == len(wb) and sorted(map(jellyfish.metaphone, wa)) == sorted(map(jellyfish.metaphone, wb)):
            best = max(best, PHONETIC_AGREEMENT)
    return min(best, 1.0)


def phonetic(a: str, b: str) -> float:
    """1 when the words' metaphone codes agree (Latin), or their pinyin does (Chinese)."""
    if has_cjk(a) or has_cjk(b):
        return 1.0 if pinyin(a) == pinyin(b) else 0.0
    return 1.0 if [jellyfish.metaphone(w) for w in latin_words(a)] == [jellyfish.metaphone(w) for w in latin_words(b)] else 0.0


def date(a: str, b: str) -> float:
    """ISO dates: equal, day and month swapped, or one digit mistyped."""
    if a == b:
        return 1.0
    if len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return DATE_SWAPPED
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return DATE_ONE_TYPO
    return 0.0


COMPARATORS: dict[str, Similarity] = {
    "exact": exact, "jaro_winkler": jaro_winkler, "token_set": token_set, "company_name": company_name,
    "person_name": person_name, "phonetic": phonetic, "date": date,
}


def similarity(method: str, a: Any, b: Any) -> float | None:
    """The comparator on two field values (each a string or a list of strings); None if either is missing."""
    left, right = values_of(a), values_of(b)
    if not left or not right:
        return None
    fn = COMPARATORS[method]
    if len(left) == 1 and len(right) == 1:
        return fn(left[0], right[0])
    if set(left) & set(right):
        return 1.0
    return max(fn(x, y) for x in left for y in right)


def level(sim: float | None, thresholds: list[float] | tuple[float, ...]) -> int | None:
    """The agreement level: 0 for the highest threshold reached, ``len(thresholds)`` for disagreement."""
    if sim is None:
        return None
    for i, t in enumerate(thresholds):
        if sim >= t - 1e-9:
            return i
    return len(thresholds)


def values_of(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]
