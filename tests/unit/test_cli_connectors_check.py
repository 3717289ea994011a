"""`hub connectors check` in an 80-column or piped terminal: nothing cut off, and a one-line verdict."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from hub.cli import app
from hub.mapping import make_engine
from hub.registry import load_registry
from hub.settings import REPO_ROOT


def check(monkeypatch, config_dir) -> object:
    monkeypatch.setenv("HUB_CONFIG_DIR", str(config_dir))
    return CliRunner().invoke(app, ["connectors", "check"], terminal_width=80)


def test_at_80_columns_every_operation_is_printed_whole_and_the_last_line_is_the_verdict(monkeypatch):
    result = check(monkeypatch, REPO_ROOT)
    assert result.exit_code == 0, result.output
    registry = load_registry(REPO_ROOT, make_engine("jlens"))
    mappings = registry.check_mappings_compile()
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1] == (f"ok: {len(registry.connectors)} connectors, {len(mappings)} mappings, "
                         f"{len(registry.catalog.names())} types")
    assert "…" not in result.output and "│" not in result.output  # no table squeezed into 80 columns
    for name, c in registry.connectors.items():
        assert any(line.startswith(f"{name}  ") for line in lines)
        for op_name, op in c.operations.items():
            assert f"  op   {op_name}: {op.method} {op.path}" in lines

def test_a_broken_connector_file_prints_the_error_and_exits_non_zero(monkeypatch, tmp_path):
    shutil.copytree(REPO_ROOT / "examples" / "quickstart", tmp_path / "config")
    ledger = tmp_path / "config" / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("timeout:", "timout:"), encoding="utf-8")
    result = check(monkeypatch, tmp_path / "config")
    assert result.exit_code == 1
    assert "timout" in result.output and "ok:" not in result.output


def test_a_computed_recipient_list_is_printed_as_its_expression_and_a_wire_tap_says_so(monkeypatch, tmp_path):
    from tests.support.pipeline_config import write_config

    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(
        "  - {type: doc.created, operation: book, filter: $count(data.lines) = 0}\n",
        "  - {type: doc.created, recipients: 'data.rush ? \"book\" : []'}\n"
        "  - {type: doc.created, operation: book, wire_tap: true}\n"), encoding="utf-8")
    result = check(monkeypatch, config)
    assert result.exit_code == 0, result.output
    assert "  sub  doc.created → recipients: data.rush ? \"book\" : []" in result.output
    assert "  sub  doc.created → book (wire tap)" in result.output
    assert "None" not in result.output
