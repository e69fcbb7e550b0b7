"""Outsider sweep registrations for the back office (/cms/) and the API (imported by the sweep test only)."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.core.outsider import OutsiderCase, register
from portal.onboarding.models import Invitation
from portal.organisations.models import Membership, Partner, StaffRole


def _person(cast):
    return cast.buyer


register(
    OutsiderCase(
        url_name="organisations_admin:partner_detail",
        model=Partner,
        make=lambda cast: cast.supplier_a,
        owner=lambda cast, partner: cast.buyer,
        kwargs=lambda partner: {"partner_id": partner.uuid},
    )
)
register(
    OutsiderCase(
        url_name="organisations_admin:partner_status",
        model=Partner,
        make=lambda cast: cast.supplier_a,
        owner=lambda cast, partner: cast.group_admin,
        kwargs=lambda partner: {"partner_id": partner.uuid},
        method="post",
        data={"status": "blocked", "reason": "sweep"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="organisations_admin:membership_detail",
        model=Membership,
        make=lambda cast: Membership.objects.get(user=cast.supplier_a_sales),
        owner=lambda cast, membership: cast.buyer,
        kwargs=lambda membership: {"membership_id": membership.uuid},
    )
)
register(
    OutsiderCase(
        url_name="organisations_admin:partner_invite",
        model=Partner,
        make=lambda cast: cast.supplier_a,
        owner=lambda cast, partner: cast.group_admin,
        kwargs=lambda partner: {"partner_id": partner.uuid},
        method="post",
        data={"email": "contact@supplier-a.test", "roles": ["admin", "sales"]},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="organisations_admin:partner_invitation_revoke",
        model=Invitation,
        make=lambda cast: Invitation.objects.create(
            partner=cast.supplier_a,
            email="contact@supplier-a.test",
            roles=["sales"],
            invited_by=cast.buyer,
            token_hash=secrets.token_hex(32),
            expires_at=timezone.now() + timedelta(days=7),
        ),
        owner=lambda cast, invitation: cast.buyer,
        kwargs=lambda invitation: {"invitation_id": invitation.uuid},
        method="post",
        owner_status=302,
    )
)
for url_name, method, data in (
    ("organisations_admin:person_detail", "get", {}),
    ("organisations_admin:person_mfa_reset", "post", {}),
    ("organisations_admin:person_role_grant", "post", {"role": "finance", "company": ""}),
):
    register(
        OutsiderCase(
            url_name=url_name,
            model=get_user_model(),
            make=_person,
            owner=lambda cast, person: cast.group_admin,
            kwargs=lambda person: {"person_id": person.uuid},
            method=method,
            data=data,
            owner_status=200 if method == "get" else 302,
        )
    )
register(
    OutsiderCase(
        url_name="organisations_admin:person_role_revoke",
        model=StaffRole,
        make=lambda cast: StaffRole.objects.get(user=cast.buyer),
        owner=lambda cast, staff_role: cast.group_admin,
        kwargs=lambda staff_role: {"role_id": staff_role.uuid},
        method="post",
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="api-v1:get_partner",
        model=Partner,
        make=lambda cast: cast.supplier_a,
        owner=lambda cast, partner: cast.api_a,
        kwargs=lambda partner: {"partner_id": partner.uuid},
    )
)
