"""Who may do what in sourcing. Visibility is the access layer's (`visible_to`); these are the role checks on top:
403 for a person who sees the object but lacks the role."""

from __future__ import annotations

from typing import Any

from portal.organisations.access import scope_of
from portal.organisations.models import PartnerRole, StaffRoleName

BUYER = StaffRoleName.BUYER.value
SOURCING_MANAGER = StaffRoleName.SOURCING_MANAGER.value


def may_manage_rfq(user: Any, company: Any) -> bool:
    """Create, edit, invite, publish, amend, answer questions, start rounds, propose awards."""
    scope = scope_of(user)
    company_id = getattr(company, "pk", company)
    return (
        scope.is_group_admin
        or scope.has_staff_role(BUYER, company_id)
        or scope.has_staff_role(SOURCING_MANAGER, company_id)
    )


def may_open(user: Any, company: Any) -> bool:
    """One of the two openers of a round: a sourcing manager of the company (or group-wide). A group
    administrator without the role may not: the ceremony is the sourcing managers'."""
    return scope_of(user).has_staff_role(SOURCING_MANAGER, getattr(company, "pk", company))


def may_approve_award(user: Any, company: Any) -> bool:
    return scope_of(user).has_staff_role(SOURCING_MANAGER, getattr(company, "pk", company))


def may_bid(user: Any, partner: Any) -> bool:
    """Bids, declines and questions are the supplier's sales people's and administrators'."""
    return scope_of(user).has_partner_role(getattr(partner, "pk", partner), PartnerRole.ADMIN, PartnerRole.SALES)


def is_sourcing_staff(user: Any) -> bool:
    """Shown the RFQs menu: any staff user (viewing is open to the company's staff; acting needs the roles)."""
    return scope_of(user).is_staff
