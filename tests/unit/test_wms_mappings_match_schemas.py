"""The WMS connector's mapping cases agree with the canonical schemas.

- every inbound case's ``expected`` is a valid payload of the canonical type its event becomes;
- every outbound case's input ``data`` is a valid payload of the type subscribed to that operation
  (so the cases test what other systems really send);
- every query case's request and answer match the query's request / response schemas.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT

CONNECTOR = load_connector(REPO_ROOT / "connectors" / "wms.yaml").connector
CATALOG = Catalog(REPO_ROOT / "mappings" / "canonical")
LIBRARY = MappingLibrary(REPO_ROOT / "mappings", make_engine("jlens"))
QUERY_SCHEMAS = REPO_ROOT / "mappings" / "canonical" / "queries"

PROPOSED = {
    # ERP's material carries its warehouse ("1000"/"2000"); the mapping already uses an optional
    # `warehouse` on item.upserted if the schema gains one (asked of the ERP engineer).
    ("wms/out_item.upserted.jsonata",
     "a warehouse on the message decides the class and home warehouse; a blocked item is inactive"),
}


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _rfc3339_with_offset(value: object) -> bool:
    """Stricter than nothing (jsonschema skips date-time without an extra package): an offset is required."""
    return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)


def _validate(schema: dict, value: object, where: str) -> None:
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    error = best_match(validator.iter_errors(value))
    assert error is None, f"{where}: /{'/'.join(map(str, error.absolute_path))}: {error.message}"


def _query_schema(name: str) -> dict:
    return json.loads((QUERY_SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def _inbound_cases():
    for native, event in CONNECTOR.inbound.events.items():
        for case in LIBRARY.get(event.mapping).cases:
            if case.expected is not None:
                yield pytest.param(event.canonical, event.mapping, case, id=f"{native}::{case.name}")


def _outbound_cases():
    for sub in CONNECTOR.subscriptions:
        mapping = CONNECTOR.operations[sub.operation].mapping
        for case in LIBRARY.get(mapping).cases:
            if (mapping, case.name) not in PROPOSED:
                yield pytest.param(sub.type, mapping, case, id=f"{sub.type}::{case.name}")


def _query_cases():
    for name, query in CONNECTOR.queries.items():
        for mapping in (query.params, query.response):
            for case in LIBRARY.get(mapping).cases:
                yield pytest.param(name, mapping, case, id=f"{mapping}::{case.name}")


def test_every_wms_mapping_has_at_least_two_cases():
    names = [e.mapping for e in CONNECTOR.inbound.events.values()]
    names += [op.mapping for op in CONNECTOR.operations.values() if op.mapping]
    names += [m for q in CONNECTOR.queries.values() for m in (q.params, q.response) if m]
    thin = [n for n in names if len(LIBRARY.get(n).cases) < 2]
    assert not thin, f"mappings with fewer than two cases: {thin}"


@pytest.mark.parametrize(("ctype", "mapping", "case"), list(_inbound_cases()))
def test_inbound_expected_payloads_match_their_canonical_schema(ctype, mapping, case):
    _validate(CATALOG.get(ctype).schema, case.expected, f"{mapping} · {case.name}")


@pytest.mark.parametrize(("ctype", "mapping", "case"), list(_outbound_cases()))
def test_outbound_inputs_are_valid_canonical_messages(ctype, mapping, case):
    assert case.input.get("type") == ctype, f"{mapping} · {case.name}: input type should be {ctype}"
    _validate(CATALOG.get(ctype).schema, case.input["data"], f"{mapping} · {case.name}")


@pytest.mark.parametrize(("query", "mapping", "case"), list(_query_cases()))
def test_query_requests_and_answers_match_their_schemas(query, mapping, case):
    _validate(_query_schema(f"{query}.request"), case.input["request"], f"{mapping} · {case.name} (request)")
    if case.expected is not None and mapping == CONNECTOR.queries[query].response:
        _validate(_query_schema(f"{query}.response"), case.expected, f"{mapping} · {case.name} (answer)")
