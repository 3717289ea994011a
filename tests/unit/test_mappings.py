"""Every mapping's test cases pass under both engines, and errors carry file and position."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import MappingError
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT
from tests.conftest import QUICKSTART

CONFIG_DIRS = [QUICKSTART, REPO_ROOT]
ENGINES = ["jlens", "jsonata-python"]


def all_cases():
    for config in CONFIG_DIRS:
        library = MappingLibrary(config / "mappings", make_engine("jlens"))
        for mapping in library.all():
            for case in mapping.cases:
                yield pytest.param(config, mapping.name, case.name,
                                   id=f"{config.name}/{mapping.name}::{case.name}")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("config", "mapping_name", "case_name"), list(all_cases()))
def test_mapping_case(engine: str, config: Path, mapping_name: str, case_name: str):
    library = MappingLibrary(config / "mappings", make_engine(engine))
    mapping = library.get(mapping_name)
    case = next(c for c in mapping.cases if c.name == case_name)
    result = library.run_case(mapping, case)
    assert result.passed, f"{result.error or ''}\nexpected {result.expected!r}\ngot      {result.actual!r}"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_syntax_error_names_the_file_and_position(engine: str):
    with pytest.raises(MappingError) as err:
        make_engine(engine).compile('{"a": b +* c}', file="crm/x.jsonata")
    assert err.value.file == "crm/x.jsonata" and err.value.position is not None
    assert str(err.value).startswith("crm/x.jsonata at position")


@pytest.mark.parametrize("engine", ENGINES)
def test_hub_functions_are_handed_in_and_their_errors_surface_as_mapping_errors(engine: str):
    compiled = make_engine(engine).compile('{"id": $xref("customer", c)}', file="m.jsonata")
    assert compiled.evaluate({"c": "1"}, None, {"xref": lambda e, v: f"{e}:{v}"}) == {"id": "customer:1"}

    def missing(e, v):
        raise MappingError(f"no id for {v}")
    with pytest.raises(MappingError, match="no id for 1"):
        compiled.evaluate({"c": "1"}, None, {"xref": missing})


def test_both_engines_give_the_same_output_for_every_case():
    for config in CONFIG_DIRS:
        fast = MappingLibrary(config / "mappings", make_engine("jlens"))
        slow = MappingLibrary(config / "mappings", make_engine("jsonata-python"))
        for m in fast.all():
            for case in m.cases:
                a, b = fast.run_case(m, case), slow.run_case(slow.get(m.name), case)
                assert (a.passed, a.actual) == (b.passed, b.actual), f"{m.name}::{case.name}"
