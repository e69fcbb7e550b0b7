import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.organisations.models import Company

from .models import ALL_TOPICS, OutboxStatus

# "partner.status_changed", a prefix "partner.*", or "*"
TOPIC_PATTERN = re.compile(r"^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?)$")


class OutboxEventFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + OutboxStatus.choices, required=False)
    topic = forms.CharField(label=_("Topic"), required=False, help_text=_("e.g. “partner.” for all partner events"))
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False, to_field_name="code"
    )

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies


class WebhookEndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    topics = forms.CharField(
        label=_("Topics"),
        initial=ALL_TOPICS,
        help_text=_("Comma-separated topics or prefixes, e.g. “partner.*, document.uploaded”; “*” for every topic."),
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.order_by("code"),
        required=False,
        empty_label=_("Whole group (every event)"),
        to_field_name="code",
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_topics(self) -> list[str]:
        topics = [topic.strip() for topic in self.cleaned_data["topics"].split(",") if topic.strip()]
        if not topics:
            raise forms.ValidationError(_("Name at least one topic, or “*” for every topic."))
        for topic in topics:
            if not TOPIC_PATTERN.match(topic):
                raise forms.ValidationError(
                    _("“%(topic)s” is not a topic or a prefix such as “partner.*”.") % {"topic": topic}
                )
        return list(dict.fromkeys(topics))
