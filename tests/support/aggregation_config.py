"""The message-path configuration with an aggregator: the shop's documents gathered by batch (the part of
``doc_no`` before the dash) into one ``doc.batched`` message, which the ledger books."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.pipeline_config import write_config

BATCH_SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                "required": ["batch"], "x-subject": "batch",
                "properties": {"batch": {"type": "string"}, "docs": {"type": "array"},
                               "completion": {"type": "string"}}}

AGGREGATION = """aggregations:
  batch:
    gather: doc.created
    by: $substringBefore(data.doc_no, "-")
    filter: $contains(data.doc_no, "-")
    completion:
{completion}
    canonical: doc.batched
    mapping: shop/batched.jsonata
    correlate: ['"batch:" & data.batch']
"""
COUNT_OR_LAST = "      count: 3\n      when: '$count(messages[$contains(doc_no, \"LAST\")]) > 0'"


def write_aggregation_config(folder: Path, completion: str = COUNT_OR_LAST) -> Path:
    config = write_config(folder)
    shop = config / "connectors" / "shop.yaml"
    shop.write_text(shop.read_text(encoding="utf-8") + AGGREGATION.format(completion=completion), encoding="utf-8")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("subscriptions:\n", """  batched:
    path: /batches/{data.batch}
subscriptions:
  - {type: doc.batched, operation: batched}
"""), encoding="utf-8")
    maps = config / "mappings"
    (maps / "canonical" / "doc.batched.schema.json").write_text(json.dumps(BATCH_SCHEMA), encoding="utf-8")
    (maps / "shop" / "batched.jsonata").write_text(
        '{"batch": key, "docs": [messages.doc_no], "completion": completion}', encoding="utf-8")
    return config
