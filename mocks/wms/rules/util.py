"""Small helpers every rule module needs: the clock, document numbers, lookups."""

from __future__ import annotations

import time
from typing import TypeVar

from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.wms.models import Counter, Customer, Location, Sku, Supplier, Warehouse

T = TypeVar("T")

DOC_NO_WIDTH = 6


def now_ms() -> int:
    """Now, in the WMS's time format: epoch milliseconds."""
    return int(time.time() * 1000)


def next_no(session: Session, prefix: str) -> str:
    """The next document number for ``prefix`` (``next_no(s, "MV")`` → ``"MV000001"``)."""
    counter = session.get(Counter, prefix)
    if counter is None:
        counter = Counter(prefix=prefix, last=0)
        session.add(counter)
    counter.last += 1
    return f"{prefix}{counter.last:0{DOC_NO_WIDTH}d}"


def known(session: Session, model: type[T], key: str, *, field: str, what: str) -> T:
    """The row ``key`` of ``model``, or a 422 naming ``field`` (a body reference we don't know)."""
    row = session.get(model, key)
    if row is None:
        raise BusinessError(f"unknown_{what}", f"{what} {key!r} is not known to this WMS", field=field)
    return row


def get_or_404(session: Session, model: type[T], key: str, *, what: str, field: str) -> T:
    """The row ``key`` of ``model``, or a 404 (a path id that does not exist)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(what, key, field=field)
    return row


def sku_row(session: Session, sku: str, field: str = "sku") -> Sku:
    row = known(session, Sku, sku, field=field, what="sku")
    if not row.active:
        raise BusinessError("sku_inactive", f"sku {sku!r} is inactive", field=field)
    return row


def warehouse(session: Session, wh: str, field: str = "wh") -> Warehouse:
    return known(session, Warehouse, wh, field=field, what="warehouse")


def location(session: Session, loc: str, field: str = "loc", wh: str | None = None) -> Location:
    row = known(session, Location, loc, field=field, what="location")
    if wh is not None and row.wh != wh:
        raise BusinessError("location_not_in_warehouse", f"location {loc} belongs to {row.wh}, not {wh}",
                            field=field)
    return row


def customer(session: Session, cust: str, field: str = "cust") -> Customer:
    return known(session, Customer, cust, field=field, what="customer")


def supplier(session: Session, code: str, field: str = "supplier") -> Supplier:
    return known(session, Supplier, code, field=field, what="supplier")
