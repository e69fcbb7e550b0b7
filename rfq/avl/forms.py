"""Forms of the AVL back office: the list's filters and the entry form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from portal.organisations.models import Company, Partner

from .models import AvlStatus

GROUP_WIDE = "group"
MAX_EXPIRING_DAYS = 3650


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.display_name}"


class AvlFilterForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"), required=False)
    category = CategoryChoiceField(
        label=_("Category (with its subcategories)"),
        queryset=Category.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *AvlStatus.choices])
    q = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    expiring_within = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=MAX_EXPIRING_DAYS
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [
            ("", _("All")),
            (GROUP_WIDE, _("Group-wide")),
            *((company.code, f"{company.code} {company.name}") for company in companies),
        ]
        self.fields["q"].widget.attrs["placeholder"] = _("Name or tax id")


class AvlEntryChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AvlStatus.choices)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the entry holds, in the company's time zone; empty: no end."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to block; the supplier sees it."),
    )


class AvlEntryCreateForm(AvlEntryChangeForm):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("Group-wide (every company)"),
    )
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    partner = forms.CharField(label=_("Supplier's tax id"), max_length=40)

    field_order = ["company", "category", "partner", "status", "valid_until", "reason"]

    def __init__(self, *args, user, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["company"].queryset = companies

    def clean_partner(self):
        tax_id = self.cleaned_data["partner"].strip()
        partner = Partner.objects.visible_to(self.user).filter(tax_id=tax_id, is_supplier=True).first()
        if partner is None:
            raise forms.ValidationError(_("No supplier you look after has this tax id."))
        return partner
