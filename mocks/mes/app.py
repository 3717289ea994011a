"""The MES app: its spec on the shared base, served on port 9104 (``python -m mocks mes``)."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.mes.api import ROUTERS
from mocks.mes.events import envelope
from mocks.mes.models import Base
from mocks.mes.seed import seed
from mocks.mes.simulation import tick

SPEC = SystemSpec(
    name="mes",
    title="MES — Hengjia shop floor (plant SZ01)",
    description=(
        "Work orders from released production orders, operations from routings, progress reports "
        "with good/scrap quantities, completion with defect rate and lots, quality inspections, "
        "rescheduling when material is late. PascalCase JSON; dates are local China time "
        "`yyyy-MM-dd HH:mm:ss` without offset. Errors: `{\"error\": {\"code\", \"field\", \"message\"}}`."
    ),
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
