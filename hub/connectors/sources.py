"""``poll:`` in a connector file — a system that cannot call the hub's webhooks, read by the hub instead.

Three kinds, each turning what it reads into records that enter the same path as webhooks
(:mod:`hub.adapters`): stored and deduplicated by ``key``, then translated by the connector's
``inbound`` events. Values written ``${NAME}`` (a folder, a database URL, a header) are read from
the environment when the poller runs, so credentials never sit in the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hub.connectors.durations import Seconds, _Model

DEFAULT_EVERY_S = 30.0
DEFAULT_BACKOFF_MAX_S = 600.0
DEFAULT_SETTLE_S = 2.0
DEFAULT_MAX_PAGES = 1000
DEFAULT_BATCH = 500
ENV_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


class _Source(_Model):
    every: Seconds = Field(DEFAULT_EVERY_S, gt=0, description="how often the source is read, e.g. 30s")
    event: str | None = Field(
        None, description="native event name given to every record (one of inbound.events or inbound.ignore); "
                          "none: inbound.event_type is evaluated on each record")
    key: str | None = Field(
        None, description="JSONata on a record → its dedupe key; a record read again with the same key is "
                          "stored once (include a version or timestamp to see updates of one row)")
    backoff_max: Seconds = Field(DEFAULT_BACKOFF_MAX_S, gt=0,
                                 description="a failing source is retried after every, 2×every, 4×every … "
                                             "up to this")
    description: str = ""


class _Watermarked(_Source):
    key: str = Field(description="JSONata on a record → its dedupe key, e.g. 'id & \":\" & updated_at'")
    watermark: str | None = Field(
        None, description="JSONata on a record → how far reading has come (a number, or an ISO timestamp); "
                          "the highest seen is kept once the records are stored, and the next read asks from it")
    start: Any = Field(None, description="the watermark before anything was read, e.g. '2026-01-01T00:00:00Z' or 0")
    lag: Seconds = Field(0.0, description="with a timestamp watermark: read again this far back, so rows "
                                          "committed late with an earlier time are still seen (deduplicated)")


class Pagination(_Model):
    """How the pages of one read are walked; the read stops at the last page (no next cursor or link,
    or a page shorter than ``size``), at an empty page, or after ``max_pages``."""

    style: Literal["cursor", "page", "link"] = Field(
        description="cursor: `next` gives the next page's cursor, sent as `param`; page: `param` counts from "
                    "`start`; link: follow the Link header's rel=next")
    param: str = Field("cursor", description="query parameter carrying the cursor or the page number")
    next: str | None = Field(None, description="with style cursor: JSONata on the response body → next cursor "
                                               "(empty or null: last page)")
    start: int = Field(1, description="with style page: the first page's number")
    size: int | None = Field(
        None, ge=1, description="records per page the source answers with (a query parameter may send it: "
                                "'{size}'); a page with fewer is the last, so no empty page is asked for")
    max_pages: int = Field(DEFAULT_MAX_PAGES, ge=1, description="a safety stop")


class HttpSource(_Watermarked):
    """Polling an HTTP API: ``GET base_url + path`` with the watermark in the query, page by page."""

    kind: Literal["http"]
    path: str = Field(description="path under the connector's base_url, e.g. /api/movements")
    query: dict[str, str] = Field(
        default_factory=dict,
        description="query parameters; each {…} is JSONata on {watermark, page, cursor, size}, "
                    "e.g. {since: '{watermark}'}")
    headers: dict[str, str] = Field(default_factory=dict, json_schema_extra={"secret": True},
                                    description="request headers, e.g. {Authorization: 'Bearer ${HUB_TOKEN_WMS}'}")
    records: str = Field("$", description="JSONata on the response body → the array of records")
    paginate: Pagination | None = None
    timeout: Seconds = Field(10.0, gt=0)


class DatabaseSource(_Watermarked):
    """Polling a database table or view (or a change table) with SQL that reads from the watermark."""

    kind: Literal["database"]
    url: str = Field(description="SQLAlchemy URL, normally from the environment: '${HUB_MES_DB_URL}'")
    sql: str = Field(description="SELECT reading rows after :watermark, ordered by it, e.g. "
                                 "'SELECT * FROM work_orders WHERE updated_at > :watermark ORDER BY updated_at'")
    batch: int = Field(DEFAULT_BATCH, ge=1, le=10000, description="rows stored per transaction")

    @model_validator(mode="after")
    def _watermark_has_a_start(self) -> DatabaseSource:
        if ":watermark" in self.sql and (self.start is None or self.watermark is None):
            raise ValueError("sql reads :watermark, so `watermark` (JSONata on a row, e.g. updated_at) and "
                             "`start` (its value before the first row, e.g. 0 or '2026-01-01T00:00:00+00:00') "
                             "are needed")
        return self


class FileSource(_Source):
    """A drop folder: each file is parsed into records, then moved to ``done/`` or ``error/`` with a report."""

    kind: Literal["files"]
    folder: str = Field(description="folder watched, relative to the config folder or absolute; may be '${NAME}'")
    pattern: str = Field("*", description="glob of the files taken, e.g. '*.csv'")
    format: Literal["auto", "csv", "xlsx", "jsonl"] = Field(
        "auto", description="auto: by extension (.csv, .xlsx, .jsonl/.ndjson)")
    encoding: str = Field("auto", description="CSV text encoding; auto detects it (UTF-8, GBK/GB18030, …)")
    delimiter: str = Field(",", min_length=1, max_length=1)
    sheet: str | None = Field(None, description="xlsx: the sheet read (default: the first)")
    required: list[str] = Field(default_factory=list,
                                description="columns that must be filled; a row without one goes to error/")
    settle: Seconds = Field(DEFAULT_SETTLE_S, description="a file is read only once unchanged this long, so a "
                                                          "half-written file is never read")


Source = Annotated[HttpSource | DatabaseSource | FileSource, Field(discriminator="kind")]


def expand(value: str, environ: dict[str, str]) -> str:
    """``${NAME}`` (or ``${NAME:-default}``) references replaced from ``environ``; a missing one
    without a default is a ValueError naming it."""
    def one(m: re.Match[str]) -> str:
        if environ.get(m.group(1)):
            return environ[m.group(1)]
        if m.group(2) is not None:
            return m.group(2)
        raise ValueError(f"{m.group(1)} is not set")
    return ENV_REFERENCE.sub(one, value)


class TableWrite(_Model):
    """An operation that inserts (or upserts) the mapping's row(s) into a table instead of calling HTTP."""

    kind: Literal["table"]
    url: str = Field(description="SQLAlchemy URL, normally from the environment: '${HUB_ERP_DB_URL}'")
    table: str = Field(description="the table written, e.g. payments_in (columns are the mapping's keys)")
    key: str | None = Field(
        None, description="column given the delivery id: a delivery whose row is already there is not written "
                          "again (give it a unique index)")
    mode: Literal["insert", "upsert"] = "insert"
    unique: list[str] = Field(default_factory=list,
                              description="with mode upsert: the columns of the unique key a row is matched on")

    @model_validator(mode="after")
    def _upsert_names_its_key(self) -> TableWrite:
        if self.mode == "upsert" and not self.unique:
            raise ValueError("mode upsert needs `unique`: the columns of the unique key rows are matched on")
        if self.mode == "insert" and self.key is None:
            raise ValueError("mode insert needs `key`: the column given the delivery id, so a retried delivery "
                             "is not inserted twice")
        return self


class FileWrite(_Model):
    """An operation that writes the mapping's result as a file in a folder instead of calling HTTP."""

    kind: Literal["file"]
    folder: str = Field(description="folder written to, relative to the config folder or absolute; may be '${NAME}'")
    name: str = Field("{delivery_id}.json",
                      description="file name; each {…} is JSONata on {delivery_id, data}; keep the delivery id in "
                                  "it, so a retried delivery finds its file and does not write another")
    format: Literal["json", "csv"] = "json"
    encoding: str = Field("utf-8", description="e.g. gb18030 for a system that reads GBK files")


Write = Annotated[TableWrite | FileWrite, Field(discriminator="kind")]
