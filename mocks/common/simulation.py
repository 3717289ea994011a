"""A system acting on its own: a seeded ticker that calls the system's ``tick``.

Suppliers confirm purchase orders, MES completes work, OA auto-decides —
whatever the system's ``tick(session, rng)`` does. Off by default (unit
tests stay deterministic); ``MOCK_SIMULATION=1`` turns it on for the demo.
``POST /_admin/simulation/tick`` runs one tick on demand, so tests can drive
the simulation step by step with a fixed seed.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from mocks.common.db import Database

log = logging.getLogger("mocks.simulation")

Tick = Callable[[Session, random.Random], object]


class Simulation:
    def __init__(self, db: Database, tick: Tick, *, interval_s: float, seed: int):
        self.db = db
        self.tick_fn = tick
        self.interval_s = interval_s
        self.rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def tick(self) -> object:
        with self._lock, self.db.session() as session:
            return self.tick_fn(session, self.rng)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="simulation", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.tick()
            except Exception:  # a failed tick must not end the simulation
                log.exception("simulation tick failed")
