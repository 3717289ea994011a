"""The MRP netting algorithm, pure: plain data in, planned orders out (no database).

Exactly as CATALOG.md "The MRP run": items are netted in low-level-code order
(each item at its deepest BOM level, so a component is netted only after all
of its parents have added their dependent demand). For each item the dated
requirements and receipts are walked bucket by bucket keeping projected on
hand; receipts of a bucket count before its requirements. Where projected on
hand would fall below safety stock, an order is planned for the shortfall,
lot-sized (minimum, then rounded up to the multiple; 0 = lot-for-lot), due at
the start of that bucket and released ``lead_time_days`` earlier; a release
before the run's start is flagged late. A planned make order explodes into
dependent demand for its BOM components at its release date.

Dates before the start fall into the first bucket (past due); dates at or
beyond the horizon are outside the plan and ignored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

EPSILON = 1e-9
QTY_DIGITS = 6
"""Quantities are rounded to this many decimals, so fractional BOMs do not drift."""


@dataclass(frozen=True)
class PlanItem:
    code: str
    supply: str  # make | buy
    lead_time_days: int
    safety_stock: float = 0
    lot_min: float = 0
    lot_multiple: float = 0
    low_level_code: int = 0


@dataclass(frozen=True)
class Component:
    item: str
    qty_per: float  # per one unit of the parent (line qty / base qty)


@dataclass(frozen=True)
class Structure:
    """The BOM version in effect for a make item."""

    version: str
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Requirement:
    item: str
    date: date
    qty: float
    origin: str | None = None  # the sales order it is pegged to, if any


@dataclass(frozen=True)
class Receipt:
    item: str
    date: date
    qty: float


@dataclass
class PlanInput:
    start: date
    bucket_days: int
    horizon: int  # number of buckets
    items: dict[str, PlanItem]
    structures: dict[str, Structure] = field(default_factory=dict)
    on_hand: dict[str, float] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedLine:
    item: str
    action: str  # make | buy
    qty: float
    due_date: date
    release_date: date
    late: bool
    bom_version: str | None
    origin: str | None


def lot_size(shortfall: float, item: PlanItem) -> float:
    """Minimum first, then round up to the multiple; no rules = lot-for-lot."""
    qty = max(shortfall, item.lot_min)
    if item.lot_multiple > 0:
        qty = math.ceil(round(qty / item.lot_multiple, QTY_DIGITS)) * item.lot_multiple
    return round(qty, QTY_DIGITS)


def explode(structure: Structure, qty: float, at: date, origin: str | None) -> list[Requirement]:
    """Dependent demand of making ``qty`` of a parent whose order is released ``at``."""
    return [Requirement(c.item, at, round(qty * c.qty_per, QTY_DIGITS), origin) for c in structure.components]


def peg(reqs: list[Requirement], available: float, safety_stock: float) -> str | None:
    """The sales order a bucket's planned order is made for.

    Stock goes to the bucket's requirements first come, first served (by date, then as
    recorded); the order is pegged to the first one that stock cannot cover. That is the same
    order whichever of several demands reached planning first, so a large order that stock can
    never cover is the one production is made for. With no such requirement (the shortfall is
    safety stock only) the first requirement that has an origin is taken.
    """
    ordered = sorted(reqs, key=lambda r: r.date)
    for r in ordered:
        available = round(available - r.qty, QTY_DIGITS)
        if available < safety_stock - EPSILON and r.origin:
            return r.origin
    return next((r.origin for r in ordered if r.origin), None)


def plan(inp: PlanInput) -> list[PlannedLine]:
    """Net every item in low-level-code order; the planned orders, in planning order."""
    start, width = inp.start, inp.bucket_days

    def bucket(d: date) -> int | None:
        b = max(0, (d - start).days // width)
        return b if b < inp.horizon else None

    gross: dict[str, dict[int, list[Requirement]]] = defaultdict(lambda: defaultdict(list))
    _add(gross, inp.requirements, bucket)
    receipts: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for r in inp.receipts:
        b = bucket(r.date)
        if b is not None:
            receipts[r.item][b] += r.qty

    planned: list[PlannedLine] = []
    for item in sorted(inp.items.values(), key=lambda i: (i.low_level_code, i.code)):
        structure = inp.structures.get(item.code) if item.supply == "make" else None
        projected = inp.on_hand.get(item.code, 0.0)
        for b in range(inp.horizon):
            reqs = gross[item.code].get(b, [])
            available = projected + receipts[item.code].get(b, 0.0)
            projected = round(available - sum(r.qty for r in reqs), QTY_DIGITS)
            if projected >= item.safety_stock - EPSILON:
                continue
            qty = lot_size(item.safety_stock - projected, item)
            projected = round(projected + qty, QTY_DIGITS)
            due = start + timedelta(days=b * width)
            release = due - timedelta(days=item.lead_time_days)
            origin = peg(reqs, available, item.safety_stock)
            planned.append(PlannedLine(item.code, item.supply, qty, due, release, release < start,
                                       structure.version if structure else None, origin))
            if structure:
                _add(gross, explode(structure, qty, release, origin), bucket)
    return planned


def _add(gross: dict[str, dict[int, list[Requirement]]], reqs: Iterable[Requirement],
         bucket: Callable[[date], int | None]) -> None:
    for r in reqs:
        b = bucket(r.date)
        if b is not None:
            gross[r.item][b].append(r)
