"""What the message path calls: record a canonical master-data message, publish what changed.

:class:`MasterDataSubscriber` is the translator's ``on_canonical`` hook: inside the transaction
that stores a canonical message it stores the source records the message carries and returns a
``masterdata.changed`` envelope per golden record that changed, which the translator stores and
routes like any canonical message. By hand::

    for outcome in record_sources(session, envelope, catalog=catalog):
        if outcome.changed:
            event = changed_envelope(session, outcome, cause=envelope)   # a masterdata.changed envelope

:func:`record_source` is idempotent on (entity, system, local id): a replay of the same
payload changes nothing and reports ``unchanged``. Two translations that store the same new
record at once collide on that unique key; the loser's savepoint is rolled back and it tries
again, now finding the winner's record (tenacity), so the race costs a retry, never a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random

from hub.envelope import parse_time
from hub.ids import new_id
from hub.masterdata import store
from hub.masterdata.entities import EntityCatalog, Source, load_entities
from hub.masterdata.service import MasterData, MatchOutcome
from hub.settings import REPO_ROOT

ENTITY_FOLDER = Path("mappings") / "masterdata"
CHANGED_TYPE = "masterdata.changed"
CHANGED_SOURCE = "/masterdata"
CHANGED_SCHEMA_VERSION = 1
CONNECTOR_SOURCE_PREFIX = "/connectors/"
RACE_ATTEMPTS = 5
"""Tries of one message's records when another transaction stores the same new record at once."""


@lru_cache(maxsize=8)
def catalog_for(config_dir: Path = REPO_ROOT) -> EntityCatalog:
    """The entities of ``<config_dir>/mappings/masterdata`` (loaded once per folder)."""
    return load_entities(Path(config_dir) / ENTITY_FOLDER)


def system_of(envelope: dict[str, Any]) -> str:
    """``/connectors/crm`` → ``crm``; any other source is taken whole."""
    source = str(envelope.get("source") or "")
    return source.removeprefix(CONNECTOR_SOURCE_PREFIX).strip("/") or "unknown"


def record_source(session: Session, envelope: dict[str, Any], *,
                  catalog: EntityCatalog | None = None) -> MatchOutcome | None:
    """Store a master-data message as a source record and match it; None for any other type.

    Records nested in it (a customer's contacts, as ``person``) are stored and matched too; the
    outcome returned is the message's own record's. :func:`record_sources` returns them all.
    """
    outcomes = record_sources(session, envelope, catalog=catalog)
    main = _main_entity(envelope, catalog)
    return next((o for o in outcomes if o.entity == main), None)


def record_sources(session: Session, envelope: dict[str, Any], *,
                   catalog: EntityCatalog | None = None) -> list[MatchOutcome]:
    """Every source record a canonical message carries, stored and matched (the message's own first)."""
    catalog = catalog or catalog_for()
    data = envelope.get("data")
    if not isinstance(data, dict):
        return []
    when = envelope.get("time")
    received = parse_time(when) if when else datetime.now(UTC)
    system = system_of(envelope)
    service = _service(catalog)
    outcomes = []
    for entity, source in catalog.by_type.get(str(envelope.get("type")), []):
        if not source.accepts(system):
            continue
        for local_id, payload in _records(data, source):
            outcomes.append(service.record(session, entity.entity, system, local_id, payload, received_at=received,
                                           creates=source.creates))
    return outcomes


def _records(data: dict[str, Any], source: Source) -> list[tuple[str, dict[str, Any]]]:
    if source.each is None:
        local_id = data.get(source.id)
        return [] if local_id in (None, "") else [(str(local_id), data)]
    parent = data.get(source.parent_id)
    items = data.get(source.each)
    if parent in (None, "") or not isinstance(items, list):
        return []
    return [(f"{parent}/{item[source.id]}", item) for item in items
            if isinstance(item, dict) and item.get(source.id) not in (None, "")]


def _main_entity(envelope: dict[str, Any], catalog: EntityCatalog | None) -> str | None:
    found = (catalog or catalog_for()).by_type.get(str(envelope.get("type")), [])
    return next((e.entity for e, src in found if src.each is None and src.creates), None)


_SERVICES: dict[int, MasterData] = {}


def _service(catalog: EntityCatalog) -> MasterData:
    """One service per catalog, so its short cache of learnt parameters outlives a message."""
    found = _SERVICES.get(id(catalog))
    if found is None or found.catalog is not catalog:
        found = _SERVICES[id(catalog)] = MasterData(catalog)
    return found


def changed_envelope(session: Session, outcome: MatchOutcome, *,
                     cause: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``masterdata.changed`` CloudEvent for a golden record after ``outcome`` (JSON form)."""
    g = store.golden(session, outcome.golden_id)
    if g is None:
        raise ValueError(f"no golden record {outcome.golden_id}")
    xrefs = {x.system: x.local_id for x in store.xrefs(session, g.entity, g.id)}
    data = {"entity": g.entity, "golden_id": g.id,
            "changed_fields": [] if outcome.action == "created" else outcome.changed_fields,
            "record": {**g.fields, "code": g.id}, "provenance": g.provenance, "xrefs": xrefs}
    env: dict[str, Any] = {
        "specversion": "1.0", "id": new_id(), "source": CHANGED_SOURCE, "type": CHANGED_TYPE,
        "subject": g.id, "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json",
        "dataschema": f"/schemas/{CHANGED_TYPE}/{CHANGED_SCHEMA_VERSION}", "data": data,
    }
    if cause:
        env["correlationid"] = cause.get("correlationid") or cause.get("id")
        env["causationid"] = cause.get("id")
    return env


class MasterDataSubscriber:
    """The translator's hook: store the master data a canonical message carries; publish what changed.

    On PostgreSQL the records of one entity are matched one transaction at a time (a transaction-scoped
    advisory lock): two systems reporting the same new company at once must not both create it.
    """

    def __init__(self, catalog: EntityCatalog):
        self.catalog = catalog

    def __call__(self, s: Session, envelope: dict[str, Any]) -> list[dict[str, Any]]:
        found = self.catalog.by_type.get(str(envelope.get("type")))
        if not found:
            return []
        lock_entities(s, sorted({entity.entity for entity, _ in found}))
        outcomes = _recorded(s, envelope, self.catalog)
        latest: dict[str, MatchOutcome] = {}
        for outcome in outcomes:
            if outcome.changed:
                latest[outcome.golden_id] = outcome
        return [changed_envelope(s, o, cause=envelope) for o in latest.values()]


def lock_entities(s: Session, entities: list[str]) -> None:
    """Until the transaction ends, no other one matches records of these entities (PostgreSQL; SQLite
    has one writer at a time anyway)."""
    if s.get_bind().dialect.name == "postgresql":
        for name in entities:
            s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"masterdata:{name}"})


@retry(retry=retry_if_exception_type(IntegrityError), stop=stop_after_attempt(RACE_ATTEMPTS),
       wait=wait_random(0.01, 0.2), reraise=True)
def _recorded(s: Session, envelope: dict[str, Any], catalog: EntityCatalog) -> list[MatchOutcome]:
    with s.begin_nested():
        return record_sources(s, envelope, catalog=catalog)
