"""Outbound beyond HTTP: an operation's ``write:`` inserts rows into a table or writes a file.

A write takes the place of the HTTP call inside a delivery, so everything around the call stays:
the attempt log, retries on the connector's schedule, dead letters and replay. Its result comes
back as a :class:`~hub.delivery.client.Response` — 201 written, 200 already written, 422 refused
(a row the table will not take) — and a fault worth retrying (the database or the disk unreachable)
as a :class:`~hub.errors.TransientDeliveryError`. Idempotency follows the delivery id: the table's
``key`` column holds it, or the file's name does, so a retried delivery writes nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, SQLAlchemyError

from hub.connectors.sources import FileWrite, TableWrite, expand
from hub.delivery.client import RESPONSE_EXCERPT_CHARS, Response
from hub.delivery.stages import CallContext
from hub.errors import TransientDeliveryError


class OutboundWriter:
    def __init__(self, config_dir: Path, environ: dict[str, str] | None = None):
        self.config_dir = config_dir
        self.environ = environ
        self._engines: dict[str, sa.Engine] = {}
        self._tables: dict[tuple[str, str], sa.Table] = {}
        self._lock = threading.Lock()

    def send(self, ctx: CallContext) -> Response:
        write = ctx.operation.declared.write
        assert write is not None
        started = time.perf_counter()
        environ = dict(self.environ if self.environ is not None else os.environ)
        if isinstance(write, TableWrite):
            code, text = self._table(write, ctx, environ)
        else:
            code, text = self._file(write, ctx, environ)
        return Response(code, text[:RESPONSE_EXCERPT_CHARS], (time.perf_counter() - started) * 1000,
                        {"result": text}, {})

    def target_of(self, write: TableWrite | FileWrite) -> str:
        """What the attempt log shows in place of a URL."""
        return f"table:{write.table}" if isinstance(write, TableWrite) else f"file:{write.folder}"

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()

    # ------------------------------------------------------------------ tables
    def _table(self, write: TableWrite, ctx: CallContext, environ: dict[str, str]) -> tuple[int, str]:
        rows = ctx.body if isinstance(ctx.body, list) else [ctx.body]
        if not rows or not all(isinstance(r, dict) for r in rows):
            return 422, "a table write needs the mapping to give a row (an object) or an array of rows"
        try:
            url = expand(write.url, environ)
        except ValueError as exc:
            raise TransientDeliveryError(f"table {write.table}: {exc}") from None
        try:
            engine = self._engine(url)
            table = self._table_of(engine, url, write.table)
            unknown = sorted({k for r in rows for k in r} - set(table.c.keys()))
            if unknown:
                return 422, f"table {write.table} has no column(s) {', '.join(unknown)}"
            if write.key is not None:
                rows = [dict(r, **{write.key: ctx.delivery_id}) for r in rows]
            with engine.begin() as conn:
                if write.key is not None and conn.execute(
                        sa.select(sa.literal(1)).select_from(table)
                        .where(table.c[write.key] == ctx.delivery_id).limit(1)).first():
                    return 200, f"already written to {write.table} (delivery {ctx.delivery_id})"
                conn.execute(self._insert(engine, table, write), rows)
            return 201, f"{len(rows)} row(s) {'upserted into' if write.mode == 'upsert' else 'inserted into'} " \
                        f"{write.table}"
        except NoSuchTableError:
            raise TransientDeliveryError(f"table {write.table} does not exist (yet)") from None
        except OperationalError as exc:
            raise TransientDeliveryError(f"table {write.table}: {_first_line(exc)}") from None
        except (DBAPIError, SQLAlchemyError) as exc:  # a row the table refuses: a business rejection
            return 422, f"table {write.table} refused the row: {_first_line(exc)}"

    def _insert(self, engine: sa.Engine, table: sa.Table, write: TableWrite) -> Any:
        if write.mode == "insert":
            return table.insert()
        stmt = (sqlite_insert(table) if engine.dialect.name == "sqlite" else pg_insert(table))
        return stmt.on_conflict_do_update(
            index_elements=write.unique, set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in write.unique})

    def _engine(self, url: str) -> sa.Engine:
        with self._lock:
            if url not in self._engines:
                self._engines[url] = sa.create_engine(url, pool_pre_ping=True)
            return self._engines[url]

    def _table_of(self, engine: sa.Engine, url: str, name: str) -> sa.Table:
        with self._lock:
            if (url, name) not in self._tables:
                self._tables[(url, name)] = sa.Table(name, sa.MetaData(), autoload_with=engine)
            return self._tables[(url, name)]

    # ------------------------------------------------------------------ files
    def _file(self, write: FileWrite, ctx: CallContext, environ: dict[str, str]) -> tuple[int, str]:
        assert ctx.operation.file_name is not None
        try:
            folder = Path(expand(write.folder, environ))
        except ValueError as exc:
            raise TransientDeliveryError(f"folder: {exc}") from None
        folder = folder if folder.is_absolute() else self.config_dir / folder
        name = ctx.operation.file_name.text({"delivery_id": ctx.delivery_id, "data": ctx.data})
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            return 422, f"file name {name!r} is not a plain file name"
        dest = folder / name
        if dest.exists():
            return 200, f"already written: {dest.name}"
        try:
            data = _render(ctx.body, write.format).encode(write.encoding)
        except (UnicodeEncodeError, LookupError, ValueError) as exc:
            return 422, f"cannot write as {write.format} in {write.encoding}: {exc}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            part = folder / f".{name}.{ctx.delivery_id}.part"   # readers never see a half-written file
            part.write_bytes(data)
            os.replace(part, dest)
        except OSError as exc:
            raise TransientDeliveryError(f"writing {dest}: {exc}") from None
        return 201, f"written: {dest.name} ({len(data)} bytes)"


def _render(body: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(body, ensure_ascii=False, indent=2)
    rows = body if isinstance(body, list) else [body]
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise ValueError("a CSV file needs a row (an object) or an array of rows")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
