"""Files into records: CSV (any encoding, GBK/GB18030 included), xlsx and JSON Lines.

Each row is either a record (header → value) or a refusal with its row number and reason; one bad
row never stops the others. A file that cannot be read at all raises :class:`UnreadableFile`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from hub import safejson
from hub.errors import BadPayload, UnsafeJson

CJK = re.compile("[\u4e00-\u9fff]")
CHINESE_CODECS = {"gb2312", "gbk", "gb18030", "hz", "big5"}
"""Detected as one of these, a file is decoded as GB18030 (a superset of GB2312 and GBK); Big5 stays Big5."""


class UnreadableFile(Exception):
    """The whole file is refused (not decodable, no header, not a workbook): it goes to error/."""


@dataclass(frozen=True)
class Row:
    row: int
    """Line number in a CSV or JSON Lines file (the header is line 1 of a CSV), row number in a sheet."""
    record: dict[str, Any] | None = None
    error: str | None = None


def format_of(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise UnreadableFile(f"unknown file type {suffix or '(none)'!r}: expected .csv, .xlsx, .jsonl or .ndjson, "
                         "or set poll.format")


def read_rows(path: Path, *, fmt: str, encoding: str = "auto", delimiter: str = ",", sheet: str | None = None,
              required: tuple[str, ...] = ()) -> list[Row]:
    data = path.read_bytes()
    if fmt == "csv":
        rows = list(_csv(decode(data, encoding), delimiter))
    elif fmt == "xlsx":
        rows = list(_xlsx(data, sheet))
    else:
        rows = list(_jsonl(decode(data, "utf-8" if encoding == "auto" else encoding)))
    return [_checked(r, required) for r in rows]


def decode(data: bytes, encoding: str) -> str:
    """The file's text: in ``encoding``, or as detected (a UTF-8 byte-order mark is dropped)."""
    if encoding == "auto":
        if data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        else:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            chinese = _as_chinese(data)
            if chinese is not None:
                return chinese
            best = from_bytes(data).best()
            if best is None:
                raise UnreadableFile("the text encoding could not be recognised; set poll.encoding") from None
            encoding = best.encoding
    if encoding.lower().replace("-", "").replace("_", "") in CHINESE_CODECS - {"big5"}:
        encoding = "gb18030"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"not readable as {encoding}: {exc}") from None


def _as_chinese(data: bytes) -> str | None:
    """``data`` as GB18030 when it decodes strictly to text with Chinese characters in it.

    Tried before statistical detection, which takes a short GBK file (a header and a few lines) for
    Thai or Korean; a file of Chinese text that is not UTF-8 is GBK/GB18030 far more often than not.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if CJK.search(text) else None


def _csv(text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("the file is empty: a CSV needs a header row") from None
    except csv.Error as exc:
        raise UnreadableFile(f"the header row is not CSV: {exc}") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise UnreadableFile("the header row is empty")
    if len(set(header)) != len(header):
        raise UnreadableFile("the header row names a column twice")
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(line, error=f"not CSV: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield Row(line, error=f"{len(cells)} field(s) where the header has {len(header)}")
            continue
        yield Row(line, record=dict(zip(header, (c.strip() for c in cells), strict=True)))


def _xlsx(data: bytes, sheet: str | None) -> Iterator[Row]:
    from openpyxl import load_workbook  # only files of this kind need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken workbook
        raise UnreadableFile(f"not an xlsx workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableFile(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None or not any(v is not None for v in first):
            raise UnreadableFile("the sheet has no header row")
        header = [str(v).strip() if v is not None else "" for v in first]
        while header and not header[-1]:
            header.pop()
        for n, values in enumerate(rows, start=2):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            extra = [v for v in values[len(header):] if v is not None and str(v).strip()]
            if extra:
                yield Row(n, error=f"values beyond the last headed column ({len(header)})")
                continue
            record = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
            yield Row(n, record=record)
    finally:
        book.close()


def _cell(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _jsonl(text: str) -> Iterator[Row]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = safejson.loads(line, what="the line")
        except BadPayload as exc:  # UnsafeJson too
            yield Row(n, error=str(exc))
            continue
        if not isinstance(value, dict):
            yield Row(n, error="not a JSON object")
            continue
        yield Row(n, record=value)


def _checked(row: Row, required: tuple[str, ...]) -> Row:
    if row.record is None:
        return row
    for column in required:
        value = row.record.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return Row(row.row, error=f"column {column!r} is empty")
    try:
        safejson.check(row.record, what="the row")
    except UnsafeJson as exc:
        return Row(row.row, error=str(exc))
    return row


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
