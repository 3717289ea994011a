"""The README's adapter examples are valid connector keys: each `poll:` and `write:` example validates."""

from __future__ import annotations

import re

import yaml
from pydantic import TypeAdapter

from hub.connectors.models import Operation
from hub.connectors.sources import Source
from hub.settings import REPO_ROOT

SECTION = "### Systems that cannot call webhooks"


def blocks() -> list[dict]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ")] if "\n## " in section else section
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, flags=re.S)]


def test_each_kind_has_an_example_that_validates():
    found = blocks()
    polls = [TypeAdapter(Source).validate_python(b["poll"]) for b in found if "poll" in b]
    assert sorted(p.kind for p in polls) == ["database", "files", "http"]
    writes = [Operation.model_validate(op) for b in found for op in b.get("operations", {}).values()]
    assert sorted(w.write.kind for w in writes if w.write) == ["file", "table"]
