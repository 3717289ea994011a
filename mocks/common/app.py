"""Build a reference system's FastAPI app from its :class:`SystemSpec`.

Every system gets the same admin surface beside its own API:

- ``GET  /healthz``                  — alive
- ``POST /_admin/reset``             — drop all state and load the seed data again (tests)
- ``GET  /_admin/webhooks``          — the webhook delivery log (outbox), newest first
- ``GET  /_admin/idempotency``       — applied / replayed counts of idempotent writes
- ``GET  /_admin/masterdata``        — the master data it was seeded with, canonical shape (initial load)
- ``POST /_admin/simulation/tick``   — run one simulation step now
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Query
from sqlalchemy import MetaData, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mocks.common import company
from mocks.common.config import MockSettings
from mocks.common.db import CommonBase, Database
from mocks.common.errors import install_error_handlers
from mocks.common.idempotency import install_idempotency
from mocks.common.simulation import Simulation, Tick
from mocks.common.webhooks import Envelope, OutboxEvent, WebhookSender

log = logging.getLogger("mocks")


class SystemMeta(CommonBase):
    __tablename__ = "system_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


@dataclass(frozen=True)
class SystemSpec:
    """What makes one system: its name, API, tables, seed data, webhook envelope, simulation."""

    name: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    metadata: MetaData
    seed: Callable[[Session], None]
    envelope: Envelope
    tick: Tick | None = None
    extra_metadata: Sequence[MetaData] = field(default_factory=tuple)


def create_app(spec: SystemSpec, settings: MockSettings | None = None) -> FastAPI:
    settings = settings or MockSettings.from_env(spec.name)
    db = Database(settings.database_url, [spec.metadata, *spec.extra_metadata])
    sender = WebhookSender(db, url=settings.webhook_url, secret=settings.secret, envelope=spec.envelope)
    simulation = (Simulation(db, spec.tick, interval_s=settings.sim_interval_s, seed=settings.seed)
                  if spec.tick else None)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        _ensure_seeded(db, spec)
        if settings.webhooks_enabled:
            sender.start()
        if simulation and settings.simulation:
            simulation.start()
        yield
        if simulation:
            simulation.stop()
        sender.stop()

    app = FastAPI(title=spec.title, description=spec.description, lifespan=lifespan)
    app.state.db = db
    app.state.settings = settings
    app.state.sender = sender
    app.state.simulation = simulation
    install_error_handlers(app)
    install_idempotency(app)
    for router in spec.routers:
        app.include_router(router)
    app.include_router(_admin_router(spec, db, sender, simulation))
    return app


def _ensure_seeded(db: Database, spec: SystemSpec) -> None:
    db.create_all()
    with db.session() as s:
        if s.get(SystemMeta, "seeded") is None:
            spec.seed(s)
            s.add(SystemMeta(key="seeded", value="1"))


def _admin_router(spec: SystemSpec, db: Database, sender: WebhookSender,
                  simulation: Simulation | None) -> APIRouter:
    router = APIRouter(tags=["admin"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "system": spec.name}

    @router.post("/_admin/reset", summary="Drop all state and load the seed data again")
    def reset() -> dict[str, str]:
        with sender.lock:
            db.drop_all()
            _ensure_seeded(db, spec)
        return {"status": "reset", "system": spec.name}

    @router.get("/_admin/webhooks", summary="Webhook delivery log, newest first")
    def webhooks(status: str | None = None, limit: int = Query(100, le=1000)) -> list[dict[str, Any]]:
        with db.session() as s:
            q = select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(limit)
            if status:
                q = q.where(OutboxEvent.status == status)
            return [e.as_dict() for e in s.scalars(q)]

    @router.get("/_admin/masterdata", summary="The customers, suppliers, items and employees this system was seeded "
                                               "with, in the hub's canonical shape (its initial load)")
    def masterdata() -> list[dict[str, Any]]:
        return company.master_data(spec.name)

    @router.post("/_admin/webhooks/flush", summary="Send every due webhook now")
    def flush() -> dict[str, int]:
        return {"tried": sender.drain_once()}

    @router.post("/_admin/simulation/tick", summary="Run one simulation step now")
    def tick() -> dict[str, Any]:
        if simulation is None:
            return {"ticked": False, "reason": f"{spec.name} has no simulation"}
        result = simulation.tick()
        return {"ticked": True, "result": result if isinstance(result, (dict, list, str, int)) else None}

    return router
