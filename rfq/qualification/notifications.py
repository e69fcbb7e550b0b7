"""What the qualification notifications say (each person reads them in their own language)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_group, register_kind

register_group("qualification", label=_("Qualification documents"), order=75)

register_kind(
    "qualification.document_accepted",
    title=_("%(type)s %(number)s was accepted"),
    body=_("Your qualification document %(type)s %(number)s of %(partner)s was accepted."),
    group="qualification",
)
register_kind(
    "qualification.document_rejected",
    title=_("%(type)s %(number)s was rejected"),
    body=_("Your qualification document %(type)s %(number)s of %(partner)s was rejected. Reason: %(reason)s"),
    group="qualification",
)
register_kind(
    "qualification.document_expiring",
    title=_("%(type)s %(number)s expires on %(expires_on)s"),
    body=_(
        "The qualification document %(type)s %(number)s of %(partner)s expires on %(expires_on)s. "
        "Upload a renewed document in time so that staff can review it."
    ),
    group="qualification",
)
