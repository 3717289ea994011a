"""A query's path placeholders carry values, never directions: ``..`` cannot walk up the target's paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.runtime import Hub
from tests.support.auth import api_client
from tests.support.target import Target

LEDGER_QUERY = """
queries:
  ledger.order_status:
    path: /ledger/orders/{request.order_no}/status
    response: ledger/order_status_response.jsonata
"""


@pytest.fixture
def client(make_settings, fast_config: Path, point_ledger_at):
    ledger = fast_config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8").replace(
        "    description: Create or update the ledger entry of one order.\n",
        "    description: Create or update the ledger entry of one order." + LEDGER_QUERY)
    ledger.write_text(text, encoding="utf-8")
    (fast_config / "mappings" / "ledger" / "order_status_response.jsonata").write_text(
        '{"asked": response.path}', encoding="utf-8")
    with Target() as target:
        point_ledger_at(target.url)
        hub = Hub.build(make_settings(config_dir=fast_config))
        with api_client(hub) as c:
            c.target = target  # type: ignore[attr-defined]
            yield c
        hub.stop()


@pytest.mark.parametrize(("value", "sent"), [("..", "%2E%2E"), (".", "%2E"), ("SO-1", "SO-1"),
                                             ("a/b", "a%2Fb")])
def test_a_dot_segment_in_a_path_placeholder_is_encoded_not_followed(client, value, sent):
    r = client.get("/query/ledger.order_status", params={"order_no": value})
    assert r.status_code == 200, r.text
    [call] = client.target.calls
    assert call["path"] == f"/ledger/orders/{sent}/status"
