"""Sales orders in the staff back office (/cms/orders/): the list with filters and counts per status, and order
review (订单评审): the header, the customer's credit, each line against the list price, the ERP's stock and the
item's lead time (产销平衡), the line decisions and the sales managers' special credit approval (特批).

Staff see the orders of the companies where they are sales, sales managers or finance (group administrators: all);
another company's order is a 404, a colleague without one of those roles gets 403. Only sales and sales managers
decide lines, only sales managers grant approvals; the services check it again. Orders are named by uuid in the
path; selfservice/orders/outsider.py registers each pattern."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.back_office import allowed_if
from portal.core.back_office import forbidden as _forbidden
from portal.core.errors import DomainError
from portal.organisations.access import scope_of
from portal.organisations.models import Company

from .access import may_grant_credit, may_review_orders, may_view_orders, narrow_to_companies, order_companies
from .credit import credit_position
from .history import history_entries
from .models import CreditApproval, OrderSource, OrderStatus, SalesOrder, SalesOrderLine
from .review import (
    DEFAULT_APPROVAL_DAYS,
    MAX_APPROVAL_DAYS,
    approval_default_amount,
    credit_approval_grant,
    order_line_confirm,
    order_line_reduce,
    order_line_reject,
)
from .selectors import company_today, confirmed_totals, order_lines, review_lines, staff_history, status_counts

PAGE_SIZE = 50


orders_staff_required = allowed_if(may_view_orders)


def _visible(user):
    return narrow_to_companies(SalesOrder.objects.visible_to(user), user).select_related(
        "company", "customer", "customer_account"
    )


def _get(user, order_id) -> SalesOrder:
    """The order if the person may see it, else 404. The views check the orders roles after this fetch, so that
    staff of another company get 404 and learn nothing, and colleagues without the role 403."""
    found = (
        SalesOrder.objects.visible_to(user)
        .filter(uuid=order_id)
        .select_related("company", "customer", "customer_account", "ship_to", "placed_by", "reviewed_by")
    )
    order = found.first()
    if order is None:
        raise Http404
    return order


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False)
    customer = forms.CharField(label=gettext_lazy("Customer"), required=False, max_length=100)
    source = forms.ChoiceField(label=gettext_lazy("Placed through"), required=False)
    submitted_from = forms.DateField(label=gettext_lazy("Submitted from"), required=False)
    submitted_until = forms.DateField(label=gettext_lazy("Submitted until"), required=False)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["status"].choices = [("", _("All")), *OrderStatus.choices]
        self.fields["source"].choices = [("", _("All")), *OrderSource.choices]


def _day_start(day, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


@orders_staff_required
@require_GET
def order_index(request):
    every, company_ids = order_companies(request.user)
    companies = Company.objects.all() if every else Company.objects.filter(pk__in=company_ids)
    form = OrderFilterForm(request.GET or None, companies=companies.order_by("code"))
    orders = _visible(request.user)
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        if data["company"] is not None:
            orders = orders.filter(company=data["company"])
        if data["customer"].strip():
            text = data["customer"].strip()
            orders = orders.filter(
                Q(customer__name__icontains=text)
                | Q(customer__name_en__icontains=text)
                | Q(customer__tax_id__iexact=text)
                | Q(customer_account__erp_number__iexact=text)
                | Q(number__icontains=text)
            )
        if data["source"]:
            orders = orders.filter(source=data["source"])
        zone = timezone.get_current_timezone_name()
        if data["submitted_from"]:
            orders = orders.filter(submitted_at__gte=_day_start(data["submitted_from"], zone))
        if data["submitted_until"]:
            orders = orders.filter(submitted_at__lt=_day_start(data["submitted_until"] + timedelta(days=1), zone))
    # The counts per status answer "how many wait where" for the other filters; the status filter picks one.
    counts = status_counts(orders)
    if status:
        orders = orders.filter(status=status)
    orders = orders.order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-id")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    without_status = query.copy()
    without_status.pop("status", None)
    return TemplateResponse(
        request,
        "selfservice/orders/admin/index.html",
        {
            "page_title": _("Sales orders"),
            "header_icon": "list-ul",
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
            "status_query": without_status.urlencode(),
            "counts": [(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices],
            "status": status,
        },
    )


def _cancel_url(order: SalesOrder) -> str | None:
    """The payments engineer's staff cancel page, when it exists and the order can still be cancelled."""
    if order.status not in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CREDIT_HOLD, OrderStatus.SUBMITTED):
        return None
    try:
        return reverse("payments_admin:order_cancel", kwargs={"order_id": order.uuid})
    except NoReverseMatch:
        return None


class ApprovalForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Additional credit"), max_digits=18, decimal_places=2, min_value=0.01
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        help_text=gettext_lazy("The approval ends at the end of this day; at most 90 days ahead."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _approval_end(day, company) -> datetime:
    return _day_start(day + timedelta(days=1), company.time_zone or "Asia/Shanghai") - timedelta(seconds=1)


def _review_context(request, order: SalesOrder, approval_form: ApprovalForm | None = None) -> dict[str, Any]:
    user = request.user
    lines = order_lines(order)
    today = company_today(order.company)
    position = credit_position(order.customer_account, exclude_order=order)
    approvals = list(
        CreditApproval.objects.filter(
            customer_account=order.customer_account, revoked_at__isnull=True, valid_until__gt=timezone.now()
        )
        .select_related("granted_by", "order")
        .order_by("valid_until")
    )
    may_grant = may_grant_credit(user, order.company_id)
    if approval_form is None and may_grant:
        approval_form = ApprovalForm(
            initial={
                "amount": approval_default_amount(order) if not position.allows(order.gross_total) else None,
                "valid_until": today + timedelta(days=DEFAULT_APPROVAL_DAYS),
            }
        )
    return {
        "page_title": _("Order %(number)s") % {"number": order.number},
        "header_icon": "list-ul",
        "order": order,
        "lines": review_lines(order, lines, today=today),
        "today": today,
        "totals": confirmed_totals(lines),
        "credit": position,
        "fits": position.allows(order.gross_total),
        "approvals": approvals,
        "history": history_entries(staff_history(order)),
        "may_review": order.status == OrderStatus.SUBMITTED and may_review_orders(user, order.company_id),
        "may_grant": may_grant,
        "approval_form": approval_form,
        "max_approval_days": MAX_APPROVAL_DAYS,
        "cancel_url": _cancel_url(order),
        "scope_is_group": scope_of(user).is_group,
    }


@require_GET
def order_review(request, order_id):
    order = _get(request.user, order_id)
    if not may_view_orders(request.user, order.company_id):
        return _forbidden(request)
    return TemplateResponse(request, "selfservice/orders/admin/review.html", _review_context(request, order))


@require_POST
def line_decide(request, order_id, line_id):
    """One line's decision: action = confirm | reduce | reject."""
    order = _get(request.user, order_id)
    line = SalesOrderLine.objects.filter(order=order, uuid=line_id).first()
    if line is None:
        raise Http404
    if not may_review_orders(request.user, order.company_id):
        return _forbidden(request)  # finance reads only; buyers and others have no orders role
    action = request.POST.get("action", "")
    promised = None
    if action in ("confirm", "reduce"):
        field = forms.DateField(required=False)
        try:
            promised = field.clean(request.POST.get("promised_date", ""))
        except forms.ValidationError:
            messages.error(request, _("The promised date is not a date (YYYY-MM-DD)."))
            return redirect("orders_admin:order_review", order_id=order.uuid)
    try:
        if action == "confirm":
            order_line_confirm(
                actor=request.user, order_id=order.pk, line_id=line.pk, promised_date=promised, request=request
            )
            messages.success(request, _("Line %(line)s confirmed.") % {"line": line.line_no})
        elif action == "reduce":
            order_line_reduce(
                actor=request.user,
                order_id=order.pk,
                line_id=line.pk,
                quantity=request.POST.get("quantity", ""),
                promised_date=promised,
                request=request,
            )
            messages.success(request, _("Line %(line)s confirmed with a reduced quantity.") % {"line": line.line_no})
        elif action == "reject":
            order_line_reject(
                actor=request.user,
                order_id=order.pk,
                line_id=line.pk,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            messages.success(request, _("Line %(line)s rejected.") % {"line": line.line_no})
        else:
            messages.error(request, _("Choose confirm, reduce or reject."))
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        order.refresh_from_db(fields=["status"])
        if order.status == OrderStatus.CONFIRMED:
            messages.success(request, _("Every line is decided: the order is confirmed and the customer informed."))
        elif order.status == OrderStatus.REJECTED:
            messages.success(request, _("Every line is rejected: the order is rejected and the customer informed."))
    return redirect("orders_admin:order_review", order_id=order.uuid)


@require_http_methods(["GET", "POST"])
def credit_approval(request, order_id):
    """A sales manager's special approval (特批) for the order's customer account; GET shows the review page."""
    order = _get(request.user, order_id)
    if not may_grant_credit(request.user, order.company_id):
        return _forbidden(request)
    if request.method == "GET":
        return redirect(reverse("orders_admin:order_review", kwargs={"order_id": order.uuid}) + "#credit")
    form = ApprovalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        today = company_today(order.company)
        if data["valid_until"] > today + timedelta(days=MAX_APPROVAL_DAYS):
            form.add_error("valid_until", _("At most %(days)s days ahead.") % {"days": MAX_APPROVAL_DAYS})
        elif data["valid_until"] < today:
            form.add_error("valid_until", _("The approval must end in the future."))
        else:
            try:
                _approval, released = credit_approval_grant(
                    actor=request.user,
                    account=order.customer_account,
                    amount=data["amount"],
                    valid_until=_approval_end(data["valid_until"], order.company),
                    reason=data["reason"],
                    order=order,
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Special approval granted."))
                for held in released:
                    messages.success(request, _("Order %(number)s is released for review.") % {"number": held.number})
                return redirect("orders_admin:order_review", order_id=order.uuid)
    order.refresh_from_db()
    return TemplateResponse(
        request, "selfservice/orders/admin/review.html", _review_context(request, order, form), status=422
    )
