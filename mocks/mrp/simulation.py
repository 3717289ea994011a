"""MRP on its own: re-plan when inputs changed since the last run.

Planning is deterministic, so the tick ignores its random source. With
auto-planning on, the re-plan is also released, as a new demand would be.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy.orm import Session

from mocks.mrp.models import Meta
from mocks.mrp.rules.meta import DIRTY, is_dirty
from mocks.mrp.rules.orders import auto_plan
from mocks.mrp.rules.runs import run_mrp


def tick(session: Session, rng: random.Random, *, release: bool = False) -> dict[str, Any]:
    """One step: run MRP (daily, from today) if the plan is dirty; release it when ``release``."""
    del rng  # nothing random about planning
    if not is_dirty(session):
        return {"planned": False, "reason": "nothing changed since the last run"}
    meta = session.get(Meta, DIRTY)
    why = meta.value if meta else None
    run = auto_plan(session, "simulation") if release else run_mrp(session, trigger="simulation")[0]
    return {"planned": True, "run_id": run.id, "because": why, "planned_count": run.planned_count,
            "released": release}
