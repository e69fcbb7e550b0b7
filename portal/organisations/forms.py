from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PARTNER_TRANSITIONS, Company, PartnerRole, PartnerStatus, StaffRoleName


class PartnerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=PartnerStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, current_status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current_status is not None:
            # offer only the statuses the transition table allows from here
            allowed = PARTNER_TRANSITIONS.get(current_status, set())
            self.fields["status"].choices = [choice for choice in PartnerStatus.choices if choice[0] in allowed]


class StaffRoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRoleName.choices)
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.all(),
        required=False,
        empty_label=_("Whole group"),
        to_field_name="uuid",
    )


class PartnerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + PartnerStatus.choices, required=False)


class MembershipRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=PartnerRole.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class TeamInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=PartnerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[PartnerRole.SALES],
        error_messages={"required": _("Choose at least one role.")},
    )
