"""Reading drop files: encodings detected (GBK/GB18030 included), rows counted as a person sees them,
and a bad row refused with its reason while the others are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.adapters.formats import UnreadableFile, decode, format_of, read_rows
from hub.adapters.watermarks import highest, since, typed


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_gbk_file_is_decoded_as_gb18030():
    text = "流水号,金额,付款方\nB-1,1280.50,上海明辉有限公司\nB-2,300,北京华远贸易\n"
    assert decode(text.encode("gbk"), "auto") == text
    assert decode(text.encode("gb18030"), "gbk") == text


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_header(tmp_path):
    path = write(tmp_path, "a.csv", "\ufeff编号,数量\nA,1\n".encode())
    assert read_rows(path, fmt="csv")[0].record == {"编号": "A", "数量": "1"}


def test_csv_rows_carry_their_line_number_and_a_short_row_is_refused(tmp_path):
    path = write(tmp_path, "a.csv", b'no,qty\nA,1\n\n"B\nsecond line",2\nC\nD,4\n')
    rows = read_rows(path, fmt="csv")
    assert [(r.row, r.record, r.error) for r in rows] == [
        (2, {"no": "A", "qty": "1"}, None),
        (4, {"no": "B\nsecond line", "qty": "2"}, None),
        (6, None, "1 field(s) where the header has 2"),
        (7, {"no": "D", "qty": "4"}, None)]


def test_a_required_column_left_empty_refuses_the_row(tmp_path):
    path = write(tmp_path, "a.csv", b"no,qty\nA,1\n ,2\n")
    rows = read_rows(path, fmt="csv", required=("no",))
    assert [(r.row, r.error) for r in rows] == [(2, None), (3, "column 'no' is empty")]


def test_a_nul_character_in_a_cell_refuses_that_row(tmp_path):
    path = write(tmp_path, "a.csv", b"no,qty\nA\x00,1\nB,2\n")
    rows = read_rows(path, fmt="csv")
    assert rows[0].error is not None and "NUL" in rows[0].error and rows[1].record == {"no": "B", "qty": "2"}


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"a,a\n1,2\n", "twice")])
def test_a_csv_without_a_usable_header_is_unreadable(tmp_path, data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        read_rows(write(tmp_path, "a.csv", data), fmt="csv")


def test_the_format_follows_the_extension_unless_declared():
    assert [format_of(Path(n), "auto") for n in ("a.CSV", "b.xlsx", "c.jsonl", "d.ndjson")] == [
        "csv", "xlsx", "jsonl", "jsonl"]
    assert format_of(Path("export.dat"), "csv") == "csv"
    with pytest.raises(UnreadableFile, match="unknown file type"):
        format_of(Path("export.dat"), "auto")


def test_the_highest_watermark_wins_by_its_type():
    mark = None
    for value in ("2026-12-04T08:00:00+08:00", "2026-12-04T01:00:00+00:00", "2026-12-03T23:00:00+00:00"):
        mark = highest(mark, value)
    assert mark == {"value": "2026-12-04T01:00:00+00:00", "type": "datetime"}   # 08:00+08 is 00:00 UTC
    assert highest(typed(9), 10) == {"value": 10, "type": "number"}
    assert highest(typed(10), 9) == {"value": 10, "type": "number"}
    assert highest(typed(10), None) == {"value": 10, "type": "number"}


def test_the_safety_lag_is_taken_off_a_timestamp_watermark_only():
    assert since(typed("2026-12-04T01:00:00+00:00"), 300) == "2026-12-04T00:55:00+00:00"
    assert since(typed(42), 300) == 42
    assert since(None, 300) is None


def test_a_short_gbk_statement_is_not_taken_for_thai():
    text = ("交易日期,流水号,付款人,付款账号,金额,币种,摘要\r\n"
            '2026/12/04,BK20261204-0001,客户 100002,6222020200000001,"7,345.00",CNY,货款 IV2612-00005\r\n')
    assert decode(text.encode("gbk"), "auto") == text
