"""Which connectors have their deliveries paused: operator-set state the translate and deliver stages read.

Kept in the database (``connector_state``) so every worker process sees it;
read through a short cache so a busy worker does not ask on every delivery.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import select, update

from hub.store import Database, Delivery
from hub.store.models import ConnectorState, DeliveryStatus

PAUSE_CACHE_S = 1.0
"""How long a worker trusts what it last read; a pause reaches every process within this."""


class PauseState:
    def __init__(self, db: Database):
        self.db = db
        self._paused: dict[str, bool] = {}
        self._read_at = 0.0
        self._lock = threading.Lock()

    def is_paused(self, connector: str) -> bool:
        with self._lock:
            if time.monotonic() - self._read_at > PAUSE_CACHE_S:
                with self.db.read() as s:
                    self._paused = {st.name: st.paused for st in s.scalars(select(ConnectorState))}
                self._read_at = time.monotonic()
            return self._paused.get(connector, False)

    def paused(self) -> set[str]:
        return {name for name, paused in self._snapshot().items() if paused}

    def set(self, connector: str, paused: bool, *, by: str | None = None) -> list[str]:
        """Pause or resume ``connector``; resuming makes what waited pending again and returns those ids."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            state = s.get(ConnectorState, connector) or ConnectorState(name=connector, updated_at=now)
            state.paused, state.updated_at, state.updated_by = paused, now, by
            s.add(state)
            waiting: list[str] = []
            if not paused:
                waiting = list(s.scalars(select(Delivery.id).where(Delivery.connector == connector,
                                                                   Delivery.status == DeliveryStatus.PAUSED)))
                if waiting:
                    s.execute(update(Delivery).where(Delivery.id.in_(waiting))
                              .values(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now))
        with self._lock:
            self._read_at = 0.0
        return waiting

    def _snapshot(self) -> dict[str, bool]:
        self.is_paused("")
        with self._lock:
            return dict(self._paused)
