"""What an admin does in the dashboard, in Chromium: find, understand, fix, replay, follow, retry."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveHub
from tests.browser.helpers import fix_unit, login, screenshot, send_order, wait_until

pytestmark = pytest.mark.browser


def test_an_admin_finds_a_failed_message_by_order_number_reads_its_error_replays_it_and_sees_it_delivered(
        live_hub: LiveHub, page):
    send_order(live_hub.url, "WS-BR-100")                      # traffic around it
    failed_id = send_order(live_hub.url, "WS-BR-101", unit="箱")  # a unit the mapping does not know
    wait_until(lambda: live_hub.hub.operations.get_message(failed_id).status == "failed", what="failure")

    login(page)
    page.get_by_role("navigation").get_by_role("link", name="Messages", exact=True).click()
    page.get_by_label("Search").fill("WS-BR-101")
    page.get_by_role("button", name="Search").click()
    row = page.locator(f"#m-{failed_id}")
    expect(row).to_contain_text("failed")
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, "messages")

    row.get_by_role("link").click()
    error = page.get_by_test_id("message-error")
    expect(error).to_contain_text("'箱' is not in code table 'uom'")
    screenshot(page, "message-failed")

    fix_unit(live_hub.config_dir, "箱", "BOX")
    page.goto("/ui/mappings")
    page.get_by_role("button", name="Reload mappings from disk").click()
    expect(page.get_by_role("status")).to_contain_text("Mappings reloaded")

    page.goto(f"/ui/messages/{failed_id}")
    page.get_by_role("button", name="Replay with the current mapping").click()
    expect(page.get_by_role("status").first).to_contain_text("Replayed")
    expect(page.get_by_test_id("message-status")).to_contain_text("delivered")
    expect(page.locator("[data-delivery]")).to_contain_text("success")
    screenshot(page, "message-delivered")
    assert [c["path"] for c in live_hub.target.calls][-1] == "/ledger/orders/WS-BR-101"
    entries = live_hub.admin.audit.list(action="replay").items
    assert [(e.actor, e.action, e.target) for e in entries] == [("admin", "replay.remap", failed_id)]


def test_an_operator_follows_a_trace_across_systems_with_the_failure_marked(live_hub: LiveHub, page):
    live_hub.healthy["up"] = False
    first = send_order(live_hub.url, "WS-TR-1", correlation="deal-42")
    wait_until(lambda: live_hub.hub.operations.get_message(first).status == "dead", what="a dead delivery")
    live_hub.healthy["up"] = True
    second = send_order(live_hub.url, "WS-TR-2", correlation="deal-42")
    wait_until(lambda: live_hub.hub.operations.get_message(second).status == "delivered", what="delivery")

    login(page)
    page.goto(f"/ui/messages/{second}")
    page.get_by_role("link", name="Follow the trace").click()
    picture = page.get_by_test_id("trace-picture")
    expect(picture).to_contain_text("webshop")
    expect(picture).to_contain_text("ledger")
    expect(picture.locator("rect")).to_have_count(4)          # two messages, two deliveries
    expect(picture.locator("rect[data-kind=delivery][data-status=dead]")).to_have_count(1)
    expect(picture.locator("rect[data-kind=delivery][data-status=delivered]")).to_have_count(1)
    screenshot(page, "trace")

    picture.get_by_role("link", name=re.compile("WS-TR-1")).click()
    expect(page).to_have_url(re.compile(f"/ui/messages/{first}$"))
    expect(page.locator("[data-delivery]")).to_contain_text("gave up after")


def test_an_operator_bulk_retries_a_group_of_dead_letters_after_a_confirmation_and_watches_them_delivered(
        live_hub: LiveHub, page):
    live_hub.healthy["up"] = False
    ids = [send_order(live_hub.url, f"WS-DL-{i}") for i in range(3)]
    for mid in ids:
        wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "dead", what="dead letters")
    live_hub.healthy["up"] = True

    login(page)
    page.get_by_role("navigation").get_by_role("link", name="Dead letters").click()
    group = page.locator("tr[data-group='ledger|HTTP 503']")
    expect(group).to_contain_text("3")
    screenshot(page, "dead-letters")

    group.get_by_role("link", name="Retry this group…").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("3 dead deliveries match")
    page.get_by_role("button", name="Retry 3 deliveries").click()
    expect(page.locator("#progress[data-done=true]")).to_contain_text("Finished: 3 delivered, 0 failed again.")
    screenshot(page, "bulk-retry-progress")
    for mid in ids:
        assert live_hub.hub.operations.get_message(mid).status == "delivered"
    [entry] = live_hub.admin.audit.list(action="bulk_retry").items
    assert entry.actor == "admin" and entry.detail["retried"] == 3


def test_the_dashboard_speaks_chinese_to_a_browser_that_prefers_it_and_switches_language_on_request(
        live_hub: LiveHub, new_page):
    page = new_page(locale="zh-CN")
    page.goto("/ui/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    login(page)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="消息", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "overview-zh")

    page.get_by_label("语言").select_option("en")
    expect(nav.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    page.get_by_label("Language").select_option("zh")
    expect(page.get_by_role("heading", level=1)).to_have_text("概览")


def test_a_viewer_sees_a_dead_message_but_cannot_replay_or_retry_it(live_hub: LiveHub, page, new_page):
    live_hub.healthy["up"] = False
    mid = send_order(live_hub.url, "WS-VW-1")
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "dead", what="a dead delivery")

    login(page)                                  # the admin adds a viewer on the Users page
    page.goto("/ui/users")
    add = page.locator("form[action='/ui/users']")
    add.get_by_label("Username").fill("wangfang")
    add.get_by_label("Password (8 characters or more)").fill("viewer-pass-1")
    add.get_by_label("Role").select_option("viewer")
    add.get_by_role("button", name="Add user").click()
    expect(page.locator("tr[data-user=wangfang]")).to_contain_text("viewer")
    screenshot(page, "users")

    viewer = new_page()
    login(viewer, "wangfang", "viewer-pass-1")
    viewer.goto(f"/ui/messages/{mid}")
    expect(viewer.get_by_test_id("message-status")).to_contain_text("dead")
    expect(viewer.get_by_text("Viewers can look but not act")).to_be_visible()
    expect(viewer.get_by_role("button", name=re.compile("Replay|Retry"))).to_have_count(0)
    nav = viewer.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)

    token = viewer.locator("meta[name=csrf-token]").get_attribute("content")
    forged = viewer.request.post(f"/ui/messages/{mid}/replay", form={"csrf_token": token}, max_redirects=0)
    assert forged.status == 403
    api = viewer.request.post(f"/api/messages/{mid}/replay", headers={"X-CSRF-Token": token})
    assert api.status == 403 and api.json()["error"]["code"] == "forbidden"
    assert viewer.request.get(f"/api/messages/{mid}").json()["status"] == "dead"   # reading is allowed
    assert live_hub.admin.audit.list(action="replay").items == []


def test_new_messages_appear_in_the_live_log_without_reloading(live_hub: LiveHub, page):
    login(page)
    page.goto("/ui/messages")
    expect(page.get_by_text("No message yet")).to_be_visible()
    mid = send_order(live_hub.url, "WS-LIVE-1")
    row = page.locator(f"#m-{mid}")
    expect(row).to_contain_text("WS-LIVE-1")
    expect(row).to_contain_text("delivered")
    shown = row.locator("time")                       # in the browser's zone (Asia/Shanghai), not UTC
    utc = datetime.fromisoformat(shown.get_attribute("datetime"))
    assert shown.inner_text() == utc.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")


def test_an_admin_tries_a_mapping_on_a_logged_message_sees_the_error_position_and_saves_a_test_case(
        live_hub: LiveHub, page):
    mid = send_order(live_hub.url, "WS-PG-1", unit="箱")
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "failed", what="failure")
    login(page)
    page.goto(f"/ui/playground?mapping=webshop/order_created.jsonata&message={mid}")
    expect(page.get_by_label("Input JSON")).to_have_value(re.compile("WS-PG-1"))
    page.get_by_role("button", name="Run", exact=True).click()
    result = page.get_by_test_id("playground-result")
    expect(result).to_contain_text("'箱' is not in code table 'uom'")
    screenshot(page, "playground")

    page.get_by_label("Test case name").fill("a unit nobody knows is refused")
    page.get_by_role("button", name="Save this message as a test case").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.locator("details", has_text="a unit nobody knows is refused")).to_contain_text("pass")
    cases = (live_hub.config_dir / "mappings" / "webshop" / "order_created.tests.yaml").read_text(encoding="utf-8")
    assert "a unit nobody knows is refused" in cases and "WS-PG-1" in cases


def test_the_main_pages_render_at_1280_px_and_on_a_phone(live_hub: LiveHub, page, new_page):
    live_hub.healthy["up"] = False
    dead = send_order(live_hub.url, "WS-SC-1")
    wait_until(lambda: live_hub.hub.operations.get_message(dead).status == "dead", what="a dead delivery")
    live_hub.healthy["up"] = True
    send_order(live_hub.url, "WS-SC-2")
    login(page)
    for path, name, heading in [("/ui/", "overview", "Overview"), ("/ui/connectors", "connectors", "Connectors"),
                                ("/ui/connectors/ledger", "connector-ledger", "Ledger"),
                                ("/ui/mappings", "mappings", "Mappings"), ("/ui/audit", "audit-log", "Audit log"),
                                ("/ui/tokens", "tokens", "API tokens")]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        screenshot(page, name)
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone)
    phone.goto("/ui/messages")
    expect(phone.get_by_role("link", name="WS-SC-2")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "the page scrolls sideways"
    screenshot(phone, "messages-phone")


def test_an_admins_whole_menu_shows_at_1280_px_in_both_languages_none_of_it_cut_off(new_page):
    for locale in ("en-US", "zh-CN"):
        page = new_page(locale=locale)           # 1,280 px wide: the admin's menu has a dozen pages
        login(page)
        menu = page.locator("nav.nav")
        links = menu.get_by_role("link")
        assert links.count() >= 12
        nav = menu.bounding_box()
        for link in links.all():
            box = link.bounding_box()
            assert box["x"] + box["width"] <= nav["x"] + nav["width"] + 1, f"{link.inner_text()} is cut off"
