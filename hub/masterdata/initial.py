"""The initial load: each connected system's own master data, matched into golden records at start.

A system that offers ``GET /_admin/masterdata`` — a list of ``{"entity", "id", "record"}``, the record
in the entity's canonical shape (the reference systems do) — is read once when ``hub up --mocks``
starts, and every record goes through the golden-record service as if its system had just sent it.
The cross-references of customers, suppliers, items and employees are built from that, never
written by hand. Loading again changes nothing (idempotent on entity, system and local id).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from hub.masterdata.entities import EntityCatalog
from hub.masterdata.service import MasterData
from hub.masterdata.subscriber import lock_entities
from hub.registry import Registry
from hub.settings import Settings
from hub.store import Database

log = logging.getLogger("hub.masterdata")

MASTERDATA_PATH = "/_admin/masterdata"
WAIT_S = 60.0
"""How long a system may take to answer after the hub starts it."""
POLL_S = 0.5
HTTP_TIMEOUT_S = 10.0

Fetch = Callable[[str], list[dict[str, Any]] | None]
"""system → its records, or None when it offers none."""


@dataclass
class LoadReport:
    """What a load did: records per system, outcomes per action, systems that offered nothing."""

    records: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def load_systems(db: Database, catalog: EntityCatalog, systems: list[str], fetch: Fetch) -> LoadReport:
    """Match every record each system offers, one transaction per system."""
    service = MasterData(catalog)
    report = LoadReport()
    for system in systems:
        records = fetch(system)
        if records is None:
            report.skipped.append(system)
            continue
        with db.session() as s:
            lock_entities(s, sorted(catalog.entities))
            for r in records:
                if r.get("entity") not in catalog.entities or not isinstance(r.get("record"), dict):
                    continue
                outcomes = [service.record(s, str(r["entity"]), system, str(r["id"]), r["record"])]
                outcomes += [service.record(s, joiner, system, str(r["id"]), r["record"], creates=False)
                             for joiner in _joiners(catalog, str(r["entity"]), system)]
                for outcome in outcomes:
                    if outcome.action != "unmatched":  # a supplier that is no customer: nothing was loaded
                        report.actions[outcome.action] = report.actions.get(outcome.action, 0) + 1
        report.records[system] = len(records)
    return report


def _joiners(catalog: EntityCatalog, entity: str, system: str) -> list[str]:
    """Other entities whose ``creates: false`` sources take ``entity``'s records from ``system``
    (SRM's suppliers, for the customers they also are)."""
    types = {src.type for src in catalog.entities[entity].sources if src.each is None and src.creates}
    return [e.entity for t in sorted(types) for e, src in catalog.by_type.get(t, [])
            if e.entity != entity and src.each is None and not src.creates and src.accepts(system)]


def http_fetch(registry: Registry, settings: Settings, *, wait_s: float = WAIT_S) -> Fetch:
    """Read ``GET <base url>/_admin/masterdata`` of a connector, waiting for it to start answering."""
    def fetch(system: str) -> list[dict[str, Any]] | None:
        connector = registry.connectors[system]
        url = settings.connector_url(system, connector.base_url).rstrip("/") + MASTERDATA_PATH
        deadline = time.monotonic() + wait_s
        while True:
            try:
                r = httpx.get(url, timeout=HTTP_TIMEOUT_S)
            except httpx.HTTPError as exc:
                if time.monotonic() >= deadline:
                    log.warning("initial load: %s did not answer at %s (%s)", system, url, exc)
                    return None
                time.sleep(POLL_S)
                continue
            if r.status_code == 404:
                return None
            if r.status_code != 200 or not isinstance(r.json(), list):
                log.warning("initial load: %s answered %s at %s", system, r.status_code, url)
                return None
            return [x for x in r.json() if isinstance(x, dict)]
    return fetch


def initial_load(db: Database, registry: Registry, settings: Settings, catalog: EntityCatalog) -> LoadReport:
    """Every connector's master data, over HTTP (what ``hub up --mocks`` runs once the systems start)."""
    report = load_systems(db, catalog, sorted(registry.connectors), http_fetch(registry, settings))
    log.info("initial load of master data: %s records (%s); no master data from %s",
             sum(report.records.values()), ", ".join(f"{k} {v}" for k, v in sorted(report.actions.items())),
             ", ".join(report.skipped) or "none")
    return report
