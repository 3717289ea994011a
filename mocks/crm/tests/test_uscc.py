"""The unified social credit code check (GB 32100-2015)."""

import pytest

from mocks.common import company
from mocks.crm.rules.uscc import check_char, uscc_problem


@pytest.mark.parametrize("code", [c["tax_id"] for c in company.CUSTOMERS + company.SUPPLIERS])
def test_every_real_format_code_of_the_company_dataset_is_valid(code):
    assert uscc_problem(code) is None


def test_the_check_character_is_computed_from_the_first_seventeen():
    assert check_char("91310115MA1K4B2C3") == "J"


@pytest.mark.parametrize(("code", "why"), [
    ("91310115MA1K4B2C3", "must be 18 characters"),
    ("91310115MA1K4B2C3K", "check digit is 'K' but GB 32100 gives 'J'"),
    ("91310115MA1K4B2CIJ", "contains 'I'"),
    ("91A10115MA1K4B2C3J", "6-digit administrative region code"),
])
def test_a_wrong_code_is_refused_with_the_reason(code, why):
    assert why in (uscc_problem(code) or "")
