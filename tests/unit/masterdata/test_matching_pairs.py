"""The shipped entity files on pairs that must merge, and pairs that must not (a wrong merge is worse)."""

from __future__ import annotations

from typing import Any

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
