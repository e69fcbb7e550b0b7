"""allauth signal glue: enrolling a second factor proves it, so the session counts as MFA-authenticated."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added)
def count_enrolment_as_second_factor(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type in ("totp", "webauthn"):
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)
