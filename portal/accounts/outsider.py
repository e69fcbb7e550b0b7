"""Outsider sweep registrations for /account/ (imported by the sweep test only)."""

from portal.core.outsider import OutsiderCase, register
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
