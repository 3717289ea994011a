"""The signed-request files verify with the standardwebhooks library (run: pytest benchmarks/peer)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from standardwebhooks.webhooks import Webhook

from benchmarks.peer import requests as signed

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ORDER = b'{\n "OrderID": "SO-2024-000123",\n "Lines": [{"sku": "a"}]\n}'


def test_split_keeps_the_bytes_around_the_order_id() -> None:
    prefix, suffix, original = signed.split_order(ORDER)
    assert original == "SO-2024-000123"
    assert prefix + original.encode() + suffix == ORDER


def test_sign_matches_the_library() -> None:
    ts = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    body = b'{"a": "\xc3\xa4"}'
    assert signed.sign(SECRET, "msg_1", int(ts.timestamp()), body) == Webhook(SECRET).sign("msg_1", ts, body)


def test_every_request_verifies_and_is_unique(tmp_path: Path) -> None:
    folder = signed.write(tmp_path / "r", ORDER, SECRET, 5, "t1")
    reqs = signed.read(folder)
    assert len({h["webhook-id"] for _, h in reqs}) == 5
    assert len({json.loads(b)["OrderID"] for b, _ in reqs}) == 5
    for body, headers in reqs:
        Webhook(SECRET).verify(body, headers)
        assert json.loads(body)["Lines"] == [{"sku": "a"}]
