"""The benchmark's in-memory replica decides as the service does (its figures stand for the service's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.masterdata.generate import companies, persons
from benchmarks.masterdata.replica import cluster
from hub.masterdata.service import MasterData
from hub.masterdata.subscriber import catalog_for
from hub.store import Database, SourceRecord
from hub.store.migrate import upgrade


def groups(assignment: dict[str, str]) -> set[frozenset[str]]:
    by_golden: dict[str, set[str]] = {}
    for record, golden in assignment.items():
        by_golden.setdefault(golden, set()).add(record)
    return {frozenset(g) for g in by_golden.values()}


@pytest.mark.parametrize("entity", ["customer", "person"])
def test_the_replica_forms_the_same_golden_records_as_the_service(entity: str, tmp_path: Path) -> None:
    data = list(companies(400, seed=3) if entity == "customer" else persons(400, seed=4))
    db = Database(f"sqlite:///{tmp_path}/md.db")
    upgrade(db)
    service = MasterData(catalog_for())
    with db.session() as s:
        for r in data:
            service.record(s, entity, r["system"], r["id"],
                           {k: v for k, v in r.items() if k not in ("system", "id", "_truth")})
    with db.read() as s:
        stored = {f"{sys_}:{lid}": gid for sys_, lid, gid in s.execute(
            select(SourceRecord.system, SourceRecord.local_id, SourceRecord.golden_id))}
    db.dispose()
    replayed = groups(cluster(catalog_for().get(entity), data))
    assert groups(stored) == replayed
    assert len(replayed) < len(data)  # some records were merged: the comparison is not trivially equal
