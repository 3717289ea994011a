"""Normalisation: the variants real systems type for one company, person or phone read alike."""

from __future__ import annotations

import pytest

from hub.masterdata.normalise import (
    company_core,
    company_name,
    company_place,
    email,
    iso_date,
    national_id_valid,
    person_name,
    phone,
    tax_id,
    uscc_check_char,
    uscc_valid,
)

VALID_USCC = "91310000MA1K4A0X7" + uscc_check_char("91310000MA1K4A0X7")


@pytest.mark.parametrize("variant", [
    "上海明辉贸易有限公司", "明辉贸易(上海)有限公司", "明辉贸易（上海）有限公司", "明輝貿易（上海）有限公司",
    "上海市明辉贸易有限责任公司", "明辉贸易有限公司", "明辉贸易集团", "明辉贸易股份有限公司", "明辉贸易 (上海) 有限公司",
])
def test_chinese_company_names_lose_places_brackets_legal_forms_and_width(variant):
    assert company_name(variant) == "明辉贸易"


@pytest.mark.parametrize("variant", [
    "Minghui Trading (Shanghai) Co., Ltd.", "MINGHUI TRADING CO LTD", "Minghui Trading Company Limited",
    "Minghui Trade Co.", "The Minghui Trading Corp.", "ＭＩＮＧＨＵＩ　ＴＲＡＤＩＮＧ　ＩＮＣ",
])
def test_english_company_names_lose_legal_forms_and_read_abbreviations_as_words(variant):
    assert company_name(variant) == "minghui trading"


def test_the_core_of_a_company_name_drops_industry_words_so_a_short_form_meets_the_full_one():
    assert company_core("北京华远科技股份有限公司") == company_core("华远") == "华远"


def test_the_core_of_a_company_name_drops_every_trailing_industry_word():
    assert company_core("紫信五金制品(宁波)有限公司") == company_core("紫信（宁波）有限责任公司") == "紫信"


@pytest.mark.parametrize("variant", [
    "上海明辉贸易有限公司", "明辉贸易(上海)有限公司", "明輝貿易（上海）有限公司", "上海市", "Shanghai",
    "Minghui Trading (Shanghai) Co., Ltd.",
])
def test_the_place_a_company_name_or_city_names_reads_alike_in_either_script(variant):
    assert company_place(variant) == "shanghai"


def test_a_company_name_without_a_place_has_none_and_a_province_gives_way_to_its_city():
    assert company_place("明辉贸易有限公司") is None
    assert company_place("Acme Trading Ltd") is None
    assert company_place("广东省深圳市明辉电子有限公司") == "shenzhen"


def test_a_bracketed_part_that_is_not_a_place_or_legal_form_is_kept():
    assert company_name("明辉(国际)贸易有限公司") == "明辉国际贸易"


def test_a_valid_unified_social_credit_code_passes_its_check_digit():
    assert uscc_valid(VALID_USCC)


@pytest.mark.parametrize("broken", [
    VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1"),  # wrong check digit
    VALID_USCC[:5] + ("1" if VALID_USCC[5] != "1" else "2") + VALID_USCC[6:],  # one mistyped character
    VALID_USCC[:17],  # truncated
    VALID_USCC[:3] + "I" + VALID_USCC[4:],  # a letter the code never uses
    "", None,
])
def test_an_invalid_unified_social_credit_code_is_refused(broken):
    assert not uscc_valid(broken)


def test_a_tax_id_is_folded_to_upper_case_without_spaces_or_dashes():
    spaced = f"{VALID_USCC[:4]}-{VALID_USCC[4:10]} {VALID_USCC[10:].lower()}"
    assert tax_id(spaced) == VALID_USCC


def test_a_tax_id_typed_with_o_for_zero_is_read_as_the_valid_code():
    assert tax_id(VALID_USCC.replace("0", "O")) == VALID_USCC


def test_a_national_id_is_checked_with_its_mod_11_check_character_and_birth_date():
    assert national_id_valid("11010519491231002X")
    assert not national_id_valid("110105194912310021")
    assert not national_id_valid("110105194913310028")  # month 13


@pytest.mark.parametrize("variant", [
    "138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "(+86) 138 0013 8000", "13800138000",
])
def test_a_mobile_number_is_the_same_e164_however_it_is_typed(variant):
    assert phone(variant) == "+8613800138000"


@pytest.mark.parametrize("variant", ["021-5888 1234", "(021) 58881234 转 801", "021-58881234-801",
                                     "+86 21 5888 1234 ext. 12"])
def test_a_landline_is_the_same_e164_with_or_without_an_extension(variant):
    assert phone(variant) == "+862158881234"


def test_person_names_lose_titles_and_latin_names_agree_in_either_order():
    assert person_name("Mr. John SMITH") == person_name("Smith, John") == "john smith"
    assert person_name("張偉 先生") == person_name("张伟") == "张伟"


def test_emails_and_dates_are_folded():
    assert email(" Wang.Fang@MingHui.CN ") == "wang.fang@minghui.cn"
    assert email("not an address") is None
    assert iso_date("1990/03/07") == iso_date("1990年03月07日") == iso_date("19900307") == "1990-03-07"
