from django import forms
from django.utils.translation import gettext_lazy as _


class EmailPreferencesForm(forms.Form):
    email_groups = forms.MultipleChoiceField(
        label=_("Send me an e-mail about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Notifications always appear in your inbox; this only chooses the e-mail copies."),
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_groups"].choices = [(group.key, group.label) for group in groups]
