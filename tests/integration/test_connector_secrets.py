"""Reading a connector's configuration never reveals the values of its secret headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.runtime import Hub
from tests.support.auth import bearer, new_token

SECRET = "Bearer ledger-s3cret-token"


@pytest.fixture
def client(make_settings, fast_config: Path):
    ledger = fast_config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8")
    path = next(line for line in text.splitlines() if line.strip().startswith("path:"))
    indent = path.split("path:")[0]
    ledger.write_text(text.replace(path, f"{path}\n{indent}headers:\n{indent}  Authorization: {SECRET}\n"
                                         f"{indent}  X-Tenant: acme"), encoding="utf-8")
    hub = Hub.build(make_settings(config_dir=fast_config))
    with TestClient(create_app(hub), headers=bearer(new_token(hub.db, "query"))) as c:
        yield c
    hub.stop()


@pytest.mark.parametrize("url", ["/api/connectors/ledger", "/api/connectors"])
def test_a_query_token_sees_header_names_but_never_their_values(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert "s3cret" not in r.text and "acme" not in r.text
    ledger = r.json() if url.endswith("ledger") else next(c for c in r.json() if c["name"] == "ledger")
    [op] = [o for o in ledger["operations"].values() if o["headers"]]
    assert op["headers"] == {"Authorization": "***", "X-Tenant": "***"}
