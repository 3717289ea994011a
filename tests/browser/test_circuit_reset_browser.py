"""An operator resets an open circuit breaker from the connector's page, in Chromium: the parked delivery goes
at once, and the reset is in the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveHub
from tests.browser.helpers import login, send_order, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def fast_config(fast_config: Path) -> Path:
    """The fast ledger with a breaker that one failure opens for far longer than the test runs."""
    ledger = fast_config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "circuit_breaker: {failures: 1, cool_down: 10m}\n",
                      encoding="utf-8")
    return fast_config


def test_an_operator_resets_an_open_circuit_and_the_parked_delivery_is_sent(live_hub: LiveHub, page):
    live_hub.healthy["up"] = False
    mid = send_order(live_hub.url, "WS-CB-1")
    circuits = live_hub.hub.circuits
    wait_until(lambda: circuits.views(["ledger"])["ledger"].state == "open", what="an open circuit")
    live_hub.healthy["up"] = True

    login(page)
    page.goto("/ui/connectors/ledger")
    expect(page.locator("[data-circuit]")).to_have_attribute("data-circuit", "open")
    page.get_by_role("button", name="Reset circuit").click()
    expect(page.get_by_role("status").first).to_contain_text("Circuit of ledger closed")
    expect(page.locator("[data-circuit]")).to_have_attribute("data-circuit", "closed")
    expect(page.get_by_role("button", name="Reset circuit")).to_have_count(0)
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "delivered",
               what="the parked delivery sent after the reset")
    [entry] = live_hub.admin.audit.list(action="circuit.reset").items
    assert (entry.actor, entry.target, entry.via, entry.detail["was"]) == ("admin", "ledger", "ui", "open")
