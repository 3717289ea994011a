"""Stewardship over a database: what the API, the dashboard and the CLI call, one transaction each.

Reads use :meth:`Database.read`; every change runs in :meth:`Database.session` and records
who did it in the golden record's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.masterdata import store
from hub.masterdata.entities import EntityCatalog
from hub.masterdata.service import MasterData
from hub.masterdata.subscriber import catalog_for
from hub.store import Database, HistoryEntry, MatchLink, SourceRecord

DEFAULT_PAGE = 50


@dataclass
class Stewardship:
    db: Database
    catalog: EntityCatalog

    @classmethod
    def for_config(cls, db: Database, config_dir: Path) -> Stewardship:
        return cls(db=db, catalog=catalog_for(Path(config_dir)))

    @property
    def service(self) -> MasterData:
        return MasterData(self.catalog)

    def entities(self) -> list[dict[str, Any]]:
        return [{"entity": e.entity, "title": e.title or e.entity, "description": e.description,
                 "sources": [s.type for s in e.sources], "fields": list(e.fields),
                 "thresholds": e.thresholds.model_dump()} for e in self.catalog.entities.values()]

    def search(self, entity: str, q: str | None = None, limit: int = DEFAULT_PAGE, offset: int = 0) -> list[dict[str, Any]]:
        self.catalog.get(entity)
        with self.db.read() as s:
            return [{"id": g.id, "entity": g.entity, "version": g.version, "fields": g.fields,
                     "xrefs": {x.system: x.local_id for x in store.xrefs(s, g.entity, g.id)}}
                    for g in store.search(s, entity, q, limit, offset)]

    def golden(self, golden_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return self.service.view(s, golden_id)

    def history(self, golden_id: str) -> list[dict[str, Any]]:
        with self.db.read() as s:
            self.service.view(s, golden_id)
            return [_entry(e) for e in store.history(s, golden_id)]

    def reviews(self, entity: str | None = None, limit: int = DEFAULT_PAGE, offset: int = 0) -> list[dict[str, Any]]:
        with self.db.read() as s:
            out = []
            for link in store.review_queue(s, entity, limit, offset):
                left, right = s.get(SourceRecord, link.left_id), s.get(SourceRecord, link.right_id)
                out.append({**_link(link), "left": _source(left), "right": _source(right)})
            return out

    def decide(self, link_id: str, decision: str, actor: str) -> dict[str, Any]:
        with self.db.session() as s:
            return self.service.decide(s, link_id, decision, actor=actor)

    def merge(self, entity: str, into: str, other: str, actor: str) -> dict[str, Any]:
        with self.db.session() as s:
            g = self.service.merge(s, entity, into, other, actor=actor)
            return self.service.view(s, g.id)

    def unmerge(self, entity: str, golden_id: str, actor: str) -> dict[str, Any]:
        with self.db.session() as s:
            restored = self.service.unmerge(s, entity, golden_id, actor=actor)
            return {"golden": self.service.view(s, golden_id), "restored": self.service.view(s, restored.id)}


def _entry(e: HistoryEntry) -> dict[str, Any]:
    return {"id": e.id, "version": e.version, "action": e.action, "actor": e.actor, "source": e.source,
            "changes": e.changes, "detail": e.detail, "at": e.at.isoformat()}


def _link(link: MatchLink) -> dict[str, Any]:
    return {"id": link.id, "entity": link.entity, "score": link.score, "weight": link.weight,
            "evidence": link.evidence, "state": link.state, "created_at": link.created_at.isoformat()}


def _source(rec: SourceRecord | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {"record_id": rec.id, "system": rec.system, "local_id": rec.local_id, "golden_id": rec.golden_id,
            "payload": rec.payload}
