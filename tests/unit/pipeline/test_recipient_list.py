"""A recipient list computed from content: a subscription whose operations a JSONata expression names."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigError, MappingError
from hub.mapping import make_engine
from hub.pipeline.routing import targets
from hub.registry import load_registry
from tests.support.pipeline_config import write_config

SUBSCRIPTIONS = """subscriptions:
  - {type: doc.created, operation: book_line}
  - {type: doc.created, operation: book, filter: $count(data.lines) = 0}
"""
COMPUTED = """  alert:
    path: /alerts/{data.doc_no}
subscriptions:
  - type: doc.created
    recipients: '$contains(data.doc_no, "RUSH") ? ["alert", "book", "alert"] : $contains(data.doc_no, "X") ? [] : "book"'
"""


def with_ledger(tmp_path: Path, replacement: str):
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8")
    assert SUBSCRIPTIONS in text
    ledger.write_text(text.replace(SUBSCRIPTIONS, replacement), encoding="utf-8")
    return load_registry(config, make_engine("jlens"))


def routed(registry, doc_no: str) -> list[str]:
    env = {"type": "doc.created", "source": "/connectors/shop", "data": {"doc_no": doc_no, "lines": []}}
    return [t.operation_name for t in targets(registry, env, origin="shop")]


def test_the_operations_the_expression_names_each_get_one_delivery_in_order(tmp_path):
    registry = with_ledger(tmp_path, COMPUTED)
    assert routed(registry, "RUSH-1") == ["alert", "book"]
    assert routed(registry, "D-1") == ["book"]


def test_an_expression_that_names_nothing_makes_no_delivery(tmp_path):
    assert routed(with_ledger(tmp_path, COMPUTED), "X-1") == []


def test_a_name_that_is_not_an_operation_is_a_mapping_error_naming_the_known_ones(tmp_path):
    registry = with_ledger(tmp_path, COMPUTED.replace('"alert", "book", "alert"', '"alarm"'))
    with pytest.raises(MappingError, match=r"recipients of ledger .*'alarm' is not an operation of ledger "
                                           r"\(operations: alert, book, book_line\)"):
        routed(registry, "RUSH-2")


def test_a_subscription_names_its_operation_or_computes_it_never_both(tmp_path):
    with pytest.raises(ConfigError, match="ledger.yaml:\\d+: .*one of the two"):
        with_ledger(tmp_path, COMPUTED.replace("    recipients:", "    operation: book\n    recipients:"))


def test_an_invalid_recipients_expression_is_refused_at_load_with_its_place(tmp_path):
    with pytest.raises(ConfigError, match=r"subscriptions\.0\.recipients: invalid JSONata"):
        with_ledger(tmp_path, COMPUTED.replace("$contains(data.doc_no", "$contains((data.doc_no"))
