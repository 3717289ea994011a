"""Steps the browser tests share: log in, keep a screenshot, send an order, fix a unit code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx

from hub.settings import REPO_ROOT
from tests.support.signing import order_created, signed

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
ADMIN = ("admin", "admin")


def send_order(base_url: str, number: str, *, unit: str = "件", correlation: str | None = None) -> str:
    """The web shop sends order ``number`` to the hub (signed); returns the hub's message id."""
    body = order_created(number)
    body["order"]["items"][0]["uom"] = unit
    extra = None
    if correlation:  # a binary-mode CloudEvent carrying the business transaction's correlation id
        extra = {"ce-specversion": "1.0", "ce-type": "order.created", "ce-source": "/shop",
                 "ce-id": f"ce-{number}", "ce-correlationid": correlation}
    content, headers = signed(body, extra_headers=extra)
    r = httpx.post(f"{base_url}/webhooks/webshop", content=content, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def login(page, username: str = ADMIN[0], password: str = ADMIN[1]) -> None:
    page.goto("/ui/login")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(password)
    page.get_by_role("button", name=re.compile("Log in|登录")).click()
    page.wait_for_url(re.compile(r"/ui/(?!login)"))


def screenshot(page, name: str) -> Path:
    """Keep a picture of the page as a test artifact (test-artifacts/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fix_unit(config_dir: Path, unit: str, code: str) -> None:
    """Teach the quickstart's unit code table a new unit (the fix for a failed translation)."""
    codes = config_dir / "mappings" / "codemaps" / "uom.yaml"
    codes.write_text(codes.read_text(encoding="utf-8") + f"{unit}: {code}\n", encoding="utf-8")


def wait_until(check: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    from tests.support.waiting import eventually

    eventually(check, timeout=timeout, what=what)

