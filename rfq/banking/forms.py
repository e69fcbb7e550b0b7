"""The supplier's form for a new bank account, and the finance reason for a rejection."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.organisations.models import SupplierAccount

from .models import BankAccountDetails

DEFAULT_SLOT = "default"
IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
SWIFT_PATTERN = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def _compact(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, remainder mod 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


class BankDetailsChangeForm(forms.Form):
    company = forms.ChoiceField(
        label=_("For"),
        help_text=_("The default account is used for every company that has no account of its own."),
    )
    account_holder = forms.CharField(
        label=_("Account holder"), max_length=200, help_text=_("As registered at the bank: your organisation's name.")
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    branch = forms.CharField(label=_("Branch"), max_length=200, required=False)
    account_number = forms.CharField(
        label=_("Account number or IBAN"),
        max_length=50,
        help_text=_("Digits only (spaces are fine), or an IBAN such as DE89 3704 0044 0532 0130 00."),
    )
    swift_bic = forms.CharField(label=_("SWIFT/BIC"), max_length=20, required=False)
    bank_code = forms.CharField(
        label=_("CNAPS / bank code"), max_length=20, required=False, help_text=_("12 digits for a bank in China.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = SupplierAccount.objects.filter(partner=partner).select_related("company").order_by("company__code")
        self.companies = {str(account.company.uuid): account.company for account in accounts}
        self.fields["company"].choices = [
            (DEFAULT_SLOT, _("All companies (default account)")),
            *((key, company.name) for key, company in self.companies.items()),
        ]

    def clean_company(self):
        value = self.cleaned_data["company"]
        return None if value == DEFAULT_SLOT else self.companies[value]

    def clean_account_holder(self):
        return self.cleaned_data["account_holder"].strip()

    def clean_account_number(self):
        number = _compact(self.cleaned_data["account_number"])
        if number[:2].isalpha():
            if not IBAN_PATTERN.match(number) or not iban_is_valid(number):
                raise forms.ValidationError(_("This IBAN is not valid: check the letters and digits."))
            return number
        if not number.isdigit():
            raise forms.ValidationError(_("Use digits only (spaces and hyphens are fine), or an IBAN."))
        if not 8 <= len(number) <= 30:
            raise forms.ValidationError(_("An account number has 8 to 30 digits."))
        return number

    def clean_swift_bic(self):
        code = _compact(self.cleaned_data["swift_bic"])
        if code and not SWIFT_PATTERN.match(code):
            raise forms.ValidationError(_("A SWIFT/BIC code has 8 or 11 letters and digits, e.g. ICBKCNBJ."))
        return code

    def clean_bank_code(self):
        code = _compact(self.cleaned_data["bank_code"])
        if code and not (code.isdigit() and len(code) == 12):
            raise forms.ValidationError(_("A CNAPS code has 12 digits."))
        return code

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code, e.g. CNY."))
        return currency

    def details(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in BankAccountDetails.DETAIL_FIELDS}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The supplier's administrators read it."),
    )
