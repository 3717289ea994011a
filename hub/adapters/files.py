"""File drop: each settled file in the folder is parsed into records, then moved to ``done/`` or ``error/``.

A record is stored as an inbound message with ``{"file": …, "row": …}`` as its headers (the mapping
reads them as ``$headers``). Its key is the poll's ``key`` (e.g. a bank transaction number) or, by
default, the file's SHA-256 and the row, so a file read again after a crash — or dropped twice —
stores nothing twice. A half-written file is never read: names starting with ``.`` or ``~$`` or
ending in ``.part``/``.tmp`` are skipped, and a file is taken only once unchanged for ``settle``.
A bad row is listed in ``error/<file>.rejected.json`` with its row number and reason while the
others go on; a file that cannot be read at all moves to ``error/`` with ``<file>.report.json``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.adapters.formats import Row, UnreadableFile, dumps, format_of, read_rows
from hub.adapters.runner import Context
from hub.connectors.sources import DEFAULT_BATCH, FileSource, expand
from hub.errors import MappingError
from hub.ingest import Record

PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".swp")
DONE, ERROR = "done", "error"


def folder_of(source: FileSource, ctx: Context) -> Path:
    folder = Path(expand(source.folder, dict(ctx.environ)))
    return folder if folder.is_absolute() else ctx.config_dir / folder


def settled(folder: Path, pattern: str, settle_s: float) -> list[Path]:
    """Files ready to read, oldest first: matching, not partial by name, untouched for ``settle_s``."""
    now = time.time()
    ready = []
    for path in folder.iterdir():
        name = path.name
        if (not path.is_file() or name.startswith((".", "~$")) or name.lower().endswith(PARTIAL_SUFFIXES)
                or not fnmatch.fnmatch(name, pattern)):
            continue
        stat = path.stat()
        if now - stat.st_mtime >= settle_s:
            ready.append((stat.st_mtime, name, path))
    return [p for _, _, p in sorted(ready)]


class FileDrop:
    def run(self, ctx: Context) -> int:
        source = ctx.source.declared
        assert isinstance(source, FileSource)
        folder = folder_of(source, ctx)
        for sub in (folder, folder / DONE, folder / ERROR):
            sub.mkdir(parents=True, exist_ok=True)
        stored = 0
        for path in settled(folder, source.pattern, source.settle):
            stored += self._one(ctx, source, folder, path)
            ctx.heartbeat()
        return stored

    def _one(self, ctx: Context, source: FileSource, folder: Path, path: Path) -> int:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        report: dict[str, Any] = {"file": path.name, "sha256": digest,
                                  "read_at": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            rows = read_rows(path, fmt=format_of(path, source.format), encoding=source.encoding,
                             delimiter=source.delimiter, sheet=source.sheet, required=tuple(source.required))
        except UnreadableFile as exc:
            report.update(outcome="error", reason=str(exc))
            _move(path, folder / ERROR, report)
            return 0
        records, rejected = [], []
        for row in rows:
            record, reason = self._record(ctx, path.name, digest, row)
            if record is None:
                rejected.append({"row": row.row, "reason": reason})
            else:
                records.append(record)
        stored = duplicates = 0
        for i in range(0, len(records), DEFAULT_BATCH):
            staged = ctx.store(records[i:i + DEFAULT_BATCH], None)
            stored, duplicates = stored + len(staged.ids), duplicates + staged.duplicates
            ctx.heartbeat()
        report.update(outcome="done", rows=len(rows), stored=stored, duplicates=duplicates,
                      rejected=len(rejected))
        if rejected:
            (folder / ERROR / f"{path.name}.rejected.json").write_text(
                dumps({"file": path.name, "rows": rejected}), encoding="utf-8")
        _move(path, folder / DONE, report)
        return stored

    def _record(self, ctx: Context, name: str, digest: str, row: Row) -> tuple[Record | None, str | None]:
        if row.record is None:
            return None, row.error
        key = f"{digest[:32]}:{row.row}"
        if ctx.source.key is not None:
            try:
                value = ctx.source.key.evaluate(row.record)
            except MappingError as exc:
                return None, f"key: {exc}"
            if value is None or value == "":
                return None, "the key is empty for this row"
            key = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return Record(key=f"file:{key}", body=row.record, native_type=ctx.source.declared.event,
                      headers={"file": name, "row": row.row}), None


def _move(path: Path, into: Path, report: dict[str, Any]) -> None:
    """Move the file (a free name: a second file of the same name gets a time suffix) and its report."""
    dest = into / path.name
    if dest.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        dest = into / f"{path.stem}.{stamp}{path.suffix}"
    report["moved_to"] = f"{into.name}/{dest.name}"
    (into / f"{dest.name}.report.json").write_text(dumps(report), encoding="utf-8")
    path.replace(dest)
