"""The shipped entity files on pairs that must merge, and pairs that must not (a wrong merge is worse)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.masterdata.fields import normalise_record
from hub.masterdata.scoring import default_model, score
from hub.masterdata.subscriber import catalog_for


def probability(entity_name: str, a: dict[str, Any], b: dict[str, Any]) -> float:
    entity = catalog_for().get(entity_name)
    return score(entity, default_model(entity), normalise_record(entity, a), normalise_record(entity, b)).probability


def auto_merge(entity_name: str) -> float:
    return catalog_for().get(entity_name).thresholds.auto_merge


def test_one_name_in_two_registration_places_is_two_companies():
    p = probability("customer", {"name": "上海明辉贸易有限公司"}, {"name": "明辉贸易（北京）有限公司"})
    assert p < catalog_for().get("customer").thresholds.review


def test_the_same_name_in_the_same_place_outweighs_the_name_alone():
    alone = probability("customer", {"name": "上海明辉贸易有限公司"}, {"name": "明辉贸易有限公司"})
    placed = probability("customer", {"name": "上海明辉贸易有限公司"}, {"name": "明輝貿易（上海）有限公司"})
    assert placed > alone


def test_the_same_name_in_the_same_place_merges():
    assert probability("customer", {"name": "上海明辉贸易有限公司"}, {"name": "明輝貿易（上海）有限责任公司"}) \
        >= auto_merge("customer")


def test_an_exact_name_only_one_candidate_company_bears_merges_but_one_two_bear_waits():
    from hub.masterdata.scoring import term_counts

    entity = catalog_for().get("customer")
    model = default_model(entity)
    new = normalise_record(entity, {"name": "Teklo Foods (Beijing) Co. Ltd"})
    known = normalise_record(entity, {"name": "Teklo Foods Co., Ltd."})
    namesake = normalise_record(entity, {"name": "TEKLO FOODS Limited", "city": "Wuhan"})
    alone = term_counts(entity, new, [("g1", known)])
    shared = term_counts(entity, new, [("g1", known), ("g2", namesake)])
    assert score(entity, model, new, known, alone).probability >= auto_merge("customer")
    assert score(entity, model, new, known, shared).probability < auto_merge("customer")


def test_an_abbreviated_name_with_the_same_phone_is_the_same_company():
    assert probability("customer", {"name": "盈白光化工集团有限公司", "mobile": "138 1681 3996"},
                       {"name": "盈白光有限公司", "mobile": "+86-138-1681-3996"}) >= auto_merge("customer")


def test_an_exact_name_whose_phone_differs_is_not_merged_on_the_name():
    assert probability("customer", {"name": "Teklo Foods Co., Ltd.", "mobile": "138 1681 3996"},
                       {"name": "Teklo Foods Ltd", "mobile": "139 0000 1111"}) < auto_merge("customer")


def test_a_name_several_candidate_companies_share_is_worth_less_than_a_name_only_one_bears():
    from hub.masterdata.scoring import term_counts

    entity = catalog_for().get("customer")
    model = default_model(entity)
    new = normalise_record(entity, {"name": "明辉贸易(上海)有限公司"})
    shanghai = normalise_record(entity, {"name": "上海明辉贸易有限公司"})
    beijing = normalise_record(entity, {"name": "北京明辉贸易有限公司"})
    other = normalise_record(entity, {"name": "南方家居有限公司"})
    alone = term_counts(entity, new, [("g1", shanghai), ("g3", other)])
    shared = term_counts(entity, new, [("g1", shanghai), ("g2", beijing), ("g3", other)])
    assert alone == {"name": 1} and shared == {"name": 2}
    one, two = score(entity, model, new, shanghai, alone), score(entity, model, new, shanghai, shared)
    assert one.weight - two.weight == pytest.approx(1.0)
    assert two.evidence["name"]["shared_by"] == 2
    unplaced = normalise_record(entity, {"name": "明辉贸易有限公司"})
    assert score(entity, model, unplaced, shanghai, shared).probability < auto_merge("customer") \
        <= score(entity, model, unplaced, shanghai, alone).probability


def test_a_person_whose_name_was_mistyped_still_meets_their_record_by_birth_date():
    from hub.masterdata.blocking import blocking_keys

    entity = catalog_for().get("person")
    a = normalise_record(entity, {"name": "王伟", "birth_date": "1988-03-07", "city": "上海"})
    b = normalise_record(entity, {"name": "汪玮", "birth_date": "1988年03月07日", "city": "上海市"})
    assert blocking_keys(entity, a) & blocking_keys(entity, b)


def test_a_name_and_city_only_one_person_bears_merge_but_namesakes_wait_for_more():
    from hub.masterdata.scoring import term_counts

    entity = catalog_for().get("person")
    model = default_model(entity)
    new = normalise_record(entity, {"name": "王伟 先生", "city": "上海"})
    known = normalise_record(entity, {"name": "王伟", "city": "上海", "birth_date": "1989-03-07"})
    namesake = normalise_record(entity, {"name": "王伟", "city": "北京", "birth_date": "1970-01-02"})
    alone = term_counts(entity, new, [("g1", known)])
    shared = term_counts(entity, new, [("g1", known), ("g2", namesake)])
    assert score(entity, model, new, known, alone).probability >= auto_merge("person")
    assert score(entity, model, new, known, shared).probability < auto_merge("person")


def test_a_birth_date_contradicting_the_only_bearer_of_a_name_makes_the_record_a_second_bearer():
    from hub.masterdata.scoring import term_counts

    entity = catalog_for().get("person")
    model = default_model(entity)
    sparse = normalise_record(entity, {"name": "任秀", "city": "成都"})
    full = normalise_record(entity, {"name": "任秀", "city": "成都", "birth_date": "1989/03/04"})
    new = normalise_record(entity, {"name": "任秀", "city": "成都", "birth_date": "1970/03/06"})
    tf = term_counts(entity, new, [("g1", sparse), ("g1", full)])
    assert tf == {"name": 2}
    assert score(entity, model, new, sparse, tf).probability < auto_merge("person")


def test_a_mistyped_given_name_with_the_same_birth_date_and_city_is_the_same_person():
    assert probability("person", {"name": "杨婷", "birth_date": "1968-06-10", "city": "深圳"},
                       {"name": "杨杰", "birth_date": "1968/06/10", "city": "深圳市"}) >= auto_merge("person")


def test_one_digit_apart_in_the_birth_date_does_not_make_namesakes_one_person():
    assert probability("person", {"family_name": "Anderson", "given_name": "Thomas", "birth_date": "1984-02-02",
                                  "city": "Chengdu", "phone": "15025819720", "email": "thomas.anderson7@example.com"},
                       {"family_name": "Anderson", "given_name": "Thomas", "birth_date": "1984-02-01",
                        "city": "Chengdu", "phone": "17703142340", "email": "thomas.anderson94@example.com"}) \
        < auto_merge("person")
