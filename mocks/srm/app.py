"""SRM's app: the :class:`SystemSpec` the common base builds it from."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.srm import __doc__ as DESCRIPTION
from mocks.srm.api import ROUTERS
from mocks.srm.events import envelope
from mocks.srm.models import Base
from mocks.srm.seed import seed
from mocks.srm.simulation import tick

SPEC = SystemSpec(
    name="srm",
    title="SRM — supplier relationship management (reference system)",
    description=(DESCRIPTION or "").strip(),
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
