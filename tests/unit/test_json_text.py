"""The JSON text the hub writes (stored JSON columns, the bodies it sends, search copies): compact,
non-ASCII as it is, and the same value whichever writer made it."""

from __future__ import annotations

import json

import pytest

from hub import safejson
from hub.delivery.client import encode_body

VALUES = [
    {"order": "SO-1", "客户": "上海明辉", "lines": [{"qty": 2, "price": 12.5, "note": None, "ok": True}]},
    {"tiny": 1e-05, "big": 1e16, "neg": -0.0, "text": 'say "hi"\\ \n\t\x1f\u2028'},
    {"id": 123456789012345678901234567890},  # beyond 64 bits: the standard library writes it
    {1: "a key that is a number"},
    [[[[["deep"]]]]],
]


@pytest.mark.parametrize("value", VALUES)
def test_json_text_reads_back_as_the_value_it_was_made_of(value):
    assert json.loads(safejson.dumps(value)) == json.loads(json.dumps(value))


def test_an_integer_beyond_64_bits_keeps_every_digit():
    assert safejson.dumps({"id": 123456789012345678901234567890}) == '{"id":123456789012345678901234567890}'


def test_what_no_json_writer_takes_is_refused_with_a_type_error():
    with pytest.raises(TypeError):
        safejson.dumps({"raw": b"bytes"})


def test_a_call_sends_the_body_as_compact_utf8_json():
    assert encode_body({"客户": "上海明辉", "qty": 2}) == '{"客户":"上海明辉","qty":2}'.encode()
