"""Mapping names can only name mapping files inside the mappings folder."""

from __future__ import annotations

import pytest

from hub.errors import ConfigError
from hub.mapping import MappingLibrary
from hub.mapping.engine import make_engine
from hub.mapping.library import is_mapping_name
from hub.settings import REPO_ROOT


@pytest.mark.parametrize("name", ["crm/sales_order_placed.jsonata", "a.jsonata", "x/y/z.jsonata"])
def test_a_relative_jsonata_path_is_a_mapping_name(name):
    assert is_mapping_name(name)


@pytest.mark.parametrize("name", ["/etc/passwd", "/etc/x.jsonata", "../../etc/passwd.jsonata",
                                  "crm/../../secrets.jsonata", "crm/x.yaml", "", "a\\..\\b.jsonata",
                                  "a\x00.jsonata", "/proc/self/environ"])
def test_absolute_paths_dot_dot_and_other_suffixes_are_not(name):
    assert not is_mapping_name(name)


def test_the_library_never_reads_outside_its_folder(tmp_path):
    (tmp_path / "mappings").mkdir()
    (tmp_path / "secret.jsonata").write_text('"the secret"', encoding="utf-8")
    library = MappingLibrary(tmp_path / "mappings", make_engine("jlens"))
    assert not library.exists("../secret.jsonata")
    assert not library.exists(str(tmp_path / "secret.jsonata"))
    with pytest.raises(ConfigError, match="not a mapping name"):
        library.get("../secret.jsonata")


def test_the_shipped_mappings_are_all_valid_names():
    library = MappingLibrary(REPO_ROOT / "mappings", make_engine("jlens"))
    assert library.names() and all(is_mapping_name(n) and library.exists(n) for n in library.names())
