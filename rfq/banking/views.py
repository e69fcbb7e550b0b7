"""/supplier/bank-details/: the supplier's accounts (masked) and the guarded change request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError
from portal.core.scoped_views import get_partner_object
from portal.core.workspaces import SUPPLIER, workspace_membership

from .access import may_request_change, may_view_bank_details
from .forms import BankDetailsChangeForm
from .models import BankDetailsChange, ChangeStatus
from .reauth import has_second_factor, reauthenticate_url, second_factor_recently_used
from .selectors import accounts_of, changes_of
from .services import bank_details_change_request, bank_details_change_withdraw


@login_required
def index(request):
    """Administrators and finance people of the supplier see the accounts in force, history and requests."""
    partner = workspace_membership(request, SUPPLIER).partner
    if not may_view_bank_details(request.user, partner):
        raise PermissionDenied
    accounts = accounts_of(request.user, partner)
    changes = changes_of(request.user, partner)
    return render(
        request,
        "banking/index.html",
        {
            "partner": partner,
            "current_accounts": [account for account in accounts if account.is_current],
            "former_accounts": [account for account in accounts if not account.is_current],
            "pending_changes": [change for change in changes if change.status == ChangeStatus.PENDING],
            "decided_changes": [change for change in changes if change.status != ChangeStatus.PENDING],
            "may_request_change": may_request_change(request.user, partner),
        },
    )


@login_required
def change_request(request):
    """A supplier administrator proposes a new account, only within minutes of confirming a second factor."""
    partner = workspace_membership(request, SUPPLIER).partner
    if not may_request_change(request.user, partner):
        raise PermissionDenied
    if not has_second_factor(request.user):
        messages.warning(request, _("Set up an authenticator app or a passkey before you change bank details."))
        return redirect("mfa_index")
    if not second_factor_recently_used(request):
        if request.method == "POST":
            messages.warning(request, _("Your confirmation had expired, so nothing was saved. Please enter it again."))
        return redirect(reauthenticate_url(reverse("banking_change_request")))
    form = BankDetailsChangeForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            bank_details_change_request(
                actor=request.user,
                partner=partner,
                company=form.cleaned_data["company"],
                details=form.details(),
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to the group's finance department. "
                    "The current account stays in force until it is approved."
                ),
            )
            return redirect("banking_index")
    return render(request, "banking/change_request.html", {"partner": partner, "form": form})


@login_required
@require_POST
def change_withdraw(request, change_id):
    """Any administrator of the supplier withdraws a pending request; no second factor needed, it only stops one."""
    partner = workspace_membership(request, SUPPLIER).partner
    change = get_partner_object(request, BankDetailsChange.objects.filter(partner=partner), change_id)
    if not may_request_change(request.user, partner):
        raise PermissionDenied
    try:
        bank_details_change_withdraw(actor=request.user, change=change, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request was withdrawn; the current account stays in force."))
    return redirect("banking_index")
