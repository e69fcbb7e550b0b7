"""The supplier and customer workspace dashboards (/supplier/, /customer/): the partner, the person's tasks
from the panel registry, recent notifications, colleagues, quick links. The domain apps own the URLs and call
`workspace_dashboard`; the core knows nothing of what their panels show.

Every part runs a fixed number of queries (one each), whatever the number of notifications, tasks or colleagues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal.notifications.selectors import notifications_of
from portal.organisations.models import CustomerAccount, Membership, PartnerStatus, SupplierAccount

from .panels import panels_for
from .scoped_views import require_membership

RECENT_NOTIFICATIONS = 5
COLLEAGUES_SHOWN = 8


@dataclass(frozen=True)
class Workspace:
    key: str  # "supplier" or "customer": also the panels' `workspace`
    title: Any
    partner_flag: str  # the Partner field that admits a partner to this workspace
    account_model: type


SUPPLIER = Workspace("supplier", _("Supplier workspace"), "is_supplier", SupplierAccount)
CUSTOMER = Workspace("customer", _("Customer workspace"), "is_customer", CustomerAccount)


def workspace_membership(request, workspace: Workspace) -> Membership:
    """The membership the person acts through, if its partner belongs in this workspace; else 404."""
    membership = require_membership(request)
    if not getattr(membership.partner, workspace.partner_flag):
        raise Http404
    return membership


def workspace_context(request, workspace: Workspace, membership: Membership) -> dict:
    partner = membership.partner
    context: dict[str, Any] = {"workspace": workspace, "partner": partner, "membership": membership}
    if partner.status == PartnerStatus.PENDING:
        # Nothing to trade on before approval: say where the registration stands, not an empty dashboard.
        return {**context, "is_pending": True}
    colleagues = list(
        Membership.objects.filter(partner_id=partner.pk, is_active=True)
        .select_related("user")
        .only("roles", "user_id", "user__first_name", "user__last_name", "user__email")
        .order_by("user__last_name", "user__first_name", "user__email")[: COLLEAGUES_SHOWN + 1]
    )
    return {
        **context,
        "is_pending": False,
        "accounts": list(
            workspace.account_model.objects.filter(partner_id=partner.pk, is_active=True)
            .select_related("company")
            .only("erp_number", "currency", "payment_terms", "company__name", "company__name_en", "company__code")
            .order_by("company__code")
        ),
        "tasks": panels_for(request, workspace=workspace.key),
        "recent_notifications": list(notifications_of(request.user)[:RECENT_NOTIFICATIONS]),
        "colleagues": colleagues[:COLLEAGUES_SHOWN],
        "more_colleagues": len(colleagues) > COLLEAGUES_SHOWN,
    }


def workspace_dashboard(request, workspace: Workspace, template_name: str) -> HttpResponse:
    membership = workspace_membership(request, workspace)
    return render(request, template_name, workspace_context(request, workspace, membership))
