"""A data steward in Chromium: an uncertain pair waits in the review queue, the steward's merge takes
effect, and an unmerge restores both golden records and their cross-references exactly."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hub.masterdata.subscriber import catalog_for, record_source
from hub.runtime import Hub
from hub.settings import REPO_ROOT
from hub.store import CrossReference, GoldenRecord
from tests.browser.conftest import STEP_TIMEOUT_MS, TIMEZONE, VIEWPORT, serving
from tests.browser.helpers import login, screenshot

pytestmark = pytest.mark.browser


def customer(system: str, code: str, **data: object) -> dict[str, object]:
    return {"specversion": "1.0", "id": f"ev-{system}-{code}", "type": "party.customer.upserted",
            "source": f"/connectors/{system}", "time": "2026-12-03T08:00:00+08:00", "data": {"code": code, **data}}


CRM = customer("crm", "CUS-000301", name="上海明辉贸易有限公司",
               contacts=[{"name": "王芳", "mobile": "138 0013 8000"}],
               addresses=[{"street": "浦东新区世纪大道100号", "city": "上海市"}])
MAYBE = customer("erp", "100302", name="明辉商贸有限公司", contacts=[{"name": "王小姐", "mobile": "13800138000"}])
"""Shares CRM's phone but not quite its name, and has no tax id: a pair for a steward."""


@pytest.fixture
def steward_hub(make_settings) -> Iterator[tuple[str, Hub]]:
    """The hub on the repository's own config (its master-data entities), served over HTTP."""
    hub = Hub.build(make_settings(config_dir=REPO_ROOT, time_zone=TIMEZONE))
    with serving(hub) as (url, _admin):
        yield url, hub


def state(hub: Hub) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(cross-reference rows of customers, active golden ids)."""
    with hub.db.read() as s:
        xrefs = sorted((x.system, x.local_id, x.golden_id)
                       for x in s.scalars(select(CrossReference).where(CrossReference.entity == "customer")))
        active = sorted(g.id for g in s.scalars(select(GoldenRecord).where(
            GoldenRecord.entity == "customer", GoldenRecord.status == "active")))
    return xrefs, active


def test_a_stewards_merge_in_the_dashboard_takes_effect_and_an_unmerge_restores_both(browser, steward_hub):
    url, hub = steward_hub
    catalog = catalog_for(REPO_ROOT)
    with hub.db.session() as s:
        record_source(s, CRM, catalog=catalog)
        uncertain = record_source(s, MAYBE, catalog=catalog)
    assert uncertain is not None and len(uncertain.review_links) == 1
    before = state(hub)
    assert len(before[1]) == 2

    ctx = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id=TIMEZONE, base_url=url)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = ctx.new_page()
        login(page)
        page.goto("/ui/masterdata/reviews")
        card = page.locator("section[data-review]")
        assert card.count() == 1
        assert "erp:100302" in card.inner_text() and "crm:CUS-000301" in card.inner_text()
        screenshot(page, "masterdata-review-queue")
        page.get_by_role("button", name=re.compile("Merge", re.I)).first.click()
        page.wait_for_url(re.compile(r"/ui/masterdata/golden/"))
        merged_id = page.url.rsplit("/", 1)[-1]
        assert "100302" in page.content() and "CUS-000301" in page.content()

        xrefs, active = state(hub)
        assert active == [merged_id]
        assert {golden for _, _, golden in xrefs} == {merged_id}

        page.get_by_role("button", name=re.compile("Undo the last merge", re.I)).click()
        page.get_by_text(re.compile("Unmerged: both records")).wait_for()
        screenshot(page, "masterdata-unmerged")
        assert state(hub) == before
    finally:
        ctx.close()


@pytest.mark.parametrize("locale, contact, address", [
    ("en-US", "王芳 · mobile 138 0013 8000 · primary contact", "浦东新区世纪大道100号 · city 上海市 · default"),
    ("zh-CN", "王芳 · 手机 138 0013 8000 · 主要联系人", "浦东新区世纪大道100号 · 城市 上海市 · 默认"),
])
def test_the_golden_record_shows_contacts_and_addresses_as_readable_lists(browser, steward_hub, locale, contact,
                                                                         address):
    url, hub = steward_hub
    record = customer("crm", "CUS-000302", name="上海明辉贸易有限公司", contacts=[
        {"name": "王芳", "mobile": "138 0013 8000", "is_primary": True}, {"name": "李伟", "email": "li.wei@minghui.cn"}],
        addresses=[{"street": "浦东新区世纪大道100号", "city": "上海市", "is_default": True}])
    with hub.db.session() as s:
        outcome = record_source(s, record, catalog=catalog_for(REPO_ROOT))
    assert outcome is not None

    ctx = browser.new_context(viewport=VIEWPORT, locale=locale, timezone_id=TIMEZONE, base_url=url)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = ctx.new_page()
        login(page)
        page.goto(f"/ui/masterdata/golden/{outcome.golden_id}")
        contacts = page.locator("tr[data-field=contacts] li")
        assert contacts.all_inner_texts() == [contact, "李伟 · " + ("e-mail" if locale == "en-US" else "邮箱")
                                              + " li.wei@minghui.cn"]
        assert page.locator("tr[data-field=addresses] li").all_inner_texts() == [address]
        assert "{" not in page.locator("tr[data-field=contacts]").inner_text()  # no JSON left
        screenshot(page, f"masterdata-golden-lists-{locale}")
    finally:
        ctx.close()
