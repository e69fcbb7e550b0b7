import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The zones people of the group and its partners actually pick first; every IANA zone stays available.
COMMON_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
]


def time_zone_choices():
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))
    return [(zone, zone) for zone in COMMON_ZONES] + [(zone, zone) for zone in others]


class PreferencesForm(forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times are shown in this zone."),
    )
