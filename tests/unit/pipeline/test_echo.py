"""An event is an echo of a call the hub made to its sender when it reports every field of that call's body."""

from __future__ import annotations

from hub.mapping import make_engine
from hub.pipeline.echo import Echo, reports
from hub.pipeline.routing import targets, why_no_route
from hub.registry import load_registry
from hub.settings import REPO_ROOT

WRITTEN = {"name": "绵阳涪城办公家具有限公司", "tax_no": "91510700MA62Y00029", "credit_limit": 60000,
           "payment_terms_days": 30, "currency": "CNY", "status": "active", "name_en": None}
"""What the hub sent ERP for a CRM customer (PUT /api/customers/by-ref/crm/…)."""
ERP_EVENT = {"event": "customer.saved", "event_id": "e-1", "ts": 1764800000, "company_code": "1000",
             "body": {"customer_id": 100006, "name": "绵阳涪城办公家具有限公司", "tax_no": "91510700MA62Y00029",
                      "credit_limit": "60000.00", "payment_terms_days": 30, "currency": "CNY", "status": "active",
                      "discount_pct": "0.00", "ext_refs": {"crm": "CUS-000107"}, "change": "created"}}


def test_an_event_carrying_every_field_the_hub_wrote_is_its_echo_wherever_the_record_sits():
    assert reports(ERP_EVENT, WRITTEN)
    assert reports({"data": {"record": ERP_EVENT["body"]}}, WRITTEN)


def test_a_field_the_system_changed_since_makes_it_news():
    renamed = {**ERP_EVENT, "body": {**ERP_EVENT["body"], "name": "绵阳涪城办公家具有限公司（更名）"}}
    assert not reports(renamed, WRITTEN)
    assert not reports(ERP_EVENT, {**WRITTEN, "credit_limit": 60000.01})


def test_a_field_the_hub_wrote_that_the_event_lacks_makes_it_news():
    assert not reports(ERP_EVENT, {**WRITTEN, "contact_name": "王磊"})


def test_amounts_compare_as_numbers_and_nested_objects_and_lists_by_their_fields():
    assert reports({"creditLimit": "80000.00", "refs": {"erp": "100006", "srm": "S-1"}, "tags": [{"k": 1, "x": 2}]},
                   {"creditLimit": 80000, "refs": {"erp": 100006}, "tags": [{"k": 1}]})
    assert not reports({"tags": [{"k": 1}, {"k": 2}]}, {"tags": [{"k": 1}]})
    assert not reports({"active": 1}, {"active": True})
    assert not reports({"code": "abc"}, {"code": "ABC"})


def test_an_empty_or_non_object_call_reports_nothing():
    assert not reports(ERP_EVENT, {})
    assert not reports(ERP_EVENT, {"name_en": None})
    assert not reports(ERP_EVENT, "name")
    assert not reports(ERP_EVENT, None)


def test_an_echo_goes_to_every_subscriber_but_the_origin_of_the_call_it_reports():
    registry = load_registry(REPO_ROOT, make_engine("jlens"))
    env = {"type": "party.customer.upserted", "source": "/connectors/erp",
           "data": {"code": "100006", "name": "绵阳涪城办公家具有限公司", "tax_id": "91510700MA62Y00029"}}
    functions = lambda target: {"hasxref": lambda *a: True}  # noqa: E731 (CRM knows the customer)
    assert {t.connector for t in targets(registry, env, origin="erp", functions_for=functions)} >= {"crm", "wms"}
    echo = Echo(delivery_id="d-1", message_id="m-1", origin="crm")
    found = {t.connector for t in targets(registry, env, origin="erp", functions_for=functions, echo=echo)}
    assert "crm" not in found and "wms" in found
    reasons = why_no_route(registry, {**env, "data": {**env["data"], "tax_id": None}}, origin="erp",
                           functions_for=functions, echo=echo)
    assert [r["code"] for r in reasons if r["connector"] == "crm"] == ["echo", "echo"]


def test_only_a_connector_that_sends_and_receives_a_type_can_echo_it():
    registry = load_registry(REPO_ROOT, make_engine("jlens"))
    assert registry.two_way("erp", "party.customer.upserted") and registry.two_way("crm", "party.customer.upserted")
    assert not registry.two_way("wms", "party.customer.upserted")  # receives customers, sends none
    assert not registry.two_way("crm", "sales_order.placed")  # sends orders, receives none
