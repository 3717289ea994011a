"""Database polling: SQL reading rows after the watermark from a table, a view or a change table.

Rows are stored in batches as they are fetched (deduplicated by key); the watermark is stored once
the last batch is, so a poller that dies mid-read starts again from the old watermark and its
already-stored rows are recognised as duplicates. ``:watermark`` is bound as the column's own type
(a timestamp less the safety ``lag``, or a number).
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from hub.adapters import records as recs
from hub.adapters import watermarks
from hub.adapters.runner import Context
from hub.connectors.sources import DatabaseSource, expand


class DatabasePoller:
    def run(self, ctx: Context) -> int:
        source = ctx.source.declared
        assert isinstance(source, DatabaseSource)
        start = ctx.watermark or watermarks.typed(source.start)
        since = watermarks.since(start, source.lag, native=True)
        engine = create_engine(expand(source.url, dict(ctx.environ)), poolclass=NullPool)
        mark, stored, n = ctx.watermark, 0, 0
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True).execute(text(source.sql), {"watermark": since})
                while rows := result.fetchmany(source.batch):
                    items = [{k: _json(v) for k, v in row._mapping.items()} for row in rows]
                    records = [recs.to_record(ctx.source, "db", item, n + i) for i, item in enumerate(items, 1)]
                    n += len(items)
                    stored += len(ctx.store(records, None).ids)
                    mark = recs.advance(ctx.source, mark, items)
                    ctx.heartbeat()
        finally:
            engine.dispose()
        if mark != ctx.watermark:
            ctx.store([], mark)
        return stored


def _json(value: Any) -> Any:
    """A column value as JSON: times as ISO text, decimals as numbers, bytes as base64."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
