"""The README's adapter examples are valid connector keys: each `poll:` and `write:` example validates,
and an example quoting a company connector file says what that file says."""

from __future__ import annotations

import re

import yaml
from pydantic import TypeAdapter

from hub.connectors.models import Operation
from hub.connectors.sources import Source
from hub.settings import REPO_ROOT

SECTION = "### Systems that cannot call webhooks"


QUOTED = re.compile(r"# (connectors/[a-z]+\.yaml) \(part\)")


def raw_blocks() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ")] if "\n## " in section else section
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.S)


def blocks() -> list[dict]:
    return [yaml.safe_load(b) for b in raw_blocks()]


def test_each_kind_has_an_example_that_validates():
    found = blocks()
    polls = [TypeAdapter(Source).validate_python(b["poll"]) for b in found if "poll" in b]
    assert sorted(p.kind for p in polls) == ["database", "files", "http"]
    writes = [Operation.model_validate(op) for b in found for op in b.get("operations", {}).values()]
    assert sorted(w.write.kind for w in writes if w.write) == ["file", "table"]


def test_the_quoted_company_connectors_poll_as_the_readme_says():
    quoted = {m.group(1): yaml.safe_load(b) for b in raw_blocks() if (m := QUOTED.match(b))}
    assert set(quoted) == {"connectors/wms.yaml", "connectors/mes.yaml", "connectors/bank.yaml"}
    for path, example in quoted.items():
        actual = yaml.safe_load((REPO_ROOT / path).read_text(encoding="utf-8"))
        shortened = {"sql"} if path == "connectors/mes.yaml" else set()   # the README selects fewer columns
        assert {k: v for k, v in example["poll"].items() if k not in shortened} == \
               {k: v for k, v in actual["poll"].items() if k not in shortened}, path
        for event, declared in example["inbound"]["events"].items():
            assert declared["mapping"] == actual["inbound"]["events"][event]["mapping"], (path, event)
