"""/supplier/approvals/: where the supplier stands on the group's approved vendor lists, and what to do about a
block, an expired approval or a missing document. Every member of the supplier may look."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.core.workspaces import SUPPLIER, workspace_membership
from portal.organisations.models import SupplierAccount

from .decision import entry_decision
from .models import ApprovedSupplier


@login_required
def approvals(request):
    membership = workspace_membership(request, SUPPLIER)
    partner = membership.partner
    entries = (
        ApprovedSupplier.objects.visible_to(request.user)
        .filter(partner_id=partner.pk)
        .select_related("company", "category", "partner")
        .order_by("company__code", "category__code")
    )
    rows = [(entry, entry_decision(entry)) for entry in entries]
    covered = {entry.company_id for entry, _decision in rows}
    # Companies the supplier has an account with but no AVL entry at all (nor a group-wide one): not yet approved.
    waiting = []
    if None not in covered:
        waiting = list(
            SupplierAccount.objects.filter(partner_id=partner.pk, is_active=True)
            .exclude(company_id__in=[pk for pk in covered if pk is not None])
            .select_related("company")
            .order_by("company__code")
        )
    return render(
        request,
        "avl/approvals.html",
        {"partner": partner, "membership": membership, "rows": rows, "waiting": waiting},
    )
