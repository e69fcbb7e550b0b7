"""The customer's orders (/customer/orders/): every order of the partner the person acts for, at every company of
the group, placed in the portal or in the ERP alike; an order's page shows each line as ordered and as confirmed
(quantity, promised date, reason of a rejection), the history the customer may read, the confirmation PDF and the
actions (pay, cancel, order again) that the cart and payments parts serve.

Orders are fetched through `SalesOrder.objects.visible_to(user)` narrowed to the active partner: another
customer's order is a 404. Any member of the partner reads its orders."""

from __future__ import annotations

from importlib import import_module

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.core.scoped_views import get_partner_object, login_required
from portal.core.workspaces import CUSTOMER, workspace_membership
from portal.organisations.access import scope_of
from portal.organisations.models import Company, PartnerRole, PartnerStatus

from .history import history_entries
from .models import OrderStatus
from .selectors import confirmed_totals, customer_orders, order_lines, public_history, with_earliest_promise

PAGE_SIZE = 20
CANCELLABLE = (OrderStatus.AWAITING_PAYMENT, OrderStatus.CREDIT_HOLD, OrderStatus.SUBMITTED)
ORDERING_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)


def _partner(request):
    """The customer the person acts for (approved; 404 otherwise: nothing to show)."""
    membership = workspace_membership(request, CUSTOMER)
    if membership.partner.status != PartnerStatus.APPROVED:
        raise Http404
    return membership.partner


class CustomerOrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    company = forms.ChoiceField(label=gettext_lazy("Company"), required=False)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *OrderStatus.choices]
        self.fields["company"].choices = [("", _("All")), *[(company.code, str(company)) for company in companies]]


@login_required
@require_GET
def order_list(request):
    partner = _partner(request)
    orders = customer_orders(request.user, partner)
    companies = Company.objects.filter(customer_accounts__partner=partner).distinct().order_by("code")
    form = CustomerOrderFilterForm(request.GET or None, companies=list(companies))
    if form.is_valid():
        if form.cleaned_data["status"]:
            orders = orders.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["company"]:
            orders = orders.filter(company__code=form.cleaned_data["company"])
    page = Paginator(with_earliest_promise(orders), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "selfservice/orders/list.html",
        {"partner": partner, "form": form, "page": page, "query_string": query.urlencode()},
    )


def _url(name: str, **kwargs) -> str | None:
    """A URL another part of the shop serves, once it exists (this page works before it lands)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _has_confirmation_pdf() -> bool:
    try:
        return hasattr(import_module("selfservice.orders.confirmation"), "order_confirmation_pdf")
    except ImportError:
        return False


def _order(request, order_id):
    partner = _partner(request)
    return partner, get_partner_object(request, customer_orders(request.user, partner), order_id)


@login_required
@require_GET
def order_detail(request, order_id):
    partner, order = _order(request, order_id)
    lines = order_lines(order)
    may_order = scope_of(request.user).has_partner_role(partner.pk, *ORDERING_ROLES)
    actions = {
        "pay": _url("payments:pay", order_id=order.uuid) if order.status == OrderStatus.AWAITING_PAYMENT else None,
        "cancel": _url("payments:order_cancel", order_id=order.uuid)
        if may_order and order.status in CANCELLABLE
        else None,
        "reorder": _url("cart:reorder", order_id=order.uuid) if may_order else None,
    }
    return render(
        request,
        "selfservice/orders/detail.html",
        {
            "partner": partner,
            "order": order,
            "lines": lines,
            "totals": confirmed_totals(lines),
            "history": history_entries(public_history(order)),
            "actions": actions,
            "confirmation_pdf": _has_confirmation_pdf(),
        },
    )


@login_required
@require_GET
def order_confirmation(request, order_id):
    """The order confirmation as a PDF in the reader's language (the cart part renders it)."""
    _partner_, order = _order(request, order_id)
    try:
        confirmation = import_module("selfservice.orders.confirmation")
        render_confirmation = confirmation.order_confirmation_pdf
    except (ImportError, AttributeError) as error:
        raise Http404 from error
    content = render_confirmation(order, get_language())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{order.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
