"""The test target keeps Idempotency-Key as the reference systems do, so "applied twice" can be counted."""

from __future__ import annotations

import httpx

from tests.support.target import Target


def test_a_repeated_key_after_a_success_gets_the_first_answer_and_is_not_applied_again():
    with Target(respond=lambda n: (201, {}, {"entry": n})) as target:
        first = httpx.post(target.url + "/entries", headers={"Idempotency-Key": "k1"}, json={"a": 1})
        again = httpx.post(target.url + "/entries", headers={"Idempotency-Key": "k1"}, json={"a": 1})
        other = httpx.post(target.url + "/entries", headers={"Idempotency-Key": "k2"}, json={"a": 1})

    assert (first.status_code, first.json()) == (201, {"entry": 0})
    assert (again.status_code, again.json()) == (201, {"entry": 0})
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json() == {"entry": 2}
    assert target.applied == {"k1": 1, "k2": 1}
    assert target.replayed == {"k1": 1}
    assert len(target.calls) == 3


def test_a_key_whose_call_failed_is_applied_when_it_succeeds():
    with Target(respond=lambda n: 503 if n == 0 else 200) as target:
        codes = [httpx.put(target.url + "/x", headers={"Idempotency-Key": "k"}).status_code for _ in range(3)]

    assert codes == [503, 200, 200]
    assert target.applied == {"k": 1} and target.replayed == {"k": 1}
