"""Who may do what with bank details. Visibility itself is the access layer's (`visible_to`); these are the role
checks on top: 403 for a person who sees the object but lacks the role."""

from __future__ import annotations

from typing import Any

from portal.organisations.access import scope_of
from portal.organisations.models import PartnerRole

FINANCE = "finance"


def may_view_bank_details(user: Any, partner: Any) -> bool:
    """A supplier's administrators and finance people see its accounts (masked) and the pending change."""
    return scope_of(user).has_partner_role(partner.pk, PartnerRole.ADMIN, PartnerRole.FINANCE)


def may_request_change(user: Any, partner: Any) -> bool:
    return scope_of(user).has_partner_role(partner.pk, PartnerRole.ADMIN)


def may_decide_change(user: Any, change: Any) -> bool:
    """Finance of the affected company decides; a change of the default account (no company) needs group-wide
    finance. Group administrators may decide any."""
    scope = scope_of(user)
    if scope.is_group_admin:
        return True
    if change.company_id is None:
        return FINANCE in scope.staff_roles.get(None, frozenset())
    return scope.has_staff_role(FINANCE, change.company_id)


def is_bank_details_approver(user: Any) -> bool:
    """Shown the back-office list: finance staff of any company, or a group administrator."""
    scope = scope_of(user)
    return scope.is_group_admin or any(FINANCE in roles for roles in scope.staff_roles.values())
