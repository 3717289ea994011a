"""Routing and the outbound stage: filters, one call per element (`each`), and how answers are classified."""

from __future__ import annotations

import pytest

from hub.errors import MappingError
from hub.mapping.functions import fixture_xref, hub_functions
from hub.pipeline.outbound import classify, outbound_call
from hub.pipeline.routing import targets


def envelope(lines):
    return {"type": "doc.created", "source": "/connectors/shop", "data": {"doc_no": "D-1", "lines": lines}}


def fns(registry):
    return hub_functions(source="shop", target="ledger", xref=fixture_xref({}), codes=registry.mappings.codes)


def test_an_each_operation_makes_one_delivery_per_element_it_selects(registry):
    env = envelope([{"no": 1, "qty": 2}, {"no": 2, "qty": 0}, {"no": 3, "qty": 5}])
    found = targets(registry, env, origin="shop", functions_for=lambda t: fns(registry))
    assert [(t.operation_name, t.element) for t in found] == [("book_line", 0), ("book_line", 1)]


def test_each_call_reads_its_element_as_item_in_the_mapping_and_the_path(registry):
    env = envelope([{"no": 1, "qty": 2}, {"no": 2, "qty": 0}, {"no": 3, "qty": 5}])
    op = registry.operation("ledger", "book_line")
    mapping = registry.mappings.get(op.mapping)
    calls = [outbound_call(op, env, fns(registry), mapping=mapping, element=i) for i in (0, 1)]
    assert [(c.path, c.body) for c in calls] == [
        ("/docs/D-1/lines/1", {"line": 1, "qty": 2, "pos": 0}),
        ("/docs/D-1/lines/3", {"line": 3, "qty": 5, "pos": 1})]


def test_a_seven_line_document_makes_seven_calls(registry):
    env = envelope([{"no": n, "qty": 1} for n in range(1, 8)])
    found = targets(registry, env, origin="shop", functions_for=lambda t: fns(registry))
    assert [t.element for t in found] == list(range(7))


def test_an_element_that_is_gone_is_a_mapping_error(registry):
    op = registry.operation("ledger", "book_line")
    with pytest.raises(MappingError, match="element 5 is gone"):
        outbound_call(op, envelope([{"no": 1, "qty": 1}]), fns(registry),
                      mapping=registry.mappings.get(op.mapping), element=5)


def test_an_each_with_no_element_makes_no_delivery_and_filters_still_apply(registry):
    found = targets(registry, envelope([]), origin="shop", functions_for=lambda t: fns(registry))
    assert [(t.operation_name, t.element) for t in found] == [("book", None)]


def test_a_message_never_goes_back_to_its_sender(registry):
    assert targets(registry, envelope([{"no": 1, "qty": 1}]), origin="ledger") == []


def test_a_path_value_cannot_climb_out_of_its_segment(registry):
    op = registry.operation("ledger", "book")
    call = outbound_call(op, {"data": {"doc_no": ".."}}, fns(registry), mapping=None)
    assert call.path == "/docs/%2E%2E"


def test_a_declared_business_refusal_is_transient_with_its_own_schedule(registry):
    op = registry.operation("ledger", "book_line")
    verdict = classify(op, 422, {"error": {"code": "insufficient_stock"}}, {})
    assert verdict.outcome == "retry" and verdict.schedule == (1.0, 2.0)


def test_an_undeclared_refusal_of_the_same_status_is_a_rejection(registry):
    op = registry.operation("ledger", "book_line")
    assert classify(op, 422, {"error": {"code": "blocked_customer"}}, {}).outcome == "rejected"
    assert classify(op, 422, "not json", {}).outcome == "rejected"


def test_a_rule_without_a_condition_matches_its_statuses(registry):
    op = registry.operation("ledger", "book_line")
    verdict = classify(op, 404, None, {})
    assert verdict.outcome == "retry" and verdict.schedule is None


def test_answers_no_rule_names_follow_the_http_defaults(registry):
    op = registry.operation("ledger", "book")
    assert [classify(op, code, None, {}).outcome for code in (200, 409, 503, 400)] == [
        "success", "retry", "retry", "rejected"]
