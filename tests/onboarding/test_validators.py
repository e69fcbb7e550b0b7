import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.onboarding.validators import is_valid_uscc, uscc_check_character, validate_tax_id


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000600037341L", "91310000132149237G"],
)
def test_real_unified_social_credit_codes_are_valid(code):
    assert is_valid_uscc(code)
    assert validate_tax_id(code.lower(), "CN") == code


def test_the_check_character_is_computed_per_gb_32100():
    assert uscc_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code, message",
    [
        ("91350100M000100Y44", "This unified social credit code is not valid: its last character does not match."),
        ("91350100M000100Y4", "A unified social credit code has 18 characters"),
        ("91350100M00O100Y43", "A unified social credit code has 18 characters"),
        ("9135010AM000100Y43", "A unified social credit code has 18 characters"),
    ],
)
def test_malformed_codes_are_refused_with_a_reason(code, message):
    with pytest.raises(ValidationError) as error:
        validate_tax_id(code, "CN")
    assert error.value.messages[0].startswith(message)


def test_foreign_tax_ids_are_4_to_40_letters_and_digits():
    assert validate_tax_id("de 123-456-789", "DE") == "DE123456789"
    for bad in ("AB1", "X" * 41, "DE123/456"):
        with pytest.raises(ValidationError) as error:
            validate_tax_id(bad, "DE")
        assert error.value.messages == ["Enter the tax or VAT number: 4 to 40 letters and digits."]


@pytest.fixture(autouse=True)
def in_english():
    # the messages are asserted in the source language; the Chinese catalogue is checked by test_translations
    with translation.override("en"):
        yield
