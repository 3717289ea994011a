"""Item master and bills of materials: upserts, cycle detection, low-level codes.

A BOM version is identified by (parent item, version); saving the same
version again replaces its lines (idempotent when nothing changed). A BOM
that would make an item its own component, directly or through any other
BOM, is refused naming the component. Low-level codes are recomputed from
every BOM version whenever one changes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mrp import events
from mocks.mrp.dates import stamp
from mocks.mrp.models import Bom, BomLine, Item
from mocks.mrp.rules.meta import mark_dirty
from mocks.mrp.schemas import BomIn, ItemIn

ITEM_FIELDS = ("name", "uom", "supply", "lead_time_days", "safety_stock", "lot_min", "lot_multiple",
               "std_cost", "item_class")


def get_item(session: Session, code: str) -> Item:
    """The item named in a path (404 when unknown)."""
    item = session.get(Item, code)
    if item is None:
        raise NotFound("item", code, field="code")
    return item


def require_item(session: Session, code: str, field: str) -> Item:
    """The item named in a request body (422 naming ``field`` when unknown)."""
    item = session.get(Item, code)
    if item is None:
        raise BusinessError("unknown_item", f"item {code!r} is not in the MRP item master", field=field)
    return item


def upsert_item(session: Session, code: str, data: ItemIn) -> tuple[Item, bool]:
    """Create or update an item's master and planning parameters; returns (item, created)."""
    item = session.get(Item, code)
    created = item is None
    if item is None:
        item = Item(code=code, low_level_code=0)
        session.add(item)
    changed = created or any(getattr(item, f) != getattr(data, f) for f in ITEM_FIELDS)
    if changed:
        for f in ITEM_FIELDS:
            setattr(item, f, getattr(data, f))
        item.updated = stamp()
        mark_dirty(session, f"item {code}")
    session.flush()
    return item, created


def uoms(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Item.code, Item.uom)).all())


def get_bom(session: Session, bom_id: int) -> Bom:
    bom = session.get(Bom, bom_id)
    if bom is None:
        raise NotFound("bom", bom_id, field="bom_id")
    return bom


def save_bom(session: Session, data: BomIn) -> tuple[Bom, str]:
    """Create or replace a BOM version; returns (bom, "created" | "updated" | "unchanged")."""
    parent = require_item(session, data.parent_item, "parent_item")
    if parent.supply != "make":
        raise BusinessError("parent_not_made", f"item {parent.code} is bought, not made: it cannot have a BOM",
                            field="parent_item")
    seen: set[str] = set()
    for i, line in enumerate(data.lines):
        require_item(session, line.component, f"lines.{i}.component")
        if line.component in seen:
            raise BusinessError("duplicate_component", f"component {line.component} is listed twice",
                                field=f"lines.{i}.component")
        seen.add(line.component)
    bom = session.scalar(select(Bom).where(Bom.parent_item == data.parent_item, Bom.version == data.version))
    _refuse_cycles(session, data, exclude=bom.id if bom else None)

    wanted = [(ln.component, float(ln.qty)) for ln in data.lines]
    if bom is not None:
        current = [(ln.component, ln.qty) for ln in bom.lines]
        if (current == wanted and bom.base_qty == data.base_qty
                and bom.effective_from == data.effective_from):
            return bom, "unchanged"
        bom.lines.clear()
        session.flush()
        outcome = "updated"
    else:
        bom = Bom(parent_item=data.parent_item, version=data.version)
        session.add(bom)
        outcome = "created"
    bom.base_qty = data.base_qty
    bom.effective_from = data.effective_from
    bom.updated = stamp()
    bom.lines.extend(BomLine(line_no=(i + 1) * 10, component=c, qty=q) for i, (c, q) in enumerate(wanted))
    session.flush()
    refresh_low_level_codes(session)
    mark_dirty(session, f"bom {data.parent_item}/{data.version}")
    events.bom_saved(session, bom, uoms(session))
    return bom, outcome


def _edges(session: Session, exclude: int | None) -> dict[str, set[str]]:
    """parent → components over every BOM version (but ``exclude``)."""
    graph: dict[str, set[str]] = {}
    rows = session.execute(select(Bom.id, Bom.parent_item, BomLine.component).join(BomLine.bom))
    for bom_id, parent, component in rows:
        if bom_id != exclude:
            graph.setdefault(parent, set()).add(component)
    return graph


def _refuse_cycles(session: Session, data: BomIn, exclude: int | None) -> None:
    graph = _edges(session, exclude)
    for i, line in enumerate(data.lines):
        path = _path(graph, line.component, data.parent_item)
        if path is not None:
            chain = " → ".join([data.parent_item, *path])
            raise BusinessError("bom_cycle", f"component {line.component} would make {data.parent_item} "
                                f"its own component ({chain})", field=f"lines.{i}.component")


def _path(graph: dict[str, set[str]], start: str, target: str) -> list[str] | None:
    """A path start → … → target through the BOM graph, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == target:
            return path
        if node in visited:
            continue
        visited.add(node)
        stack.extend((child, [*path, child]) for child in sorted(graph.get(node, ())))
    return None


def refresh_low_level_codes(session: Session) -> dict[str, int]:
    """Each item's deepest level in any BOM (0 = never a component); stored on the item."""
    graph = _edges(session, None)
    items = {i.code: i for i in session.scalars(select(Item))}
    level = dict.fromkeys(items, 0)
    for _ in range(len(items) + 1):  # relax until stable; the graph is acyclic
        changed = False
        for parent, components in graph.items():
            for c in components:
                if level.get(c, 0) < level.get(parent, 0) + 1:
                    level[c] = level.get(parent, 0) + 1
                    changed = True
        if not changed:
            break
    for code, item in items.items():
        if item.low_level_code != level[code]:
            item.low_level_code = level[code]
    return level


def bom_in_effect(session: Session, item: str, on: str) -> Bom | None:
    """The version used for ``item`` on date ``on``: latest ``effective_from`` not after it (null = always)."""
    boms = [b for b in session.scalars(select(Bom).where(Bom.parent_item == item))
            if b.effective_from is None or b.effective_from <= on]
    return max(boms, key=lambda b: (b.effective_from or "", b.id), default=None)
