"""Outsider sweep registrations for /account/ (imported by the sweep test only)."""

import secrets
from datetime import timedelta

from django.utils import timezone

from portal.core.outsider import OutsiderCase, register
from portal.onboarding.models import Invitation
from portal.organisations.models import Membership, Partner

register(
    OutsiderCase(
        url_name="account_switch_partner",
        model=Partner,
        make=lambda cast: cast.supplier_a,
        owner=lambda cast, partner: cast.supplier_a_sales,
        kwargs=lambda partner: {"partner_id": partner.uuid},
        method="post",
        owner_status=302,
    )
)

register(
    OutsiderCase(
        url_name="account_team_member",
        model=Membership,
        make=lambda cast: Membership.objects.get(user=cast.supplier_a_sales),
        owner=lambda cast, membership: cast.supplier_a_admin,
        kwargs=lambda membership: {"membership_id": membership.uuid},
    )
)


def _invitation(cast):
    return Invitation.objects.create(
        partner=cast.supplier_a,
        email="new.colleague@supplier-a.test",
        roles=["sales"],
        invited_by=cast.supplier_a_admin,
        token_hash=secrets.token_hex(32),
        expires_at=timezone.now() + timedelta(days=7),
    )


register(
    OutsiderCase(
        url_name="account_team_invitation_revoke",
        model=Invitation,
        make=_invitation,
        owner=lambda cast, invitation: cast.supplier_a_admin,
        kwargs=lambda invitation: {"invitation_id": invitation.uuid},
        method="post",
        owner_status=302,
    )
)
