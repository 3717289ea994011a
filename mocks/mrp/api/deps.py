"""Request dependencies of MRP's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mocks.mrp.settings import PlanningSettings


def _planning(request: Request) -> PlanningSettings:
    return request.app.state.planning  # type: ignore[no-any-return]


PlanningDep = Annotated[PlanningSettings, Depends(_planning)]
"""The planner's runtime settings (auto-planning on or off)."""
