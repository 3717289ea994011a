"""MRP's own setting beside the shared ``MOCK_*`` ones.

=======================  ==============================================================  =======
variable                 meaning                                                         default
=======================  ==============================================================  =======
``MOCK_MRP_AUTO_PLAN``   ``1``: a new demand (or a delay) re-plans at once, daily from   ``1``
                         today, and releases the planned orders; ``0``: runs only on
                         ``POST /api/runs`` (and the simulation tick)
=======================  ==============================================================  =======
"""

from __future__ import annotations

import os
from dataclasses import dataclass

AUTO_PLAN_ENV = "MOCK_MRP_AUTO_PLAN"
DEFAULT_AUTO_PLAN = "1"


@dataclass
class PlanningSettings:
    """Mutable at runtime through ``PUT /api/settings`` (kept in ``app.state.planning``)."""

    auto_plan: bool

    @classmethod
    def from_env(cls) -> PlanningSettings:
        return cls(auto_plan=os.environ.get(AUTO_PLAN_ENV, DEFAULT_AUTO_PLAN).lower() in ("1", "true", "yes"))
