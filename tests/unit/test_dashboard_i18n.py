"""Every word of the dashboard exists in Chinese and English, and the browser's preference is honoured."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from hub.auth.roles import ROLES
from hub.dashboard import i18n
from hub.stats import RANGES
from hub.store.models import DeliveryStatus, MessageStatus

DASHBOARD = Path(i18n.__file__).parent
LITERAL_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.]+)['"]""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*DASHBOARD.rglob("*.html"), *DASHBOARD.rglob("*.py")]:
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_a_template_or_page_uses_is_in_the_catalog():
    missing = sorted(used_keys() - set(i18n.CATALOG))
    assert not missing, f"not in hub/dashboard/i18n.py: {missing}"


def test_keys_built_from_states_roles_and_outcomes_are_in_the_catalog():
    dynamic = ([f"status.{s}" for s in (*MessageStatus.ALL, *DeliveryStatus.ALL)] + [f"role.{r}" for r in ROLES] +
               [f"outcome.{o}" for o in ("success", "transient", "rejected", "waiting", "mapping_error")] +
               [f"health.{h}" for h in ("healthy", "degraded", "failing", "idle", "paused", "open", "closed")] +
               ["mappings.inbound", "mappings.outbound", "processes.api", "processes.worker"] +
               [f"range.{r}" for r in ("auto", *RANGES)] +
               [f"noroute.{c}" for c in ("no_subscription", "sender_only", "echo", "filter_false", "no_recipients",
                                         "wire_tap_only", "no_elements")])
    assert not [k for k in dynamic if k not in i18n.CATALOG]


@pytest.mark.parametrize("key", sorted(i18n.CATALOG))
def test_each_entry_has_both_languages_with_the_same_placeholders(key):
    en, zh = i18n.CATALOG[key]
    assert en.strip() and zh.strip()
    names = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (en, zh)]
    assert names[0] == names[1]


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("fr-FR, zh-TW;q=0.5", "zh"),
    ("de-DE", "en"),
    ("", "en"),
    ("zh;q=0.4, en;q=0.6", "en"),
])
def test_chinese_is_chosen_when_the_browser_prefers_it(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_the_translator_fills_in_values_in_either_language():
    assert i18n.translator("en")("dead.confirm_button", n=3) == "Retry 3 deliveries"
    assert i18n.translator("zh")("dead.confirm_button", n=3) == "重试 3 条投递"
    assert "/webhooks/{connector}" in i18n.translator("en")("messages.empty_all")
