"""Hostile input: every refusal is a 4xx JSON body saying what is wrong — the same on SQLite and PostgreSQL.

Deep nesting, NaN, NUL characters, over-long ids and odd CloudEvents are refused at ingest;
a NUL in any path or query parameter is refused before it reaches the store; a body stored
before the limits existed is still shown (bounded), never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.ids import new_id
from hub.ingest import MAX_SENDER_ID_CHARS
from hub.runtime import Hub
from hub.safejson import MAX_JSON_DEPTH
from hub.store import InboundMessage
from hub.store.models import MessageStatus
from tests.support.auth import bearer, new_token
from tests.support.signing import order_created, signed

CE_JSON = {"content-type": "application/cloudevents+json"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(request, make_settings, fast_config: Path) -> Iterator[Hub]:
    """A hub on each store (no workers: these tests are about what ingest and the API answer)."""
    overrides = {"config_dir": fast_config}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    h = Hub.build(make_settings(**overrides))
    yield h
    h.stop()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub), headers=bearer(new_token(hub.db)), raise_server_exceptions=False) as c:
        yield c


def post(client: TestClient, raw: bytes, **kw) -> tuple[int, dict]:
    body, headers = signed(None, raw=raw, **kw)
    r = client.post("/webhooks/webshop", content=body, headers=headers)
    return r.status_code, r.json()


def nested(levels: int) -> bytes:
    return b'{"type": "order.created", "x": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


def structured(data: bytes, *, event_id: str = "e-1", source: str = "/shop") -> bytes:
    return (b'{"specversion": "1.0", "type": "order.created", "source": %s, "id": %s, "data": %s}'
            % (json.dumps(source).encode(), json.dumps(event_id).encode(), data))


# ---------------------------------------------------------------------- depth (#4)
@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1000, 10_000])
def test_a_webhook_nested_deeper_than_the_limit_is_refused_with_422(client, levels):
    status, body = post(client, nested(levels))
    assert status == 422, body
    assert body["error"]["code"] == "unsafe_json"
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in body["error"]["message"]


def test_a_webhook_nested_exactly_to_the_limit_is_accepted(client):
    status, body = post(client, nested(MAX_JSON_DEPTH))
    assert status == 202, body


def test_a_structured_cloudevent_nested_too_deep_is_refused_with_422(client):
    status, body = post(client, structured(b"[" * 2000 + b"]" * 2000), extra_headers=CE_JSON)
    assert status == 422 and body["error"]["code"] == "unsafe_json"


def test_a_deep_body_stored_before_the_limit_is_shown_bounded_not_a_500(client, hub: Hub):
    deep: object = "bottom"
    for _ in range(900):
        deep = [deep]
    now = datetime.now(UTC)
    mid = new_id()
    with hub.db.session() as s:
        s.add(InboundMessage(id=mid, connector="webshop", sender_id=f"old-{mid}", mode="webhook", native_type=None,
                             headers={}, body={"type": "order.created", "x": deep}, attributes=None,
                             received_at=now, updated_at=now, status=MessageStatus.FAILED, translations=0))
    r = client.get(f"/api/messages/{mid}")
    assert r.status_code == 200, r.text
    assert "nested deeper than" in r.text and "bottom" not in r.text


def test_the_page_of_a_deep_body_stored_before_the_limit_is_shown_bounded_not_a_500(hub: Hub):
    from tests.integration.test_dashboard_pages import log_in

    deep: object = "bottom"
    for _ in range(900):
        deep = {"x": deep}
    now = datetime.now(UTC)
    mid = new_id()
    with hub.db.session() as s:
        s.add(InboundMessage(id=mid, connector="webshop", sender_id=f"old-{mid}", mode="webhook", native_type=None,
                             headers={}, body={"type": "order.created", "x": deep}, attributes=None,
                             received_at=now, updated_at=now, status=MessageStatus.FAILED, translations=0))
    with TestClient(create_app(hub), raise_server_exceptions=False) as ui:
        log_in(ui)
        page = ui.get(f"/ui/messages/{mid}")
        assert page.status_code == 200, page.text[-2000:]
        assert "bottom" not in page.text


# ---------------------------------------------------------------------- CloudEvent shapes (#5)
@pytest.mark.parametrize("envelope", [b"[1, 2]", b"3", b'"text"', b"null", b"true"])
def test_a_structured_cloudevent_that_is_not_an_object_is_refused_with_422(client, envelope):
    status, body = post(client, envelope, extra_headers=CE_JSON)
    assert status == 422, body
    assert body["error"]["code"] == "invalid_cloudevent" and "JSON object" in body["error"]["message"]


@pytest.mark.parametrize("data", [b"3", b'"text"', b"true"])
def test_a_cloudevent_whose_data_is_not_an_object_or_array_is_refused_with_422(client, data):
    status, body = post(client, structured(data), extra_headers=CE_JSON)
    assert status == 422, body
    assert "data must be a JSON object or array" in body["error"]["message"]


# ---------------------------------------------------------------------- NaN and NUL (#6)
@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_a_body_with_nan_or_infinity_is_refused_with_422_on_both_stores(client, value):
    status, body = post(client, b'{"type": "order.created", "x": %s}' % value)
    assert status == 422, body
    assert body["error"]["code"] == "unsafe_json"


def test_a_cloudevent_with_nan_in_its_data_is_refused_with_422(client):
    status, body = post(client, structured(b'{"x": NaN}'), extra_headers=CE_JSON)
    assert status == 422 and body["error"]["code"] == "unsafe_json"


@pytest.mark.parametrize("raw", [b'{"type": "order.created", "x": "a\\u0000b"}',
                                 b'{"type": "order.created", "a\\u0000": 1}'])
def test_a_body_with_a_nul_character_is_refused_with_422_naming_where(client, raw):
    status, body = post(client, raw)
    assert status == 422, body
    assert "NUL" in body["error"]["message"] and "$" in body["error"]["message"]


@pytest.mark.parametrize("raw", [b'{"type": "order.created", "x": "\\ud800"}',
                                 b'{"type": "order.created", "\\udfff": 1}'])
def test_a_body_with_a_lone_surrogate_escape_is_refused_with_422_not_stored(client, raw):
    status, body = post(client, raw)
    assert status == 422, body
    assert "surrogate" in body["error"]["message"]


def test_a_body_with_a_surrogate_pair_is_one_character_and_accepted(client):
    status, body = post(client, b'{"type": "order.created", "x": "\\ud83d\\ude00"}')
    assert status == 202, body


@pytest.mark.parametrize("digits", [101, 5000])
def test_a_body_with_an_integer_too_long_for_any_system_is_refused_with_422(client, digits):
    status, body = post(client, b'{"type": "order.created", "x": %s}' % (b"9" * digits))
    assert status == 422, body
    assert f"{digits} digits" in body["error"]["message"]


@pytest.mark.parametrize("attribute", ["id", "source", "type", "subject"])
def test_a_cloudevent_attribute_with_a_nul_character_is_refused_with_422(client, attribute):
    event = {"specversion": "1.0", "type": "order.created", "source": "/shop", "id": "e-nul",
             "subject": "s", "data": order_created()}
    event[attribute] += "\x00"
    status, body = post(client, json.dumps(event).encode(), extra_headers=CE_JSON)
    assert status == 422, body
    assert "NUL" in body["error"]["message"]


@pytest.mark.parametrize("url", [
    "/api/messages?q=a%00b", "/api/messages?connector=a%00b", "/api/messages?subject=%00",
    "/api/messages/a%00b", "/api/deliveries?cursor=a%00b", "/api/traces/a%00b", "/api/audit?actor=a%00",
    "/ui/messages?q=a%00b"])
def test_a_nul_character_in_a_path_or_query_parameter_is_refused_with_400(client, url):
    r = client.get(url)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "bad_request" and "NUL" in r.json()["error"]["message"]


@pytest.mark.parametrize("form", [{"username": "admin\x00", "password": "x"},
                                  {"username": "admin", "password": "x", "next": "/ui\x00"}])
def test_a_nul_character_in_a_posted_form_is_refused_with_400(client, form):
    r = client.post("/ui/login", data=form, follow_redirects=False)
    assert r.status_code == 400, r.text
    assert "the form holds a NUL character" in r.json()["error"]["message"]


def test_a_form_past_the_size_limit_is_refused_with_413_before_it_is_read_whole(client):
    from hub.api.guards import MAX_FORM_BYTES

    r = client.post("/ui/login", content=b"username=" + b"a" * (MAX_FORM_BYTES + 1),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_a_form_without_nul_still_reaches_its_page(client):
    r = client.post("/ui/login", data={"username": "nobody", "password": "x"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token: the page itself answered


def test_an_over_long_cloudevent_type_is_refused_with_422_on_both_stores(client):
    event = {"specversion": "1.0", "type": "t" * 300, "source": "/shop", "id": "e-type", "data": order_created()}
    status, body = post(client, json.dumps(event).encode(), extra_headers=CE_JSON)
    assert status == 422, body
    assert "type" in body["error"]["message"]


# ---------------------------------------------------------------------- over-long ids (#7)
def test_an_over_long_webhook_id_is_refused_with_422_not_cut(client):
    prefix = "m" * MAX_SENDER_ID_CHARS
    first, body = post(client, json.dumps(order_created("WS-A")).encode(), msg_id=prefix + "A")
    second, _ = post(client, json.dumps(order_created("WS-B")).encode(), msg_id=prefix + "B")
    assert (first, second) == (422, 422)
    assert body["error"]["code"] == "invalid_message_id"
    assert str(MAX_SENDER_ID_CHARS) in body["error"]["message"]


def test_a_webhook_id_of_the_longest_length_is_accepted_and_deduplicated_whole(client):
    msg_id = "m" * MAX_SENDER_ID_CHARS
    first, a = post(client, json.dumps(order_created("WS-A")).encode(), msg_id=msg_id)
    again, b = post(client, json.dumps(order_created("WS-A")).encode(), msg_id=msg_id)
    assert (first, again) == (202, 200) and a["id"] == b["id"]


def test_an_over_long_cloudevent_source_and_id_are_refused_with_422(client):
    status, body = post(client, structured(b"{}", source="/" + "s" * 200, event_id="e" * 100),
                        extra_headers=CE_JSON)
    assert status == 422 and "source#id" in body["error"]["message"]


# ---------------------------------------------------------------------- encoding (#11)
def test_a_body_that_is_not_utf8_is_400_saying_so_not_a_signature_error(client):
    status, body = post(client, b'{"type": "order.created", "x": "\xff"}')
    assert status == 400, body
    assert body["error"]["code"] == "bad_payload" and "not UTF-8" in body["error"]["message"]


# ---------------------------------------------------------------------- names stored as text
@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak"])
def test_a_token_name_with_a_control_character_is_refused_whatever_face_creates_it(hub: Hub, name):
    from hub.auth import AuthService, InvalidRequest

    with pytest.raises(InvalidRequest, match="control character"):
        AuthService(hub.db).create_token(name, ["query"], created_by="tests")
