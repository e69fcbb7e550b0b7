"""Onboarding objects for tests and the outsider sweep."""

import secrets
from datetime import timedelta

from django.utils import timezone

from portal.onboarding.models import Invitation, JoinRequest, Registration, RegistrationKind
from portal.onboarding.services import _hash_token
from portal.organisations.models import Membership, PartnerStatus
from tests.factories import PartnerFactory, UserFactory


def make_registration(*, kind=RegistrationKind.SUPPLIER, email=None, **partner_fields) -> Registration:
    applicant = UserFactory(**({"email": email} if email else {}))
    partner = PartnerFactory(
        status=PartnerStatus.PENDING,
        is_supplier=kind == RegistrationKind.SUPPLIER,
        is_customer=kind == RegistrationKind.CUSTOMER,
        **partner_fields,
    )
    Membership.objects.create(user=applicant, partner=partner, roles=["admin", "sales", "finance"])
    return Registration.objects.create(
        kind=kind, applicant=applicant, partner=partner, contact_name="王经理", phone="+86 21 5555 0101"
    )


def make_join_request(*, partner, user=None) -> JoinRequest:
    return JoinRequest.objects.create(user=user or UserFactory(), partner=partner, contact_name="李工", phone="139")


def make_invitation(*, partner, invited_by, email, roles=("sales",), expires_in=timedelta(days=7)) -> Invitation:
    """An invitation with its plain token kept on the object (`plain_token`), as only the e-mail would have it."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        partner=partner,
        email=email,
        roles=list(roles),
        invited_by=invited_by,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + expires_in,
    )
    invitation.plain_token = token
    return invitation
