"""Survivorship: each golden field comes from the source its rule prefers, and says which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.masterdata.entities import FieldRule, Survivorship
from hub.masterdata.survivorship import Member, survive

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def member(system: str, minutes: int, **payload: object) -> Member:
    return Member(f"r-{system}", system, f"{system}-1", T0 + timedelta(minutes=minutes), dict(payload))


MEMBERS = [
    member("crm", 0, code="C1", name="明辉贸易(上海)", credit_limit=1000, phone="1", tags=["a"]),
    member("erp", 5, code="100", name="上海明辉贸易有限公司", credit_limit=None, phone="2", tags=["a", "b"]),
    member("srm", 10, code="S1", name="明辉贸易", phone="2", tags=None),
]


def test_source_priority_takes_the_first_listed_system_that_has_a_value():
    rules = Survivorship(fields={"name": FieldRule(rule="source_priority", order=["erp", "crm"]),
                                 "credit_limit": FieldRule(rule="source_priority", order=["erp", "crm"])})
    fields, provenance = survive(rules, MEMBERS)
    assert fields["name"] == "上海明辉贸易有限公司" and provenance["name"]["system"] == "erp"
    assert fields["credit_limit"] == 1000 and provenance["credit_limit"]["system"] == "crm"  # erp has none


def test_most_recent_takes_the_latest_non_empty_value():
    fields, provenance = survive(Survivorship(default="most_recent"), MEMBERS)
    assert fields["name"] == "明辉贸易" and provenance["name"] == {
        "system": "srm", "local_id": "srm-1", "record_id": "r-srm", "at": (T0 + timedelta(minutes=10)).isoformat(),
        "rule": "most_recent"}


def test_most_complete_and_most_frequent():
    rules = Survivorship(fields={"tags": FieldRule(rule="most_complete"), "phone": FieldRule(rule="most_frequent")})
    fields, provenance = survive(rules, MEMBERS)
    assert fields["tags"] == ["a", "b"] and provenance["tags"]["system"] == "erp"
    assert fields["phone"] == "2"


def test_each_systems_own_code_never_becomes_a_golden_field():
    fields, _ = survive(Survivorship(), MEMBERS)
    assert "code" not in fields
