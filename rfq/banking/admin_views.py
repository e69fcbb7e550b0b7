"""/cms/bank-details/: finance staff compare a requested bank account with the one in force and decide.

Changes come through the access layer (404 for another company's); staff who see one but may not decide it get a
403 page inside the back office."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user

from .access import is_bank_details_approver, may_decide_change
from .forms import RejectForm
from .models import BankDetailsChange, ChangeStatus
from .selectors import changes_for_staff
from .services import account_in_force, bank_details_change_approve, bank_details_change_reject

PAGE_SIZE = 50


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _staff_change(request, change_id) -> BankDetailsChange:
    """A change the person's companies may see (404 otherwise), never through a partner membership."""
    queryset = BankDetailsChange.objects.select_related("partner", "company", "requested_by", "decided_by")
    change = get_object_for_user(queryset, request.user, change_id)
    return change


def change_index(request):
    if not is_bank_details_approver(request.user):
        return _forbidden(request)
    status = request.GET.get("status", ChangeStatus.PENDING)
    if status not in ChangeStatus.values:
        status = ChangeStatus.PENDING
    page = Paginator(changes_for_staff(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "banking/admin/change_index.html",
        {
            "page_title": _("Bank details changes"),
            "header_icon": "doc-full",
            "page": page,
            "status": status,
            "statuses": ChangeStatus.choices,
        },
    )


def _comparison(current, change) -> list[tuple[str, str, str, bool]]:
    """(label, in force now, requested, differs) per field, for the approver's side-by-side check."""
    rows = []
    for name in BankDetailsChange.DETAIL_FIELDS:
        old = getattr(current, name, "") if current else ""
        new = getattr(change, name)
        rows.append((BankDetailsChange._meta.get_field(name).verbose_name, old, new, old != new))
    return rows


def change_detail(request, change_id, reject_form=None):
    change = _staff_change(request, change_id)
    if not may_decide_change(request.user, change):
        return _forbidden(request)
    current = account_in_force(partner=change.partner, company=change.company)
    return TemplateResponse(
        request,
        "banking/admin/change_detail.html",
        {
            "page_title": _("Bank details change of %(partner)s") % {"partner": change.partner.name},
            "header_icon": "doc-full",
            "change": change,
            "current": current,
            "comparison": _comparison(current, change),
            "reject_form": reject_form or RejectForm(),
            "is_pending": change.status == ChangeStatus.PENDING,
        },
    )


@require_POST
def change_approve(request, change_id):
    change = _staff_change(request, change_id)
    if not may_decide_change(request.user, change):
        return _forbidden(request)
    try:
        bank_details_change_approve(actor=request.user, change=change, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("banking_admin:change_detail", change_id=change.uuid)
    messages.success(
        request, _("Approved: the new account of %(partner)s is in force.") % {"partner": change.partner.name}
    )
    return redirect("banking_admin:change_index")


@require_POST
def change_reject(request, change_id):
    change = _staff_change(request, change_id)
    if not may_decide_change(request.user, change):
        return _forbidden(request)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return change_detail(request, change_id, reject_form=form)
    try:
        bank_details_change_reject(
            actor=request.user, change=change, reason=form.cleaned_data["reason"], request=request
        )
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("banking_admin:change_detail", change_id=change.uuid)
    messages.success(request, _("Rejected: the supplier's administrators were told why."))
    return redirect("banking_admin:change_index")
