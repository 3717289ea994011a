"""Unified social credit code (统一社会信用代码) per GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without
I, O, Z, S, V): registration authority, entity type, 6-digit region code,
9-character organisation code, and a check character computed from the
first 17 with fixed weights modulo 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_char(first17: str) -> str:
    """The check character for the first 17 characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None if it is."""
    if len(code) != LENGTH:
        return f"must be {LENGTH} characters, got {len(code)}"
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        return f"contains {bad[0]!r}, which GB 32100 does not use (no I, O, Z, S, V or lowercase)"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the 6-digit administrative region code"
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"check digit is {code[17]!r} but GB 32100 gives {expected!r}"
    return None
