from django import forms
from django.utils.translation import gettext_lazy as _

from portal.organisations.models import Company

from .models import ApiClient
from .scopes import KNOWN_SCOPES


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiClient._meta.get_field("name").max_length,
        help_text=_("Which system calls, e.g. “erp-sh01”."),
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.order_by("code"),
        required=False,
        empty_label=_("Whole group (every company)"),
        to_field_name="code",
        help_text=_("A company's client reaches that company's data only."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=list(KNOWN_SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the system needs."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiClient.objects.filter(name=name).exists():
            raise forms.ValidationError(_("An API client named “%(name)s” exists already.") % {"name": name})
        return name
