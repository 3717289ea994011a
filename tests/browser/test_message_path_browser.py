"""One event, several canonical messages, seen in the dashboard (real Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from hub.runtime import Hub
from tests.browser.conftest import LiveHub, serving
from tests.browser.helpers import login, screenshot, wait_until
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target


@pytest.fixture
def live_hub(make_settings, tmp_path: Path, monkeypatch) -> Iterator[LiveHub]:
    """A shop whose batch event splits into one message per document, and a ledger booking each line."""
    config = write_config(tmp_path / "shop-config")
    with Target() as target:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        with serving(Hub.build(make_settings(config_dir=config))) as (url, admin):
            yield LiveHub(url=url, hub=admin.hub, admin=admin, target=target, config_dir=config)


def test_a_split_event_shows_as_one_message_with_its_canonical_messages_and_their_deliveries(live_hub, page):
    body = {"type": "docs.batch", "docs": [{"no": "SPLIT-1", "lines": [{"no": 1, "qty": 2}]},
                                           {"no": "SPLIT-2", "lines": [{"no": 1, "qty": 1}, {"no": 2, "qty": 4}]}]}
    content, headers = signed(body, connector="shop")
    r = httpx.post(f"{live_hub.url}/webhooks/shop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    mid = r.json()["id"]
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "delivered", what="all parts delivered")

    login(page)
    page.goto("/ui/messages?q=SPLIT-2")
    row = page.locator(f"#m-{mid}")
    expect(row).to_contain_text("×2")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/ui/messages/{mid}$"))
    expect(page.get_by_test_id("canonical-split")).to_contain_text("2 canonical messages")
    expect(page.locator("[data-canonical]")).to_have_count(2)
    expect(page.locator("[data-canonical]").nth(1)).to_contain_text("SPLIT-2")
    expect(page.locator("[data-delivery]")).to_have_count(3)  # one line of SPLIT-1, two of SPLIT-2
    expect(page.locator("[data-delivery]").filter(has_text="element 2")).to_have_count(1)
    screenshot(page, "message-split")
