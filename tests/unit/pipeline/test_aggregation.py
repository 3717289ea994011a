"""Aggregations declared in a connector file: validated at load with their place, keyed and completed purely."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.mapping import make_engine
from hub.pipeline.aggregation import completed, gatherings
from hub.registry import load_registry
from tests.support.aggregation_config import COUNT_OR_LAST, write_aggregation_config


def registry(tmp_path: Path, completion: str = COUNT_OR_LAST, **replace: str):
    config = write_aggregation_config(tmp_path / "config", completion)
    shop = config / "connectors" / "shop.yaml"
    text = shop.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    shop.write_text(text, encoding="utf-8")
    return load_registry(config, make_engine("jlens"))


def env(no: str) -> dict:
    return {"id": f"c-{no}", "type": "doc.created", "data": {"doc_no": no, "lines": []}}


def test_a_document_is_gathered_under_its_batch_and_one_without_a_batch_is_not(tmp_path):
    r = registry(tmp_path)
    assert [(g.aggregation.name, g.key) for g in gatherings(r, env("B1-7"))] == [("batch", "B1")]
    assert gatherings(r, env("LOOSE")) == []


def test_count_completes_and_the_predicate_completes_earlier(tmp_path):
    agg = registry(tmp_path).aggregations_for("doc.created")[0]
    docs = [{"doc_no": "B-1"}, {"doc_no": "B-2"}]
    assert completed(agg, "B", docs) is None
    assert completed(agg, "B", [*docs, {"doc_no": "B-3"}]) == "count"
    assert completed(agg, "B", [{"doc_no": "B-LAST"}]) == "when"


def test_a_completion_without_any_condition_is_refused_with_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"shop\.yaml:\d+: .*at least one of `count`, `when` or `timeout`"):
        registry(tmp_path, completion="      {}")


def test_an_aggregation_of_an_unknown_type_is_refused_at_load(tmp_path):
    with pytest.raises(ConfigError, match=r"shop\.yaml:\d+: unknown canonical type 'doc.nothing'"):
        registry(tmp_path, **{"gather: doc.created": "gather: doc.nothing"})


def test_an_invalid_key_expression_is_refused_at_load_with_its_place(tmp_path):
    with pytest.raises(ConfigError, match=r"aggregations\.batch\.by: invalid JSONata"):
        registry(tmp_path, **{"by: $substringBefore(": "by: $substringBefore(("})
