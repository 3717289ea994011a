"""The search copy and the redactor skip walking a payload in which no masked key can be, and give
exactly what the walk gives: checked here against the walk itself on many payloads."""

from __future__ import annotations

import json
import random

from hub.masking import MASK, Redactor, clear_values, mask, search_text

FIELDS = frozenset({"phone", "身份证号", 'odd"key', "bank\\acct"})
KEYS = ["order", "qty", "name", *FIELDS, "客户", "phones", "ph"]
VALUES = ["13800138000", "phone", "上海明辉", 'say "hi"', "back\\slash", 12345678, 1.5, True, None, "ab"]


def payload(rng: random.Random, depth: int = 0) -> object:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(VALUES)
    if rng.random() < 0.5:
        return [payload(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): payload(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def walked_search_text(*values: object) -> str:
    return json.dumps([mask(v, FIELDS) for v in values], ensure_ascii=False, separators=(",", ":"), default=str)


def walked_redactor(*values: object) -> Redactor:
    return Redactor(v for value in values for v in clear_values(value, FIELDS))


def test_the_search_copy_and_the_redactor_equal_the_walk_on_two_thousand_payloads():
    rng = random.Random(20261205)
    masked = 0
    for _ in range(2000):
        values = [payload(rng) for _ in range(rng.randint(1, 3))]
        assert search_text(FIELDS, *values) == walked_search_text(*values)
        assert Redactor.of(FIELDS, *values)._forms == walked_redactor(*values)._forms
        masked += MASK in search_text(FIELDS, *values)
    assert masked > 200  # the walk was needed often enough to be tested


def test_a_masked_key_is_masked_whatever_its_spelling_in_json_text():
    for key in FIELDS:
        body = {"customer": {key: "13800138000"}}
        assert "13800138000" not in search_text(FIELDS, body)
        assert Redactor.of(FIELDS, body).text("you sent 13800138000") == f"you sent {MASK}"


def test_a_payload_without_masked_keys_is_searched_as_written():
    body = {"order": "SO-1", "客户": "上海明辉", "lines": [{"sku": "A-1", "qty": 2}]}
    assert json.loads(search_text(FIELDS, body)) == [body]
    assert not Redactor.of(FIELDS, body)
