"""A body parsed the fast way (orjson) is parsed exactly as the strict way parses it, and whatever the
strict way refuses is refused with the strict way's words: checked on generated bodies, valid and not."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from hub import safejson
from hub.errors import HubError

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**25), max_value=10**25),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=30)
FAULTS = ["NaN", "Infinity", "1e400", "-1e999", '"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"\\udc00x"',
          "1" * 101, "9" * 19, "12345678901234567890", '"\x01"', "[1,]", "{'a': 1}", "", "nul", '"\\ud83d\\ude00"',
          "[" * 70 + "]" * 70, "[" * 64 + "]" * 64, "[" * 65 + "]" * 65, "0.1", "-0", "1E+2"]


def outcome(read, data):
    try:
        return "value", repr(read(data))
    except HubError as exc:
        return type(exc).__name__, str(exc)


def strictly(data: bytes):
    """The strict way: from text, which never takes the fast one."""
    return safejson.loads(safejson.utf8(data))


@settings(max_examples=400, deadline=None)
@given(value=values, ascii_only=st.booleans(), fault=st.sampled_from(FAULTS), where=st.integers(0, 10_000),
       mangle=st.booleans())
def test_the_fast_parse_reads_and_refuses_every_body_as_the_strict_one(value, ascii_only, fault, where, mangle):
    text = json.dumps(value, ensure_ascii=ascii_only)
    if mangle:  # a fault put where a value may stand, or breaking the text
        cut = where % (len(text) + 1)
        text = text[:cut] + fault + text[cut:]
    data = text.encode("utf-8", "surrogatepass")
    assert outcome(safejson.loads, data) == outcome(strictly, data)


def test_each_fault_alone_is_read_or_refused_as_the_strict_parse_does():
    for fault in FAULTS:
        for text in (fault, f'{{"k": {fault}}}', f"[1, {fault}]"):
            data = text.encode()
            assert outcome(safejson.loads, data) == outcome(strictly, data), text


def test_bytes_that_are_not_utf8_are_refused_as_before():
    assert outcome(safejson.loads, b'{"a": "\xff"}')[0] == "BadPayload"
