"""Why a canonical message went to nobody: one reason per subscription to its type, or that there is none."""

from __future__ import annotations

from hub.mapping import make_engine
from hub.pipeline.routing import targets, why_no_route
from hub.registry import load_registry
from hub.settings import REPO_ROOT
from tests.unit.pipeline.test_recipient_list import COMPUTED, with_ledger


def test_a_decision_that_concerns_no_subscriber_names_each_subscribers_false_filter():
    """The blocked order's trace: OA's rejected credit release concerns neither the ERP nor SRM (the audit
    archive only takes its copy)."""
    registry = load_registry(REPO_ROOT, make_engine("jlens"))
    env = {"type": "approval.decided", "source": "/connectors/oa",
           "data": {"business_type": "credit_release", "result": "rejected", "business_no": "SO-1"}}
    assert [t.route.connector for t in targets(registry, env, origin="oa") if t.tap] == ["audit"]
    assert [t for t in targets(registry, env, origin="oa") if not t.tap] == []
    reasons = why_no_route(registry, env, origin="oa")
    assert sorted((r["code"], r["connector"]) for r in reasons) == [("filter_false", "erp"),
                                                                    ("filter_false", "srm"),
                                                                    ("wire_tap_only", "audit")]
    erp = next(r for r in reasons if r["connector"] == "erp")
    assert erp["expression"] == 'data.business_type = "credit_release" and data.result = "approved"'
    assert erp["text"] == f"erp's filter is false: {erp['expression']}"


def test_a_type_nobody_subscribes_to_says_so(registry):
    env = {"type": "doc.unheard_of", "source": "/connectors/shop", "data": {}}
    assert why_no_route(registry, env, origin="shop") == [
        {"code": "no_subscription", "connector": None, "expression": None,
         "text": "no connector subscribes to doc.unheard_of"}]


def test_a_message_never_goes_back_to_its_sender(registry):
    env = {"type": "doc.created", "source": "/connectors/ledger", "data": {"doc_no": "D-1", "lines": []}}
    assert {r["code"] for r in why_no_route(registry, env, origin="ledger")} == {"sender_only"}


def test_a_recipient_list_that_names_nothing_is_the_reason(tmp_path):
    registry = with_ledger(tmp_path, COMPUTED)
    env = {"type": "doc.created", "source": "/connectors/shop", "data": {"doc_no": "X-1", "lines": []}}
    [reason] = why_no_route(registry, env, origin="shop")
    assert reason["code"] == "no_recipients" and reason["connector"] == "ledger"
    assert "data.doc_no" in reason["expression"]
