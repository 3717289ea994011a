"""Comparators, agreement levels, the Fellegi–Sunter weight, EM learning without labels, thresholds."""

from __future__ import annotations

import random

import pytest

from hub.masterdata.compare import level, similarity
from hub.masterdata.scoring import Model, learn, probability
from tests.unit.masterdata.conftest import entity_from


def test_jaro_winkler_forgives_a_typo_but_not_another_name():
    assert similarity("jaro_winkler", "minghui trading", "minghiu trading") > 0.9
    assert similarity("jaro_winkler", "minghui trading", "huayuan technology") < 0.7


def test_company_names_compare_by_pinyin_so_a_homophone_typo_stays_close():
    assert similarity("company_name", "明辉贸易", "明晖贸易") >= 0.9
    assert similarity("company_name", "明辉贸易", "南方家居") < 0.6


def test_an_abbreviated_company_name_contained_in_the_full_one_is_credited():
    assert similarity("company_name", "华远", "华远科技") >= 0.85


def test_a_chinese_company_name_without_its_industry_words_agrees_more_than_a_mere_containment():
    abbreviated = similarity("company_name", "紫信", "紫信五金制品")
    assert abbreviated is not None and abbreviated >= 0.92
    assert (similarity("company_name", "华远", "华远科技建") or 0) < 0.92  # contains it, but not as brand + industry


def test_two_industry_words_after_one_brand_earn_no_abbreviation_credit():
    assert (similarity("company_name", "明辉贸易", "明辉科技") or 0) < 0.92


def test_chinese_names_one_given_name_character_apart_are_close_but_another_family_is_not():
    assert (similarity("person_name", "张子涵", "张梓涵") or 0) >= 0.85
    assert (similarity("person_name", "杨杰", "杨婷") or 0) >= 0.85
    assert (similarity("person_name", "杨杰", "李杰") or 0) < 0.85


def test_latin_person_names_that_sound_alike_agree_phonetically():
    assert similarity("person_name", "jon smyth", "john smith") >= 0.9
    assert similarity("phonetic", "catherine", "kathryn") == 1.0


def test_multi_valued_fields_agree_when_any_value_does():
    assert similarity("exact", ["+861", "+862"], ["+863", "+862"]) == 1.0
    assert similarity("exact", ["+861"], None) is None


def test_levels_cut_a_similarity_at_the_declared_thresholds():
    thresholds = [1.0, 0.9, 0.8]
    assert [level(x, thresholds) for x in (1.0, 0.95, 0.85, 0.1, None)] == [0, 1, 2, 3, None]


def test_the_match_probability_grows_with_the_weight_of_evidence():
    assert probability(0) == 0.5
    assert probability(10) > 0.999 and probability(-10) < 0.001


def test_em_recovers_m_and_u_from_unlabelled_comparison_vectors():
    rng = random.Random(7)
    # Three conditionally independent fields: the fewest with which the mixture is identifiable.
    true_m = {"name": [0.85, 0.1, 0.05], "phone": [0.7, 0.3], "city": [0.9, 0.1]}
    true_u = {"name": [0.02, 0.08, 0.9], "phone": [0.01, 0.99], "city": [0.1, 0.9]}
    vectors = []
    for _ in range(20000):
        probs = true_m if rng.random() < 0.3 else true_u
        vectors.append({f: rng.choices(range(len(p)), weights=p)[0] for f, p in probs.items()})
    start = Model(prior=0.1, m={"name": [0.5, 0.3, 0.2], "phone": [0.6, 0.4], "city": [0.6, 0.4]},
                  u={"name": [0.2, 0.3, 0.5], "phone": [0.3, 0.7], "city": [0.3, 0.7]})
    learnt = learn(vectors, start)
    assert learnt.prior == pytest.approx(0.3, abs=0.03)
    for f in true_m:
        assert learnt.m[f] == pytest.approx(true_m[f], abs=0.04)
        assert learnt.u[f] == pytest.approx(true_u[f], abs=0.04)


def test_missing_values_are_neither_evidence_for_nor_against(tmp_path):
    from hub.masterdata.scoring import default_model, score

    entity = entity_from(tmp_path)
    model = default_model(entity)
    both = score(entity, model, {"name": "明辉贸易", "phone": "+8613800138000"},
                 {"name": "明辉贸易", "phone": "+8613800138000"})
    without_phone = score(entity, model, {"name": "明辉贸易", "phone": None}, {"name": "明辉贸易", "phone": "+861"})
    other_phone = score(entity, model, {"name": "明辉贸易", "phone": "+862"}, {"name": "明辉贸易", "phone": "+861"})
    assert both.probability > without_phone.probability > other_phone.probability
    assert without_phone.evidence["phone"]["weight"] == 0.0


def test_em_on_a_handful_of_pairs_stays_near_the_starting_values_instead_of_collapsing():
    start = Model(prior=0.05, m={"name": [0.6, 0.3, 0.1], "phone": [0.8, 0.2]},
                  u={"name": [0.01, 0.09, 0.9], "phone": [0.001, 0.999]})
    learnt = learn([{"name": 1, "phone": None}, {"name": 2, "phone": 1}, {"name": 1, "phone": None}], start)
    for f in start.m:
        assert all(0.001 <= p for p in learnt.m[f])
        assert learnt.m[f] == pytest.approx(start.m[f], abs=0.15)
