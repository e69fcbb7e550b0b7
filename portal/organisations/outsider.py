"""Outsider sweep registrations for the back office (/cms/) and the API (imported by the sweep test only)."""

from django.contrib.auth import get_user_model

from portal.core.outsider import OutsiderCase, register
from portal.organisations.models import Partner, StaffRole


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
