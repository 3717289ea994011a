"""The OA app: its :class:`SystemSpec` on the shared base (``python -m mocks oa``, port 9107)."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.oa.api import routers
from mocks.oa.events import envelope
from mocks.oa.models import Base
from mocks.oa.seed import seed
from mocks.oa.simulation import tick

SPEC = SystemSpec(
    name="oa",
    title="OA — office workflow (reference system)",
    description="Approvals with amount thresholds, tasks routed to departments, notifications and "
                "employee onboarding, in a DingTalk-like vocabulary. Webhooks go to `{MOCK_HUB_URL}/webhooks/oa`.",
    routers=routers(),
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
