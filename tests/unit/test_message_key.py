"""What names a message in the dashboard's lists: a business key that means something, else its native type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.catalog import Catalog
from hub.dashboard.web import message_key
from hub.errors import ConfigError
from hub.settings import REPO_ROOT
from hub.views import MessageSummary

CATALOG = Catalog(REPO_ROOT / "mappings" / "canonical")
NOW = datetime(2026, 12, 4, tzinfo=UTC)


def line(**values: object) -> MessageSummary:
    return MessageSummary(**{"id": "019a8f2e-7c1d-7b3a-9e4f-0a1b2c3d4e5f", "connector": "mrp", "status": "delivered",
                             "received_at": NOW, "updated_at": NOW, **values})


def test_a_bare_run_number_is_named_as_an_mrp_run_in_the_uis_language():
    m = line(native_type="plan.released", type="mrp.plan.released", subject="42")
    assert message_key(m, "en", CATALOG) == {"text": "MRP run 42", "keyless": False}
    assert message_key(m, "zh", CATALOG) == {"text": "MRP 运算 42", "keyless": False}


def test_a_key_that_names_itself_is_shown_as_it_is():
    m = line(connector="crm", type="sales_order.placed", subject="SO-20261122-0001")
    assert message_key(m, "en", CATALOG)["text"] == "SO-20261122-0001"


def test_a_message_without_a_key_is_named_by_its_native_type_not_a_cut_id():
    assert message_key(line(native_type="stock.snapshot", status="ignored"), "en", CATALOG) == {
        "text": "stock.snapshot", "keyless": True}
    assert message_key(line(status="received"), "en", CATALOG)["text"] == "019a8f2e…"


def test_a_subject_label_without_both_languages_is_refused_at_load(tmp_path):
    schema = (REPO_ROOT / "mappings" / "canonical" / "mrp.plan.released.schema.json").read_text(encoding="utf-8")
    (tmp_path / "mrp.plan.released.schema.json").write_text(
        schema.replace('"zh": "MRP 运算"', '"de": "MRP-Lauf"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="mrp.plan.released.schema.json.*x-subject-label"):
        Catalog(tmp_path)
