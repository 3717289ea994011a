"""Entity files are validated like connector files: a mistake names the file, the line and a hint."""

from __future__ import annotations

import pytest

from hub.errors import ConfigError
from hub.masterdata.entities import load_entities, load_entity
from hub.settings import REPO_ROOT
from tests.unit.masterdata.conftest import MINIMAL, write_entity


def test_the_shipped_entities_load_and_each_canonical_type_names_one_entity():
    catalog = load_entities(REPO_ROOT / "mappings" / "masterdata")
    assert {"customer", "supplier", "item", "employee", "person"} <= set(catalog.entities)
    customer, contacts = catalog.by_type["party.customer.upserted"]
    assert customer[0].entity == "customer" and contacts[0].entity == "person" and contacts[1].each == "contacts"
    assert catalog.by_type["employee.onboarded"][0][1].id == "employee_id"


def test_a_new_entity_type_is_a_file_alone(tmp_path):
    write_entity(tmp_path)
    assert "thing" in load_entities(tmp_path).entities


def test_an_unknown_key_is_refused_with_file_line_and_the_nearest_known_key(tmp_path):
    path = write_entity(tmp_path, MINIMAL.replace("rules:", "blocking_keys: []\nrules:"))
    with pytest.raises(ConfigError) as exc:
        load_entity(path)
    line = MINIMAL.splitlines().index("rules:") + 1
    assert f"{path}:{line}:" in str(exc.value)
    assert "unknown key 'blocking_keys'" in str(exc.value) and "did you mean 'blocking'?" in str(exc.value)


def test_a_misspelt_nested_key_is_refused_at_its_line(tmp_path):
    path = write_entity(tmp_path, MINIMAL.replace("{method: exact, levels: [1.0]}", "{method: exact, level: [1.0]}"))
    with pytest.raises(ConfigError, match=r"thing\.yaml:\d+: unknown key 'level'.*did you mean 'levels'"):
        load_entity(path)


def test_an_unknown_normaliser_or_comparator_is_refused_with_a_hint(tmp_path):
    path = write_entity(tmp_path, MINIMAL.replace("normalise: phone", "normalise: phnoe"))
    with pytest.raises(ConfigError, match="unknown normaliser 'phnoe'.*did you mean 'phone'"):
        load_entity(path)
    path = write_entity(tmp_path, MINIMAL.replace("method: exact", "method: jaro"))
    with pytest.raises(ConfigError, match="unknown comparison method 'jaro'"):
        load_entity(path)


def test_a_comparison_or_blocking_key_on_an_undeclared_field_is_refused(tmp_path):
    path = write_entity(tmp_path, MINIMAL.replace("- {field: name, kind: prefix", "- {field: nmae, kind: prefix"))
    with pytest.raises(ConfigError, match="blocking\\[0\\] names field 'nmae'.*did you mean 'name'"):
        load_entity(path)


def test_thresholds_must_put_review_below_auto_merge(tmp_path):
    path = write_entity(tmp_path, MINIMAL + "thresholds: {auto_merge: 0.5, review: 0.9}\n")
    with pytest.raises(ConfigError, match="review must not be above auto_merge"):
        load_entity(path)


def test_the_entity_name_must_match_the_file_name(tmp_path):
    path = write_entity(tmp_path, MINIMAL, name="other")
    with pytest.raises(ConfigError, match="must match the file name 'other'"):
        load_entity(path)
