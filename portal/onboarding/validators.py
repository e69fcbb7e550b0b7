"""Tax ids: the Chinese unified social credit code (统一社会信用代码, GB 32100-2015) with its check character, or
abroad a VAT or tax number of 4 to 40 letters and digits."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: 31 characters, without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
FOREIGN_PATTERN = re.compile(r"^[A-Z0-9]{4,40}$")


def normalise_tax_id(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    return bool(USCC_PATTERN.match(value)) and uscc_check_character(value[:17]) == value[17]


def validate_tax_id(value: str, country: str) -> str:
    """The normalised tax id, or ValidationError with a message for the person."""
    tax_id = normalise_tax_id(value)
    if country == "CN":
        if len(tax_id) != 18 or not USCC_PATTERN.match(tax_id):
            raise ValidationError(
                _("A unified social credit code has 18 characters: digits and capital letters without I, O, S, V, Z."),
                code="uscc_format",
            )
        if not is_valid_uscc(tax_id):
            raise ValidationError(
                _("This unified social credit code is not valid: its last character does not match. Check for typos."),
                code="uscc_check",
            )
    elif not FOREIGN_PATTERN.match(tax_id):
        raise ValidationError(_("Enter the tax or VAT number: 4 to 40 letters and digits."), code="tax_id_format")
    return tax_id
