"""The WMS app: its :class:`SystemSpec` on the shared base (``python -m mocks wms`` → port 9105)."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.wms import __doc__ as DESCRIPTION
from mocks.wms.api import ROUTERS
from mocks.wms.events import envelope
from mocks.wms.models import Base
from mocks.wms.seed import seed
from mocks.wms.simulation import tick

SPEC = SystemSpec(
    name="wms",
    title="WMS — warehouse management (reference system)",
    description=DESCRIPTION or "",
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
