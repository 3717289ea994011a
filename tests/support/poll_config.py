"""A configuration for adapter tests: a polled (or file-drop) sender ``bank`` whose records become
``payment.received``, and a target ``ledger`` booking each one. Written into a folder per test."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

from hub.settings import REPO_ROOT

SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
          "required": ["doc_no", "amount"],
          "properties": {"doc_no": {"type": "string"}, "amount": {"type": "number"}, "payer": {"type": "string"},
                         "file": {"type": ["string", "null"]}, "row": {"type": ["integer", "null"]}},
          "x-subject": "doc_no"}

SENDER = """
name: bank
title: Bank
base_url: {base_url}
inbound:
  event_type: type
  events:
    statement.line:
      canonical: payment.received
      mapping: bank/payment.jsonata
      correlate: ['"payment:" & data.doc_no']
{poll}
"""

TARGET = """
name: ledger
title: Ledger
base_url: http://127.0.0.1:9
retry: {schedule: [0.3s, 0.3s], in_place_attempts: 1, jitter: 0}
operations:
  book:
    method: PUT
    path: /payments/{data.doc_no}
subscriptions:
  - {type: payment.received, operation: book}
"""

MAPPING = '{"doc_no": $string(流水号), "amount": $number(金额), "payer": 付款方, "file": $headers.file, ' \
          '"row": $headers.row}'


def write_config(folder: Path, poll: str, *, base_url: str = "http://127.0.0.1:9",
                 mapping: str = MAPPING) -> Path:
    """``poll`` is the connector's ``poll:`` block (YAML, unindented)."""
    (folder / "connectors").mkdir(parents=True, exist_ok=True)
    block = "poll:\n" + textwrap.indent(textwrap.dedent(poll).strip("\n"), "  ")
    (folder / "connectors" / "bank.yaml").write_text(SENDER.format(base_url=base_url, poll=block),
                                                     encoding="utf-8")
    (folder / "connectors" / "ledger.yaml").write_text(TARGET, encoding="utf-8")
    maps = folder / "mappings"
    (maps / "canonical").mkdir(parents=True, exist_ok=True)
    (maps / "canonical" / "payment.received.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (maps / "bank").mkdir(exist_ok=True)
    (maps / "bank" / "payment.jsonata").write_text(mapping, encoding="utf-8")
    if not (maps / "codemaps").exists():
        shutil.copytree(REPO_ROOT / "mappings" / "codemaps", maps / "codemaps")
    return folder
