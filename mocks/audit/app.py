"""The audit archive's app on the shared base (``python -m mocks audit``, port 9108).

It only receives: no webhooks of its own, no seed data, no simulation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from mocks.audit.api import router
from mocks.audit.models import Base
from mocks.common import MockSettings, SystemSpec, create_app


def _no_seed(_: Session) -> None:
    """The archive starts empty."""


def _no_events(event_type: str, payload: dict[str, Any], key: str, at: datetime) -> dict[str, Any]:
    raise NotImplementedError("the audit archive sends no webhooks")


SPEC = SystemSpec(
    name="audit",
    title="Audit archive (reference system)",
    description="Keeps a copy of every business event sent to it (CloudEvents, once per source + id) for "
                "auditors and analysts; `GET /api/events` lists them.",
    routers=[router],
    metadata=Base.metadata,
    seed=_no_seed,
    envelope=_no_events,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
