"""The inbound stage: one native event, one canonical message — or several, with a splitter."""

from __future__ import annotations

import pytest

from hub.errors import SchemaError
from hub.mapping.functions import fixture_xref, hub_functions
from hub.pipeline.inbound import read_again, read_native


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


def test_an_invalid_element_of_a_split_fails_alone_named_by_its_position(registry):
    body = {"type": "docs.batch", "docs": [{"no": "D-1"}, {"no": 7}, {"no": "D-3"}]}
    reading = read_native(registry, "shop", body, functions=fns(registry))
    assert [(p.index, p.data["doc_no"]) for p in reading.parts] == [(0, "D-1"), (2, "D-3")]
    [failed] = reading.failed
    assert failed.index == 1 and failed.record == {"doc_no": 7}
    assert isinstance(failed.error, SchemaError) and failed.error.path.startswith("/doc_no")


def test_an_invalid_event_that_is_not_split_fails_whole(registry):
    with pytest.raises(SchemaError):
        read_native(registry, "shop", {"type": "doc.created", "no": 7}, functions=fns(registry))


def test_with_records_each_record_is_mapped_alone_and_one_that_throws_fails_alone(registry):
    body = {"type": "docs.records", "docs": [{"no": "D-1"}, {"no": "BOOM"}, {"no": "D-3"}]}
    reading = read_native(registry, "shop", body, functions=fns(registry))
    assert [(p.index, p.data["doc_no"], p.keys) for p in reading.parts] == [(0, "D-1", ["doc:D-1"]),
                                                                          (2, "D-3", ["doc:D-3"])]
    [failed] = reading.failed
    assert (failed.index, failed.record) == (1, {"no": "BOOM"})
    assert "cannot read document BOOM" in str(failed.error)


def test_a_record_mapping_reads_the_whole_body_as_native(registry, config):
    (config / "mappings" / "shop" / "doc_record.jsonata").write_text(
        '{"doc_no": $native.prefix & no, "lines": []}', encoding="utf-8")
    registry.mappings.reload()
    body = {"type": "docs.records", "prefix": "B7-", "docs": [{"no": "1"}, {"no": "2"}]}
    assert [p.data["doc_no"] for p in read_native(registry, "shop", body, functions=fns(registry)).parts] == [
        "B7-1", "B7-2"]


def test_one_record_is_read_again_alone_from_the_stored_record(registry):
    body = {"type": "docs.records", "docs": [{"no": "D-1"}, {"no": "BOOM"}]}
    again = read_again(registry, "shop", body, "docs.records", 1, {"no": "D-2"}, functions=fns(registry))
    assert [(p.index, p.data["doc_no"]) for p in again.parts] == [(1, "D-2")] and again.failed == []


def test_a_split_payload_read_again_past_the_end_of_the_batch_fails_with_the_count(registry):
    body = {"type": "docs.batch", "docs": [{"no": "D-1"}]}
    again = read_again(registry, "shop", body, "docs.batch", 3, {"doc_no": 7}, functions=fns(registry))
    assert again.parts == [] and "gives 1 payload(s): there is no payload [3]" in str(again.failed[0].error)
