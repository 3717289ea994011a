"""``poll:`` in a connector file is validated at load like the rest: file, line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.mapping import make_engine
from hub.registry import load_registry
from tests.support.poll_config import write_config


def load(tmp_path: Path, poll: str):
    return load_registry(write_config(tmp_path / "config", poll), make_engine("jlens"))


def error(tmp_path: Path, poll: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, poll)
    return caught.value


def test_each_kind_loads_with_its_expressions_compiled(tmp_path):
    registry = load(tmp_path, """
        kind: http
        path: /api/movements
        query: {since: '{watermark}', size: '100'}
        records: items
        key: id
        watermark: moved_at
        start: '2026-01-01T00:00:00+00:00'
        paginate: {style: cursor, next: next_cursor}
        """)
    poll = registry.compiled["bank"].poll
    assert poll is not None and poll.declared.kind == "http" and set(poll.query) == {"since", "size"}
    assert poll.query["since"].text({"watermark": "2026-01-01"}) == "2026-01-01"


def test_a_polled_event_that_is_not_declared_is_refused_with_its_line(tmp_path):
    exc = error(tmp_path, "kind: files\nfolder: drop\nevent: statement.lines\n")
    assert "poll.event 'statement.lines' is not one of inbound.events" in str(exc)
    assert exc.file is not None and exc.file.endswith("bank.yaml") and exc.line == 15


def test_an_unknown_kind_is_refused(tmp_path):
    exc = error(tmp_path, "kind: ftp\nfolder: drop\n")
    assert "poll" in str(exc) and "ftp" in str(exc)


def test_a_misspelt_key_gets_a_suggestion_and_its_line(tmp_path):
    exc = error(tmp_path, "kind: files\nfolder: drop\nsetle: 5s\n")
    assert "unknown key 'setle'" in str(exc) and "did you mean 'settle'" in str(exc)
    assert exc.line == 15


def test_a_cursor_without_next_and_bad_jsonata_are_refused_with_their_place(tmp_path):
    assert "style cursor needs `next`" in str(error(tmp_path, """
        kind: http
        path: /x
        key: id
        paginate: {style: cursor}
        """))
    assert "poll.key: invalid JSONata" in str(error(tmp_path / "b", "kind: http\npath: /x\nkey: 'id &'\n"))


def test_a_database_query_reading_the_watermark_needs_its_start(tmp_path):
    exc = error(tmp_path, """
        kind: database
        url: ${HUB_MES_DB_URL}
        sql: SELECT * FROM work_orders WHERE id > :watermark ORDER BY id
        key: id
        """)
    assert "`start`" in str(exc)


def test_environment_references_take_a_default_and_name_what_is_missing():
    from hub.connectors.sources import expand

    assert expand("${HUB_BANK_DROP:-.hub/drop/bank}", {}) == ".hub/drop/bank"
    assert expand("${HUB_BANK_DROP:-.hub/drop/bank}", {"HUB_BANK_DROP": "/srv/bank"}) == "/srv/bank"
    assert expand("Bearer ${HUB_TOKEN_WMS}", {"HUB_TOKEN_WMS": "t"}) == "Bearer t"
    with pytest.raises(ValueError, match="HUB_TOKEN_WMS is not set"):
        expand("Bearer ${HUB_TOKEN_WMS}", {})


def test_a_system_the_hub_only_reads_files_of_needs_no_allowed_base_url(tmp_path):
    from hub.connectors.allow import check_registry
    from hub.settings import load_settings

    registry = load(tmp_path, "kind: files\nfolder: drop\n")
    settings = load_settings(config_dir=tmp_path / "config", outbound_allow="10.0.0.0/8", env="development")
    check_registry(settings, {"bank": registry.connectors["bank"]})   # never called: not checked
    with pytest.raises(ConfigError, match="does not allow"):
        check_registry(settings, registry.connectors)                 # the ledger is called: checked
