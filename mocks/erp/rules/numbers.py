"""Document numbers in the ERP's style: prefix, year and month, then the row id (``SO2611-00001``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def doc_no(prefix: str, on: date, seq: int) -> str:
    return f"{prefix}{on:%y%m}-{seq:05d}"


def next_id(session: Session, column: Any, first: int) -> int:
    """The next numeric archive id: ``first`` for an empty table, else max + 1."""
    current = session.scalar(select(func.max(column)))
    return first if current is None else int(current) + 1
