"""A small configuration for message-path tests: a sender with a split event, a target with `each`,
`responses` rules and a plain operation. Written into a folder per test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.settings import REPO_ROOT

SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
          "required": ["doc_no"], "properties": {"doc_no": {"type": "string"}, "lines": {"type": "array"}},
          "x-subject": "doc_no"}

SENDER = """
name: shop
title: Shop
base_url: http://127.0.0.1:9
inbound:
  event_type: type
  events:
    doc.created:
      canonical: doc.created
      mapping: shop/doc.jsonata
      correlate: ['"doc:" & data.doc_no']
    docs.batch:
      canonical: doc.created
      mapping: shop/docs.jsonata
      split: true
      correlate: ['"doc:" & data.doc_no']
    docs.records:
      canonical: doc.created
      mapping: shop/doc_record.jsonata
      split: true
      records: docs
      correlate: ['"doc:" & data.doc_no']
"""

DOC_RECORD = 'no != "SKIP" ? {"doc_no": no = "BOOM" ? $error("cannot read document " & no) : no, "lines": lines}'
"""docs.records maps each document alone (``records: docs``); it throws for the document numbered BOOM and
gives nothing for one numbered SKIP."""

TARGET = """
name: ledger
title: Ledger
base_url: http://127.0.0.1:9
operations:
  book_line:
    method: POST
    path: /docs/{data.doc_no}/lines/{$item.no}
    mapping: ledger/line.jsonata
    each: data.lines[qty > 0]
    responses:
      - status: [422]
        when: body.error.code = "insufficient_stock"
        outcome: retry
        schedule: [1s, 2s]
      - status: [404]
        outcome: retry
  book:
    path: /docs/{data.doc_no}
subscriptions:
  - {type: doc.created, operation: book_line}
  - {type: doc.created, operation: book, filter: $count(data.lines) = 0}
"""




def write_config(folder: Path) -> Path:
    (folder / "connectors").mkdir(parents=True)
    (folder / "connectors" / "shop.yaml").write_text(SENDER, encoding="utf-8")
    (folder / "connectors" / "ledger.yaml").write_text(TARGET, encoding="utf-8")
    maps = folder / "mappings"
    (maps / "canonical").mkdir(parents=True)
    (maps / "canonical" / "doc.created.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (maps / "shop").mkdir()
    (maps / "shop" / "doc.jsonata").write_text('{"doc_no": no, "lines": lines}', encoding="utf-8")
    (maps / "shop" / "docs.jsonata").write_text('[docs.{"doc_no": no, "lines": lines}]', encoding="utf-8")
    (maps / "shop" / "doc_record.jsonata").write_text(DOC_RECORD, encoding="utf-8")
    (maps / "ledger").mkdir()
    (maps / "ledger" / "line.jsonata").write_text('{"line": $item.no, "qty": $item.qty, "pos": $index}',
                                                  encoding="utf-8")
    shutil.copytree(REPO_ROOT / "mappings" / "codemaps", maps / "codemaps")
    return folder
