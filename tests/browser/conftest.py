"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a real HTTP server.

The hub runs in this process (uvicorn in a thread) on the quickstart config with
fast retries, delivering to a real :class:`~tests.support.target.Target`. Chromium
must be installed (``apt-get install chromium``; ``./dev test`` does it): without it
these tests fail, they never skip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from hub.admin import AdminServices
from hub.api import create_app
from hub.runtime import Hub
from tests.support.target import Target, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 860}
TIMEZONE = "Asia/Shanghai"
STEP_TIMEOUT_MS = 15_000


@dataclass
class LiveHub:
    """A running hub: its URL, the hub itself, its admin services, and a switch for the target's health."""

    url: str
    hub: Hub
    admin: AdminServices
    target: Target
    config_dir: Path
    healthy: dict[str, bool] = field(default_factory=lambda: {"up": True})


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def serving(hub: Hub) -> Iterator[tuple[str, AdminServices]]:
    """Run ``hub``'s workers and HTTP server in this process; yields (base URL, admin services)."""
    hub.start_workers()
    app = create_app(hub)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the hub's HTTP server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.state.admin
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        hub.stop()


@pytest.fixture
def live_hub(make_settings, fast_config: Path, point_ledger_at) -> Iterator[LiveHub]:
    healthy = {"up": True}
    with Target(respond=lambda n: 200 if healthy["up"] else 503) as target:
        point_ledger_at(target.url)
        with serving(Hub.build(make_settings(config_dir=fast_config, time_zone=TIMEZONE))) as (url, admin):
            yield LiveHub(url=url, hub=admin.hub, admin=admin, target=target, config_dir=fast_config,
                          healthy=healthy)


@pytest.fixture
def new_page(browser, live_hub: LiveHub):
    """Pages in fresh browser contexts (own cookies), at 1280 px in China's time zone, English preferred."""
    contexts = []

    def make(*, locale: str = "en-US", viewport: dict[str, int] = VIEWPORT):
        ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id=TIMEZONE,
                                  base_url=live_hub.url)
        ctx.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()
