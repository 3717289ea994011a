"""What a newcomer meets in the dashboard, in Chromium at 1,440 px and on a phone (390 px): times in the
business's zone, a trace that fits, recent transactions to click, named systems, no missing icon.

The company's own connector files drive a hub whose seven systems all answer from one real target;
one native event of each system (the first case of its inbound mapping's tests) is sent in one business
transaction. The pictures it takes go to test-artifacts/screenshots/; the README's pictures in docs/images/
come from a real demo instead (``./dev screenshots``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from hub.dashboard.charts import LABEL_CHARS, MIN_SCALE
from hub.dashboard.i18n import SYSTEMS
from hub.runtime import Hub
from hub.settings import REPO_ROOT
from tests.browser.conftest import STEP_TIMEOUT_MS, TIMEZONE, LiveHub, serving
from tests.browser.helpers import PHONE, login, screenshot, wait_until
from tests.support.signing import signed
from tests.support.target import Target

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
COMPANY = ("crm", "erp", "mrp", "mes", "wms", "srm", "oa")
DEAL = "deal-newcomer-7"


def first_cases() -> list[tuple[str, str, dict]]:
    """(connector, native event type, native body): the first test case of each system's first tested inbound mapping."""
    out = []
    for name in COMPANY:
        connector = yaml.safe_load((REPO_ROOT / "connectors" / f"{name}.yaml").read_text(encoding="utf-8"))
        for native, event in (connector.get("inbound") or {}).get("events", {}).items():
            cases = REPO_ROOT / "mappings" / event["mapping"].replace(".jsonata", ".tests.yaml")
            good = [c for c in (yaml.safe_load(cases.read_text(encoding="utf-8")) if cases.exists() else [])
                    if isinstance(c, dict) and "input" in c and "expected" in c]
            if good:
                out.append((name, native, good[0]["input"]))
                break
    return out


@pytest.fixture
def company(make_settings, monkeypatch) -> Iterator[LiveHub]:
    """The company's connectors, every system answered by one target, one transaction across all seven."""
    with Target() as target:
        for name in COMPANY:
            monkeypatch.setenv(f"HUB_URL_{name.upper()}", target.url)
        with serving(Hub.build(make_settings(config_dir=REPO_ROOT, time_zone=TIMEZONE))) as (url, admin):
            ids = []
            for i, (name, native, body) in enumerate(first_cases()):
                content, headers = signed(body, connector=name, extra_headers={
                    "ce-specversion": "1.0", "ce-type": native,
                    "ce-source": f"/{name}", "ce-id": f"ce-newcomer-{i}", "ce-correlationid": DEAL})
                r = httpx.post(f"{url}/webhooks/{name}", content=content, headers=headers)
                assert r.status_code == 202, (name, r.text)
                ids.append(r.json()["id"])
            for i, (name, native, body) in enumerate(first_cases()[:3]):  # and three more, one system each
                content, headers = signed(body, connector=name, extra_headers={
                    "ce-specversion": "1.0", "ce-type": native, "ce-source": f"/{name}",
                    "ce-id": f"ce-other-{i}", "ce-correlationid": f"deal-{name}-only"})
                r = httpx.post(f"{url}/webhooks/{name}", content=content, headers=headers)
                assert r.status_code == 202, (name, r.text)
                ids.append(r.json()["id"])
            ops = admin.hub.operations
            wait_until(lambda: all(ops.get_message(i).status not in ("received", "delivering") for i in ids),
                       timeout=60, what="the transaction to settle")
            yield LiveHub(url=url, hub=admin.hub, admin=admin, target=target, config_dir=REPO_ROOT)


@pytest.fixture
def company_page(browser, company: LiveHub):
    """Pages on the company's hub: fresh contexts in China's time zone, at a given viewport and locale."""
    contexts = []

    def make(*, locale: str = "en-US", viewport: dict[str, int] = WIDE):
        ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id=TIMEZONE, base_url=company.url)
        ctx.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


def no_sideways_scroll(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "the page scrolls sideways"


def test_the_trace_of_a_seven_system_transaction_fits_1440_px_and_a_phone_with_full_labels_on_hover(
        company_page):
    for lang, locale in (("en", "en-US"), ("zh", "zh-CN")):
        page = company_page(viewport=WIDE, locale=locale)
        login(page)
        page.goto(f"/ui/traces/{DEAL}")
        svg = page.get_by_test_id("trace-picture")
        expect(svg).to_be_visible()
        lanes = page.get_by_test_id("lane-title")
        assert lanes.count() >= 6, "most of the company's systems take part"
        card = page.get_by_test_id("trace-card").bounding_box()
        last = lanes.last.bounding_box()
        assert last["x"] + last["width"] <= card["x"] + card["width"], "the last lane is cut off"
        assert page.evaluate("(() => { const c = document.querySelector('[data-testid=trace-card]');"
                             " return c.scrollWidth <= c.clientWidth + 1; })()"), "the drawing needs scrolling"
        titles = svg.locator("a > title").all_text_contents()
        labels = svg.locator("a text.step-label").all_text_contents()
        assert labels and all(len(text) <= LABEL_CHARS for text in labels)
        for text in labels:  # every shortened label's full text is in a title shown on hover
            assert any(text.rstrip("…") in full for full in titles), text
        names = lanes.all_text_contents()
        assert (SYSTEMS["crm"][0][1] if lang == "zh" else "CRM") in names
        no_sideways_scroll(page)
        screenshot(page, f"trace-{lang}")

    phone = company_page(viewport=PHONE)
    login(phone)
    phone.goto(f"/ui/traces/{DEAL}")
    expect(phone.get_by_test_id("trace-picture")).to_be_visible()
    no_sideways_scroll(phone)  # the drawing scrolls inside its card, never the page
    svg = phone.get_by_test_id("trace-picture")
    natural = float(svg.get_attribute("viewBox").split()[2])
    assert svg.bounding_box()["width"] >= MIN_SCALE * natural - 1, "shrunk past readability"
    screenshot(phone, "trace-phone")


def test_the_traces_page_lists_recent_transactions_to_open_with_keys_systems_and_state(company_page):
    for lang, locale in (("en", "en-US"), ("zh", "zh-CN")):
        page = company_page(viewport=WIDE, locale=locale)
        login(page)
        page.goto("/ui/traces")
        table = page.get_by_test_id("recent-transactions")
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(4)
        row = table.locator("tbody tr", has=page.locator(f"a[href$='/traces/{DEAL}']"))
        systems = row.locator("td").nth(1).inner_text()
        assert (SYSTEMS["erp"][0][1] if lang == "zh" else "ERP") in systems
        assert len(systems.split("→")) >= 6
        assert row.locator(".badge").count() == 1
        keys = table.locator("tbody tr td:first-child").all_text_contents()
        assert any(k.strip().startswith("MRP 运算 " if lang == "zh" else "MRP run ") for k in keys), keys
        no_sideways_scroll(page)
        screenshot(page, f"traces-{lang}")
        row.get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/ui/traces/{DEAL}$"))
        expect(page.get_by_test_id("trace-picture")).to_be_visible()
    phone = company_page(viewport=PHONE)
    login(phone)
    phone.goto("/ui/traces")
    expect(phone.get_by_test_id("recent-transactions")).to_be_visible()
    no_sideways_scroll(phone)


def test_connectors_show_whole_base_urls_and_short_descriptions_in_the_uis_language(company_page):
    for lang, locale in (("en", "en-US"), ("zh", "zh-CN")):
        page = company_page(viewport=WIDE, locale=locale)
        login(page)
        page.goto("/ui/connectors")
        urls = page.get_by_test_id("base-url").all()
        assert urls
        for address in urls:  # one line box each: never broken mid-address
            assert address.evaluate("el => el.getClientRects().length") == 1, address.inner_text()
        summaries = page.get_by_test_id("summary").all_text_contents()
        assert summaries and all(len(s) <= 90 for s in summaries)
        if lang == "zh":
            assert all(re.search(r"[\u4e00-\u9fff]", s) for s in summaries), summaries
            expect(page.get_by_role("link", name=SYSTEMS["wms"][0][1])).to_be_visible()
        else:
            assert not any(re.search(r"[\u4e00-\u9fff]", s) for s in summaries), summaries
        no_sideways_scroll(page)
        screenshot(page, f"connectors-{lang}")
    phone = company_page(viewport=PHONE)
    login(phone)
    phone.goto("/ui/connectors")
    no_sideways_scroll(phone)


def test_times_are_in_the_business_zone_named_in_the_header_with_utc_on_hover(live_hub: LiveHub, new_page):
    from tests.browser.helpers import send_order

    mid = send_order(live_hub.url, "WS-TZ-9")
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "delivered", what="delivery")
    for viewport in (WIDE, PHONE):
        page = new_page(viewport=viewport)
        login(page)
        page.goto("/ui/messages")
        zone = page.get_by_test_id("time-zone")
        expect(zone).to_have_text("Asia/Shanghai (UTC+08:00)")
        expect(zone).to_be_visible()
        shown = page.locator(f"#m-{mid} time").first
        received = live_hub.hub.operations.get_message(mid).received_at
        assert shown.inner_text() == received.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%d %H:%M:%S")
        assert shown.get_attribute("title") == received.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        no_sideways_scroll(page)


def test_rounds_are_explained_on_hover_and_no_page_asks_for_a_missing_icon(live_hub: LiveHub, new_page):
    from tests.browser.helpers import send_order

    mid = send_order(live_hub.url, "WS-RD-1")
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "delivered", what="delivery")
    for locale, words in (("en-US", "retry schedule"), ("zh-CN", "重试计划")):
        page = new_page(viewport=WIDE, locale=locale)
        missing: list[str] = []
        page.on("response", lambda r, seen=missing: r.status == 404 and seen.append(r.url))
        page.on("console", lambda m, seen=missing: m.type == "error" and seen.append(m.text))
        login(page)
        page.goto(f"/ui/messages/{mid}")
        rounds = page.get_by_test_id("rounds")
        expect(rounds).to_be_visible()
        assert words in rounds.get_attribute("title")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert httpx.get(f"{live_hub.url}{icon}").status_code == 200
        assert httpx.get(f"{live_hub.url}/favicon.ico", follow_redirects=True).status_code == 200
        assert not missing, missing


def test_a_message_nobody_receives_says_why_in_its_trace_and_on_its_page(live_hub: LiveHub, new_page):
    body = {"type": "order.created", "order": {"number": "WS-FREE-1", "created": "2026-11-22T10:00:00+08:00",
            "customer": {"code": "C-1"}, "items": [{"sku": "GIFT", "quantity": "1", "price": 0, "uom": "件"}]}}
    content, headers = signed(body, extra_headers={"ce-specversion": "1.0", "ce-type": "order.created",
                                                   "ce-source": "/shop", "ce-id": "ce-free-1",
                                                   "ce-correlationid": "deal-free"})
    mid = httpx.post(f"{live_hub.url}/webhooks/webshop", content=content, headers=headers).json()["id"]
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "no_route", what="no route")
    for viewport, locale, words in ((WIDE, "en-US", "filter is false: data.total > 0"),
                                    (PHONE, "zh-CN", "的过滤条件不成立：data.total > 0")):
        page = new_page(viewport=viewport, locale=locale)
        login(page)
        page.goto("/ui/traces/deal-free")
        reason = page.get_by_test_id("no-route").first
        expect(reason).to_be_visible()
        expect(reason).to_contain_text(words)
        assert words in page.get_by_test_id("trace-picture").locator("a > title").first.text_content()
        no_sideways_scroll(page)
        page.goto(f"/ui/messages/{mid}")
        expect(page.get_by_test_id("no-route").first).to_contain_text(words)
        no_sideways_scroll(page)


def test_the_message_list_names_an_mrp_run_and_never_shows_a_cut_id(company: LiveHub, company_page):
    for viewport, locale, label in ((WIDE, "en-US", "MRP run "), (PHONE, "zh-CN", "MRP 运算 ")):
        page = company_page(viewport=viewport, locale=locale)
        login(page)
        page.goto("/ui/messages")
        keys = page.get_by_test_id("message-key")
        expect(keys.first).to_be_visible()
        texts = keys.all_text_contents()
        assert any(t.startswith(label) for t in texts), texts
        assert not any(re.fullmatch(r"[0-9a-f]{8}…", t) for t in texts), texts
        no_sideways_scroll(page)


def test_the_overview_zooms_to_the_activity_and_a_range_can_be_picked(live_hub: LiveHub, new_page):
    from tests.browser.helpers import send_order

    mid = send_order(live_hub.url, "WS-RANGE-1")
    wait_until(lambda: live_hub.hub.operations.get_message(mid).status == "delivered", what="delivery")
    for viewport in (WIDE, PHONE):
        page = new_page(viewport=viewport)
        login(page)
        page.goto("/ui/")
        picker = page.get_by_test_id("range-picker")
        expect(picker.locator("[aria-current=true]")).to_have_attribute("data-range", "auto")
        expect(page.locator(".stat .n").first).to_have_text("1")
        picker.locator("[data-range='6h']").click()
        expect(page).to_have_url(re.compile(r"range=6h"))
        expect(page.get_by_test_id("range-picker").locator("[aria-current=true]")).to_have_attribute(
            "data-range", "6h")
        no_sideways_scroll(page)


def test_the_mappings_page_shows_each_processs_version_and_a_failed_case_its_differences(
        live_hub: LiveHub, new_page):
    cases = live_hub.config_dir / "mappings" / "ledger" / "book_order.tests.yaml"
    cases.write_text(cases.read_text(encoding="utf-8").replace("    amount: 5160", "    amount: 5170"),
                     encoding="utf-8")
    for viewport in (WIDE, PHONE):
        page = new_page(viewport=viewport)
        login(page)
        page.goto("/ui/mappings")
        page.get_by_role("button", name="Reload mappings from disk").click()
        expect(page.locator("p.flash.ok[role=status]")).to_contain_text("1 of 1 processes applied it")
        row = page.locator("#processes tbody tr")
        expect(row).to_have_count(1)
        expect(row.locator(".version")).to_have_text(live_hub.hub.registry.mappings.version)
        page.goto("/ui/mappings/ledger/book_order.jsonata")
        diff = page.get_by_test_id("case-diff")
        expect(diff).to_be_visible()
        expect(diff.locator("tbody tr")).to_have_count(1)
        expect(diff.locator("tbody tr td").first).to_have_text("amount")
        no_sideways_scroll(page)
