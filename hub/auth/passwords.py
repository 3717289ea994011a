"""Password hashing with argon2 through pwdlib — a well-kept library, never home-made crypto."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 8
"""For new and changed passwords; the development default ``admin`` is exempt (and warned about)."""

_hasher = PasswordHash((Argon2Hasher(),))
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash if the stored one should be upgraded).

    With ``hashed=None`` (unknown user) a dummy hash is still checked, so that the
    answer takes as long as for a real user and does not reveal which names exist.
    """
    if hashed is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, hashed)
