"""Reads for bank details, always through the access layer. Each function runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from portal.organisations.access import scope_of

from .access import FINANCE
from .models import BankDetailsChange, ChangeStatus, SupplierBankAccount


def accounts_of(user: Any, partner: Any) -> list[SupplierBankAccount]:
    """The supplier's accounts, current first, then history (newest first). One query."""
    return list(
        SupplierBankAccount.objects.visible_to(user)
        .filter(partner=partner)
        .select_related("company")
        .order_by("-is_current", "company__code", "-created_at")
    )


def changes_of(user: Any, partner: Any, *, limit: int = 20) -> list[BankDetailsChange]:
    """The supplier's recent change requests, pending first. One query."""
    return list(
        BankDetailsChange.objects.visible_to(user)
        .filter(partner=partner)
        .select_related("company", "requested_by", "decided_by")
        .order_by("-requested_at")[:limit]
    )


def changes_for_staff(user: Any, *, status: str = ChangeStatus.PENDING):
    """The back-office list: the changes the person may decide, oldest pending first. One query per page."""
    scope = scope_of(user)
    changes = BankDetailsChange.objects.visible_to(user)
    if not (scope.is_group_admin or FINANCE in scope.staff_roles.get(None, frozenset())):
        finance_companies = [company for company, roles in scope.staff_roles.items() if company and FINANCE in roles]
        changes = changes.filter(company_id__in=finance_companies)
    return (
        changes.filter(status=status)
        .select_related("partner", "company", "requested_by", "decided_by")
        .order_by("requested_at" if status == ChangeStatus.PENDING else "-requested_at", "pk")
    )
