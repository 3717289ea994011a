"""MRP's app: its spec on the shared base, plus the auto-planning setting."""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.mrp.api import ROUTERS
from mocks.mrp.events import envelope
from mocks.mrp.models import Base
from mocks.mrp.seed import seed
from mocks.mrp.settings import PlanningSettings
from mocks.mrp.simulation import tick

SPEC = SystemSpec(
    name="mrp",
    title="MRP — material requirements planning",
    description="Items with planning parameters, versioned BOMs, stock, demands and supplies; the MRP run "
                "turns them into planned production orders (MO-…) and purchase requisitions (PR-…). "
                "Dates are YYYYMMDD; documents are flat and snake_case.",
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None, *, auto_plan: bool | None = None) -> FastAPI:
    """The MRP app; ``auto_plan`` overrides ``MOCK_MRP_AUTO_PLAN`` (tests pass False)."""
    planning = PlanningSettings.from_env() if auto_plan is None else PlanningSettings(auto_plan=auto_plan)
    spec = replace(SPEC, tick=lambda session, rng: tick(session, rng, release=planning.auto_plan))
    app = create_app(spec, settings)
    app.state.planning = planning
    return app
