import os

from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError
from portal.documents.services import clean_original_name, inspect_file
from portal.organisations.models import PartnerRole

from .validators import validate_tax_id

LICENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
LICENCE_MAX_BYTES = 10 * 1024 * 1024

COUNTRY_CHOICES = [
    ("CN", _("China (mainland)")),
    ("HK", _("Hong Kong, China")),
    ("TW", _("Taiwan, China")),
    ("SG", _("Singapore")),
    ("JP", _("Japan")),
    ("KR", _("South Korea")),
    ("DE", _("Germany")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
    ("VN", _("Vietnam")),
]


def email_taken(email: str) -> bool:
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200, help_text=_("As on the business licence."))
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country or region"), choices=COUNTRY_CHOICES, initial="CN")
    tax_id = forms.CharField(
        label=_("Unified social credit code / tax id"),
        max_length=60,
        help_text=_("In mainland China the 18-character unified social credit code; elsewhere the tax or VAT number."),
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("You log in with this address; we send a link to verify it.")
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("PDF, JPG or PNG, at most %(limit)s.") % {"limit": filesizeformat(LICENCE_MAX_BYTES)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email):
            raise forms.ValidationError(
                _("A user with this e-mail address already exists. Log in, or reset your password."), code="taken"
            )
        return email

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        user = get_user_model()(email=self.data.get("email", ""))
        password_validation.validate_password(password, user)
        return password

    def clean_licence(self):
        licence = self.cleaned_data["licence"]
        name = clean_original_name(licence.name or "")
        extension = os.path.splitext(name)[1].lower().lstrip(".")
        if extension not in LICENCE_EXTENSIONS:
            raise forms.ValidationError(_("Upload the licence as a PDF, JPG or PNG file."), code="type")
        if licence.size > LICENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(LICENCE_MAX_BYTES)},
                code="size",
            )
        try:
            inspect_file(licence, name, max_bytes=LICENCE_MAX_BYTES)
        except DomainError as error:
            raise forms.ValidationError(error.message, code="content") from error
        return licence

    def clean(self):
        cleaned = super().clean()
        if "tax_id" in cleaned and "country" in cleaned:
            try:
                cleaned["tax_id"] = validate_tax_id(cleaned["tax_id"], cleaned["country"])
            except forms.ValidationError as error:
                self.add_error("tax_id", error)
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("choices", PartnerRole.choices)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)


class JoinRequestDecisionForm(forms.Form):
    ACCEPT = "accept"
    DECLINE = "decline"
    action = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))], widget=forms.HiddenInput)
    roles = RolesField(required=False, initial=[PartnerRole.SALES])
    reason = forms.CharField(
        label=_("Reason (if you decline)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.ACCEPT and not cleaned.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        if cleaned.get("action") == self.DECLINE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason; the applicant reads it."))
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("The applicant reads it in the e-mail."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    roles = RolesField(initial=[PartnerRole.SALES])


class InvitedPasswordForm(forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, get_user_model()(email=self.email))
        return password

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
