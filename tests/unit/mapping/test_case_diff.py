"""A failed mapping case names each difference with its path, in the CLI and on the dashboard."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.mapping import MappingLibrary, make_engine
from hub.mapping.diff import differences
from tests.conftest import QUICKSTART

CASES = Path("mappings/ledger/book_order.tests.yaml")


def test_each_difference_has_its_path_and_both_sides():
    found = differences({"amount": 5160, "lines": [{"qty": 1}, {"qty": 2}], "currency": "CNY", "n": 1},
                        {"amount": "5160", "lines": [{"qty": 1}, {"qty": 3}, {"qty": 4}], "memo": "x", "n": 1.0})
    assert [d.describe() for d in found] == [
        'amount: expected 5160, got "5160"',
        'currency: missing (expected "CNY")',
        "lines[1].qty: expected 2, got 3",
        'lines[2]: unexpected {"qty": 4}',
        'memo: unexpected "x"',
    ]


def test_a_field_that_is_not_an_identifier_is_quoted_as_jsonata_quotes_it_and_the_root_is_dollar():
    assert differences({"order-no": 1}, {"order-no": 2})[0].path == "`order-no`"
    assert differences([1], {"a": 1})[0].path == "$"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The quickstart with one expected value of the ledger's case wrong."""
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config, symlinks=False)
    cases = config / CASES
    cases.write_text(cases.read_text(encoding="utf-8").replace("    amount: 5160", "    amount: 5170")
                     .replace("    line_count: 2\n", ""), encoding="utf-8")
    return config


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_the_librarys_result_carries_the_differences(broken, engine):
    library = MappingLibrary(broken / "mappings", make_engine(engine))
    [result] = library.run_cases(library.get("ledger/book_order.jsonata"))
    assert not result.passed
    assert [d.describe() for d in result.differences] == ["amount: expected 5170, got 5160", "line_count: unexpected 2"]


def test_hub_mappings_test_prints_each_difference_whole_in_80_columns(broken):
    result = CliRunner().invoke(app, ["mappings", "test", "--config-dir", str(broken)], terminal_width=80)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "FAIL ledger/book_order.jsonata · books the order total against the customer's receivable account (jlens)" \
        in lines
    assert lines.count("    amount: expected 5170, got 5160") == 2  # once per engine
    assert lines.count("    line_count: unexpected 2") == 2
    passed, total = map(int, lines[-1].removesuffix(" mapping cases passed").split(" of "))
    assert total - passed == 2
