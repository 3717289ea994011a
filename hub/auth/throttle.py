"""Login throttling: after repeated failures a user name, or a client address, must wait.

Read from the audit log, where every failed login is written (actor: the name tried,
target: the client address), so every API replica sees the same count and a restart
forgets nothing:

- :data:`MAX_FAILURES_PER_USER` failures for one user name within :data:`WINDOW_S` lock that
  name (a successful login of that user starts its count again);
- :data:`MAX_FAILURES_PER_ADDRESS` failures from one client address within :data:`WINDOW_S`
  lock that address, whatever names it tries (higher: an office may share one address).

While locked, a login is answered ``429`` with ``Retry-After`` and no password is checked
(no argon2 hash is computed, no audit entry written). The lock lifts as the oldest counted
failure leaves the window. The client address is the connection's peer: behind a reverse
proxy, run uvicorn with ``--proxy-headers --forwarded-allow-ips`` set to the proxy.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from hub.errors import TooManyAttempts
from hub.store import Database
from hub.store.models import AuditEntry

WINDOW_S = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILED = "login.failed"
SUCCEEDED = "login"


class LoginThrottle:
    def __init__(self, db: Database, *, window_s: float = WINDOW_S, per_user: int = MAX_FAILURES_PER_USER,
                 per_address: int = MAX_FAILURES_PER_ADDRESS):
        self.db = db
        self.window = timedelta(seconds=window_s)
        self.per_user = per_user
        self.per_address = per_address

    def check(self, username: str | None, address: str) -> None:
        """Raise TooManyAttempts if ``username`` or ``address`` is locked now."""
        now = datetime.now(UTC)
        since = now - self.window
        with self.db.session() as s:
            waits = []
            if username:
                last_ok = s.scalar(select(func.max(AuditEntry.at)).where(
                    AuditEntry.action == SUCCEEDED, AuditEntry.actor == username))
                start = max(since, last_ok) if last_ok else since
                waits.append(self._wait(s, now, self.per_user, AuditEntry.actor == username, start))
            waits.append(self._wait(s, now, self.per_address, AuditEntry.target == address, since))
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            minutes = math.ceil(wait / 60)
            raise TooManyAttempts(f"too many failed logins: try again in {minutes} minute(s)",
                                  retry_after_s=max(1, math.ceil(wait)))

    def _wait(self, s, now: datetime, limit: int, who, start: datetime) -> float | None:  # type: ignore[no-untyped-def]
        """Seconds until the failures counted by ``who`` since ``start`` fall under ``limit``, or None."""
        recent = list(s.scalars(select(AuditEntry.at).where(AuditEntry.action == FAILED, who,
                                                           AuditEntry.at > start)
                                .order_by(AuditEntry.at.desc()).limit(limit)))
        if len(recent) < limit:
            return None
        oldest = recent[-1] if recent[-1].tzinfo else recent[-1].replace(tzinfo=UTC)
        return float(max(0.0, (oldest + self.window - now).total_seconds()))
