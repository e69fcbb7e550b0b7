"""Who may do what with sales orders in the back office. Visibility is the access layer's (`visible_to`, 404 for
another company's order); these are the role checks on top (403 for staff who see the order but lack the role).

- view orders: sales, sales managers and finance of the company, and group administrators (finance reads only);
- review lines (confirm, reduce, reject): sales and sales managers of the company;
- grant a special credit approval (特批): sales managers of the company only."""

from __future__ import annotations

from typing import Any

from portal.organisations.access import scope_of
from portal.organisations.models import StaffRoleName

SALES = StaffRoleName.SALES.value
SALES_MANAGER = StaffRoleName.SALES_MANAGER.value
FINANCE = StaffRoleName.FINANCE.value
VIEW_ROLES = (SALES, SALES_MANAGER, FINANCE)
REVIEW_ROLES = (SALES, SALES_MANAGER)


def _company_id(company: Any) -> int | None:
    return getattr(company, "pk", company)


def may_view_orders(user: Any, company: Any = None) -> bool:
    """Sees the back office's sales orders (of `company`, or of any company when None)."""
    scope = scope_of(user)
    if scope.is_group_admin:
        return True
    return any(scope.has_staff_role(role, _company_id(company)) for role in VIEW_ROLES)


def may_review_orders(user: Any, company: Any) -> bool:
    scope = scope_of(user)
    return any(scope.has_staff_role(role, _company_id(company)) for role in REVIEW_ROLES)


def may_grant_credit(user: Any, company: Any) -> bool:
    return scope_of(user).has_staff_role(SALES_MANAGER, _company_id(company))


def order_companies(user: Any, *roles: str) -> tuple[bool, set[int]]:
    """(every company, the ids of companies) where the person holds one of `roles` (default: the viewing roles,
    where a group administrator counts everywhere)."""
    scope = scope_of(user)
    roles = roles or VIEW_ROLES
    group_roles = scope.staff_roles.get(None, frozenset())
    if set(roles) & group_roles or (roles == VIEW_ROLES and scope.is_group_admin):
        return True, set()
    return False, {company for company, held in scope.staff_roles.items() if company and set(roles) & held}


def narrow_to_companies(queryset, user: Any, *roles: str, path: str = "company"):
    every, companies = order_companies(user, *roles)
    return queryset if every else queryset.filter(**{f"{path}__in": companies})
