"""Outsider sweep registrations for onboarding (imported by the sweep test only)."""

from django.contrib.auth import get_user_model

from portal.core.outsider import OutsiderCase, register
from portal.organisations.models import Partner
from tests.factories import UserFactory
from tests.onboarding.factories import make_invitation, make_join_request, make_registration

from .models import Invitation, JoinRequest, Registration

register(
    OutsiderCase(
        url_name="onboarding_join_request",
        model=JoinRequest,
        make=lambda cast: make_join_request(partner=cast.supplier_a),
        owner=lambda cast, join_request: cast.supplier_a_admin,
        kwargs=lambda join_request: {"join_request_id": join_request.uuid},
    )
)

# The invitation link: its owner is the invited address (logged in); anyone else logged in gets 404, and an
# anonymous visitor is sent to log in because the address has an account.
register(
    OutsiderCase(
        url_name="onboarding_invitation",
        model=Invitation,
        make=lambda cast: make_invitation(
            partner=cast.customer_c,
            invited_by=cast.sales,
            email=UserFactory(email="invitee@customer-c.test").email,
        ),
        owner=lambda cast, invitation: get_user_model().objects.get(email=invitation.email),
        kwargs=lambda invitation: {"token": invitation.plain_token},
    )
)

register(
    OutsiderCase(
        url_name="onboarding_admin:registration_detail",
        model=Registration,
        make=lambda cast: make_registration(),
        owner=lambda cast, registration: cast.group_admin,
        kwargs=lambda registration: {"registration_id": registration.uuid},
    )
)

register(
    OutsiderCase(
        url_name="onboarding_admin:registration_decide",
        model=Registration,
        make=lambda cast: make_registration(),
        owner=lambda cast, registration: cast.group_admin,
        kwargs=lambda registration: {"registration_id": registration.uuid},
        method="post",
        data={"action": "approve"},
        owner_status=302,
    )
)

register(
    OutsiderCase(
        url_name="onboarding_admin:join_request_detail",
        model=JoinRequest,
        make=lambda cast: make_join_request(partner=cast.supplier_a),
        owner=lambda cast, join_request: cast.group_admin,
        kwargs=lambda join_request: {"join_request_id": join_request.uuid},
    )
)

register(
    OutsiderCase(
        url_name="onboarding_admin:customer_invite",
        model=Partner,
        make=lambda cast: cast.customer_c,
        owner=lambda cast, partner: cast.sales,
        kwargs=lambda partner: {"partner_id": partner.uuid},
    )
)
