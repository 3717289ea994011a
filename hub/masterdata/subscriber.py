"""What the message path calls: record a canonical master-data message, publish what changed.

Inside the transaction that stores a canonical message::

    for outcome in record_sources(session, envelope, catalog=catalog):
        if outcome.changed:
            event = changed_envelope(session, outcome, cause=envelope)   # a masterdata.changed envelope

:func:`record_source` is idempotent on (entity, system, local id): a replay of the same
payload changes nothing and reports ``unchanged``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

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
    return outcomes[0] if outcomes and outcomes[0].entity == _main_entity(envelope, catalog) else None


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
        for local_id, payload in _records(data, source):
            outcomes.append(service.record(session, entity.entity, system, local_id, payload, received_at=received))
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
    return next((e.entity for e, src in found if src.each is None), None)


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
            "record": {**g.fields, "code": g.id}, "xrefs": xrefs}
    env: dict[str, Any] = {
        "specversion": "1.0", "id": new_id(), "source": CHANGED_SOURCE, "type": CHANGED_TYPE,
        "subject": g.id, "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json",
        "dataschema": f"/schemas/{CHANGED_TYPE}/{CHANGED_SCHEMA_VERSION}", "data": data,
    }
    if cause:
        env["correlationid"] = cause.get("correlationid") or cause.get("id")
        env["causationid"] = cause.get("id")
    return env
