"""The inbound stage: one native event, one canonical message — or several, with a splitter."""

from __future__ import annotations

import pytest

from hub.errors import SchemaError
from hub.mapping.functions import fixture_xref, hub_functions
from hub.pipeline.inbound import read_native


def fns(registry):
    return hub_functions(source="shop", target="canonical", xref=fixture_xref({}), codes=registry.mappings.codes)


def test_an_event_without_split_gives_one_message_with_its_keys(registry):
    reading = read_native(registry, "shop", {"type": "doc.created", "no": "D-1", "lines": []}, functions=fns(registry))
    assert [p.data for p in reading.parts] == [{"doc_no": "D-1", "lines": []}]
    assert reading.parts[0].keys == ["doc:D-1"]


def test_a_split_event_gives_one_message_per_element_in_order_each_with_its_own_keys(registry):
    body = {"type": "docs.batch", "docs": [{"no": "D-1"}, {"no": "D-2"}, {"no": "D-3"}]}
    reading = read_native(registry, "shop", body, functions=fns(registry))
    assert [p.data["doc_no"] for p in reading.parts] == ["D-1", "D-2", "D-3"]
    assert [p.keys for p in reading.parts] == [["doc:D-1"], ["doc:D-2"], ["doc:D-3"]]


def test_a_split_of_one_element_gives_one_message(registry):
    reading = read_native(registry, "shop", {"type": "docs.batch", "docs": [{"no": "D-9"}]}, functions=fns(registry))
    assert [p.data["doc_no"] for p in reading.parts] == ["D-9"]


def test_a_split_of_nothing_gives_no_message(registry):
    assert read_native(registry, "shop", {"type": "docs.batch", "docs": []}, functions=fns(registry)).parts == []


def test_an_invalid_element_of_a_split_is_named_by_its_position(registry):
    body = {"type": "docs.batch", "docs": [{"no": "D-1"}, {"no": 7}]}
    with pytest.raises(SchemaError) as err:
        read_native(registry, "shop", body, functions=fns(registry))
    assert err.value.path.startswith("/1/doc_no")
