"""What the onboarding notifications say (each person reads them in their own language)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

register_kind(
    "onboarding.registration_submitted",
    title=_("New registration to review: %(partner)s"),
    body=_("%(partner)s (%(tax_id)s) registered as %(kind)s and waits for approval."),
    group="onboarding",
)
register_kind(
    "onboarding.registration_approved",
    title=_("Your registration of %(partner)s was approved"),
    body=_("%(partner)s was approved. You can now log in and use the portal."),
    group="onboarding",
)
register_kind(
    "onboarding.registration_rejected",
    title=_("Your registration of %(partner)s was rejected"),
    body=_("%(partner)s was not approved. Reason: %(reason)s"),
    group="onboarding",
)
register_kind(
    "onboarding.join_requested",
    title=_("%(person)s asks to join %(partner)s"),
    body=_("%(person)s signed up with the tax id of %(partner)s and asks to become a member. Accept or decline."),
    group="onboarding",
)
register_kind(
    "onboarding.join_accepted",
    title=_("You are now a member of %(partner)s"),
    body=_("Your request to join %(partner)s was accepted."),
    group="onboarding",
)
register_kind(
    "onboarding.join_declined",
    title=_("Your request to join %(partner)s was declined"),
    body=_("Your request to join %(partner)s was declined. Reason: %(reason)s"),
    group="onboarding",
)
register_kind(
    "onboarding.invitation_accepted",
    title=_("%(person)s accepted your invitation to %(partner)s"),
    body=_("%(person)s is now a member of %(partner)s."),
    group="onboarding",
)
