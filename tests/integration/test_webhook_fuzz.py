"""Fuzzing the webhook endpoint with signed requests: whatever arrives, the answer is never a 5xx.

Generated bodies — any JSON (with NaN, Infinity, NUL characters, lone surrogate escapes, long
numbers), deep nesting, arbitrary bytes, CloudEvents in structured and binary mode — are
signed with the connector's secret, so they reach the parsing and storing code behind the
signature check. Each accepted message must also be readable through the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api import create_app
from hub.runtime import Hub
from tests.support.auth import bearer, new_token
from tests.support.signing import signed

EXAMPLES = 120
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

odd_text = st.text(alphabet=st.sampled_from(["a", "é", "订", "\n", "\"", "\\", "\x00", "\x7f"]), max_size=12)
leaves = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**90, max_value=10**120)
          | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20) | odd_text)
json_values = st.recursive(leaves, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=6) | odd_text, kids, max_size=4), max_leaves=25)


def encoded(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


with_lone_surrogates = json_values.map(encoded).map(lambda b: b.replace(b"a", b"\\ud800", 1))
deep = st.integers(min_value=1, max_value=3000).map(lambda n: b'{"type": "order.created", "x": ' + b"[" * n
                                                    + b"]" * n + b"}")
bodies = json_values.map(encoded) | with_lone_surrogates | deep | st.binary(max_size=300)
envelopes = st.fixed_dictionaries(
    {"specversion": st.sampled_from(["1.0", "0.3", "2", 1]), "type": st.text(max_size=300) | odd_text,
     "source": odd_text | st.just("/shop"), "id": odd_text | st.just("e-1")},
    optional={"data": json_values, "subject": odd_text, "time": odd_text, "datacontenttype": odd_text,
              "data_base64": st.text(max_size=20), "extension1": json_values})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request, make_settings, fast_config: Path) -> Iterator[TestClient]:
    overrides = {"config_dir": fast_config}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    hub = Hub.build(make_settings(**overrides))
    with TestClient(create_app(hub), headers=bearer(new_token(hub.db)), raise_server_exceptions=False) as c:
        yield c
    hub.stop()


def answer(client: TestClient, raw: bytes, **headers: str) -> int:
    body, signed_headers = signed(None, raw=raw, extra_headers=headers)
    r = client.post("/webhooks/webshop", content=body, headers=signed_headers)
    assert r.status_code < 500, r.text
    assert "error" in r.json() or r.status_code in (200, 202)
    if r.status_code == 202:
        shown = client.get(f"/api/messages/{r.json()['id']}")
        assert shown.status_code == 200, shown.text
    return r.status_code


@FUZZ
@given(raw=bodies)
def test_no_signed_webhook_body_gets_a_5xx(client, raw):
    answer(client, raw)


@FUZZ
@given(envelope=envelopes)
def test_no_signed_structured_cloudevent_gets_a_5xx(client, envelope):
    answer(client, encoded(envelope), **{"content-type": "application/cloudevents+json"})


@FUZZ
@given(raw=bodies, event_type=odd_text, source=odd_text, event_id=odd_text)
def test_no_signed_binary_cloudevent_gets_a_5xx(client, raw, event_type, source, event_id):
    ce = {"ce-specversion": "1.0", "ce-type": event_type, "ce-source": source, "ce-id": event_id}
    ce = {k: v for k, v in ce.items() if all(32 <= ord(c) < 127 for c in v)}  # what HTTP headers can carry
    answer(client, raw, **ce)
