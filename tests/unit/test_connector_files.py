"""Connector files are validated at load; errors name the file, the line and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hub.connectors.loader import load_connector
from hub.errors import ConfigError
from hub.mapping import make_engine
from hub.registry import load_registry
from tests.conftest import QUICKSTART

LEDGER = QUICKSTART / "connectors" / "ledger.yaml"


def write(tmp_path: Path, text: str, name: str = "ledger.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_quickstart_connectors_load():
    f = load_connector(LEDGER)
    assert f.connector.operations["book_order"].method == "PUT"
    assert f.connector.retry.schedule == [5, 15, 30]  # dead within about a minute: the quickstart's tour


def test_an_unknown_key_is_refused_with_its_line_and_a_hint(tmp_path):
    text = LEDGER.read_text(encoding="utf-8").replace("timeout: 5s", "timout: 5s")
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, text))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("timout"))
    assert f"ledger.yaml:{line}:" in str(err.value)
    assert "unknown key 'timout'" in str(err.value) and "did you mean 'timeout'" in str(err.value)


def test_a_bad_duration_names_the_key_and_gives_examples(tmp_path):
    text = LEDGER.read_text(encoding="utf-8").replace("schedule: [5s, 15s", "schedule: [soon, 15s")
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, text))
    assert "retry.schedule.0" in str(err.value) and "'5s'" in str(err.value)


def test_a_subscription_to_an_undefined_operation_is_refused(tmp_path):
    text = LEDGER.read_text(encoding="utf-8").replace("operation: book_order", "operation: book_it")
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, text))
    assert "'book_it'" in str(err.value) and "book_order" in str(err.value)


def test_the_name_must_match_the_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, LEDGER.read_text(encoding="utf-8"), name="books.yaml"))
    assert "must match the file name 'books'" in str(err.value)


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, "name: ledger\ntitle: [unclosed\n"))
    assert "ledger.yaml:" in str(err.value) and "invalid YAML" in str(err.value)


def test_the_registry_refuses_a_missing_mapping_file_naming_the_connector_line(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    path = config / "connectors" / "ledger.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ledger/book_order.jsonata", "ledger/nope.jsonata"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_registry(config, make_engine("jlens"))
    assert "ledger.yaml:" in str(err.value) and "'ledger/nope.jsonata' does not exist" in str(err.value)


def test_the_registry_refuses_an_unknown_canonical_type(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    path = config / "connectors" / "webshop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("canonical: sales_order.placed",
                                                             "canonical: sales_order.teleported"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_registry(config, make_engine("jlens"))
    assert "unknown canonical type 'sales_order.teleported'" in str(err.value)


def test_a_filter_that_is_not_jsonata_is_refused_at_load(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    path = config / "connectors" / "ledger.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("filter: data.total > 0", "filter: data.total >"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_registry(config, make_engine("jlens"))
    assert "subscriptions.0.filter: invalid JSONata" in str(err.value)


RULES = """    responses:
      - status: [422]
        when: body.error.code = "insufficient_stock"
        outcome: {outcome}
        schedule: [2s, 5s]
"""


def with_rules(outcome: str) -> str:
    text = LEDGER.read_text(encoding="utf-8")
    return text.replace("    mapping: ledger/book_order.jsonata\n",
                        "    mapping: ledger/book_order.jsonata\n" + RULES.format(outcome=outcome), 1)


def test_response_rules_load_with_their_own_schedule(tmp_path):
    op = load_connector(write(tmp_path, with_rules("retry"))).connector.operations["book_order"]
    assert [(r.status, r.outcome, r.schedule) for r in op.responses] == [([422], "retry", [2.0, 5.0])]


def test_a_schedule_on_a_rule_that_does_not_retry_is_refused(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, with_rules("rejected")))
    assert "`schedule` applies only to `outcome: retry`" in str(err.value)


def test_an_unknown_outcome_names_the_choices(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, with_rules("later")))
    assert "responses.0.outcome" in str(err.value) and "'retry'" in str(err.value)


def test_a_rule_condition_that_is_not_jsonata_is_refused_at_load(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    (config / "connectors" / "ledger.yaml").write_text(
        with_rules("retry").replace('when: body.error.code = "insufficient_stock"', "when: body.error.code ="),
        encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_registry(config, make_engine("jlens"))
    assert "operations.book_order.responses.0.when: invalid JSONata" in str(err.value)


@pytest.mark.parametrize("name", ["erp", "oa"])
def test_the_erp_and_oa_describe_themselves_shortly_in_both_languages_and_as_they_behave_today(name):
    import re

    from hub.settings import REPO_ROOT

    description = load_connector(REPO_ROOT / "connectors" / f"{name}.yaml").connector.description
    assert len(description) <= 200
    assert re.search(r"[\u4e00-\u9fff]", description) and re.search(r"[A-Za-z]{4,}", description)
    assert "failed messages" not in description  # ignored events are 'ignored' now, by design


def test_records_without_split_is_refused_naming_the_file_and_the_events_line(tmp_path):
    webshop = QUICKSTART / "connectors" / "webshop.yaml"
    text = webshop.read_text(encoding="utf-8").replace(
        "      mapping: webshop/order_created.jsonata\n",
        "      mapping: webshop/order_created.jsonata\n      records: order.lines\n", 1)
    with pytest.raises(ConfigError) as err:
        load_connector(write(tmp_path, text, name="webshop.yaml"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip() == "order.created:")
    assert f"webshop.yaml:{line}:" in str(err.value)
    assert "`records` applies only to a split event: add `split: true`" in str(err.value)


def test_records_that_are_not_jsonata_are_refused_at_load(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(QUICKSTART, config)
    path = config / "connectors" / "webshop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      mapping: webshop/order_created.jsonata\n",
        "      mapping: webshop/order_created.jsonata\n      split: true\n      records: order.lines[\n", 1),
        encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_registry(config, make_engine("jlens"))
    assert "inbound.events.order.created.records: invalid JSONata" in str(err.value)
