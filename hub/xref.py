"""The cross-reference: each system's id for one real-world entity.

The golden-record service fills it as it matches records; until then (and in
tests) :func:`link` ties ids together directly. ``$xref`` reads it through
:meth:`XrefStore.resolve`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from hub.errors import ConfigError
from hub.ids import new_id
from hub.store import CrossReference, Database


class XrefStore:
    def __init__(self, db: Database):
        self.db = db

    def resolve(self, entity: str, local_id: str, from_system: str, to_system: str) -> str | None:
        with self.db.read() as s:
            return resolve_in(s, entity, local_id, from_system, to_system)

    def link(self, entity: str, ids: dict[str, Any], golden_id: str | None = None) -> str:
        """Tie ``{system: local_id}`` together as one entity; returns its golden id."""
        with self.db.session() as s:
            return link_in(s, entity, ids, golden_id)

    def load_seed(self, folder: Path) -> int:
        """Load ``<folder>/*.yaml`` (``entity: [{system: id, …}, …]``); returns how many records."""
        count = 0
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ConfigError("a cross-reference file maps entity → list of {system: id}", file=str(path))
            try:
                with self.db.session() as s:
                    for entity, records in data.items():
                        for ids in records or []:
                            link_in(s, str(entity), {k: v for k, v in ids.items() if v is not None})
                            count += 1
            except IntegrityError:  # another process loaded the same records at the same moment
                continue
        return count


def resolve_in(s: Session, entity: str, local_id: str, from_system: str, to_system: str) -> str | None:
    """:meth:`XrefStore.resolve` in ``s``: it sees the links ``s`` has written and not yet committed."""
    src, dst = aliased(CrossReference), aliased(CrossReference)
    return s.scalar(
        select(dst.local_id)
        .join(src, (src.golden_id == dst.golden_id) & (src.entity == dst.entity))
        .where(src.entity == entity, src.system == from_system, src.local_id == local_id, dst.system == to_system)
        .limit(1))


def links_of(value: Any) -> list[dict[str, Any]]:
    """The well-formed ``{"entity": …, "ids": {system: id}}`` links in what an ``xref`` expression gave."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [x for x in items if isinstance(x, dict) and x.get("entity") and isinstance(x.get("ids"), dict)]


def link_in(s: Session, entity: str, ids: dict[str, Any], golden_id: str | None = None) -> str:
    """:meth:`XrefStore.link` inside the caller's transaction."""
    ids = {str(k): str(v) for k, v in ids.items() if v not in (None, "")}
    if not ids:
        return golden_id or ""
    existing = list(s.scalars(select(CrossReference).where(
        CrossReference.entity == entity,
        or_(*(and_(CrossReference.system == k, CrossReference.local_id == v) for k, v in ids.items())))))
    known = {(x.system, x.local_id) for x in existing}
    golden = golden_id or next((x.golden_id for x in existing), None) or new_id()
    now = datetime.now(UTC)
    for system, local in ids.items():
        if (system, local) not in known:
            s.add(CrossReference(id=new_id(), entity=entity, golden_id=golden, system=system,
                                 local_id=local, created_at=now))
    s.flush()
    return golden
