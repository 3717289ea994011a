"""The CRM as a FastAPI app on the common base (port 9101): ``python -m mocks crm``."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.crm import __doc__ as DESCRIPTION
from mocks.crm.api import ROUTERS
from mocks.crm.events import envelope
from mocks.crm.models import Base
from mocks.crm.seed import seed
from mocks.crm.simulation import tick

SPEC = SystemSpec(
    name="crm",
    title="Hengjia CRM",
    description=(DESCRIPTION or "").strip(),
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
