"""Quote requests in the staff back office (/cms/quotes/): the list (per company, filters, a constant number of
queries) and a request's page, where sales and sales managers of its company answer it with a customer price or
decline it. Staff of other companies get 404; staff of the company without a sales role see the request but get
403 on answering. Changes go through catalog.shop.services (audited, notified). Requests are named by their uuid in
the path; catalog/shop/outsider.py registers the patterns."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from catalog.pricing.models import DEFAULT_TAX_RATE
from portal.core.back_office import allowed_if
from portal.core.back_office import forbidden as _forbidden
from portal.core.errors import DomainError
from portal.organisations.access import scope_of
from portal.organisations.models import Company

from .models import QuoteRequestStatus
from .selectors import staff_quote_requests
from .services import MAX_NOTE, may_answer_quote, quote_request_answer, quote_request_decline

PAGE_SIZE = 50


def may_view_quotes(user) -> bool:
    return scope_of(user).is_staff


staff_required = allowed_if(may_view_quotes)


class QuoteFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["status"].choices = [("", _("All")), *QuoteRequestStatus.choices]


class AnswerForm(forms.Form):
    unit_price = forms.DecimalField(
        label=gettext_lazy("Net unit price"), min_value=Decimal("0"), max_digits=20, decimal_places=4
    )
    tax_rate = forms.DecimalField(
        label=gettext_lazy("Tax rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=DEFAULT_TAX_RATE,
    )
    min_quantity = forms.DecimalField(
        label=gettext_lazy("From quantity"),
        min_value=Decimal("0"),
        max_digits=20,
        decimal_places=4,
        initial=Decimal("0"),
        help_text=gettext_lazy("The price applies from this quantity on (0: from the first unit)."),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


@staff_required
@require_GET
def quote_index(request):
    scope = scope_of(request.user)
    companies = Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)
    form = QuoteFilterForm(request.GET or None, companies=companies.order_by("code"))
    requests = staff_quote_requests(request.user)
    # open ones first, the longest waiting on top; then the rest, newest first
    waiting = Case(When(status=QuoteRequestStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    requests = requests.annotate(waiting=waiting).order_by("waiting", "-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            query = data["q"].strip()
            requests = requests.filter(
                Q(number__icontains=query)
                | Q(item__code__icontains=query)
                | Q(item__name__icontains=query)
                | Q(customer__name__icontains=query)
            )
        if data["company"] is not None:
            requests = requests.filter(company=data["company"])
        if data["status"]:
            requests = requests.filter(status=data["status"])
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "catalog/shop/admin/quote_index.html",
        {
            "page_title": _("Quote requests"),
            "header_icon": "doc-full",
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
        },
    )


def _get(user, quote_id):
    found = staff_quote_requests(user).filter(uuid=quote_id).first()
    if found is None:
        raise Http404
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def quote_detail(request, quote_id):
    quote_request = _get(request.user, quote_id)
    may_answer = may_answer_quote(request.user, quote_request)
    answer_form = AnswerForm()
    decline_form = DeclineForm()
    status = 200
    if request.method == "POST":
        if not may_answer:
            return _forbidden(request)
        action = request.POST.get("action")
        try:
            if action == "answer":
                answer_form = AnswerForm(request.POST)
                if answer_form.is_valid():
                    quote_request_answer(
                        actor=request.user, quote_request=quote_request, request=request, **answer_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("Quote request %(number)s answered: the price is in the customer's price list.")
                        % {"number": quote_request.number},
                    )
                    return redirect("shop_admin:quote_detail", quote_id=quote_request.uuid)
            elif action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    quote_request_decline(
                        actor=request.user,
                        quote_request=quote_request,
                        reason=decline_form.cleaned_data["reason"],
                        request=request,
                    )
                    messages.success(
                        request, _("Quote request %(number)s declined.") % {"number": quote_request.number}
                    )
                    return redirect("shop_admin:quote_detail", quote_id=quote_request.uuid)
            else:
                messages.error(request, _("Choose to answer or to decline."))
        except PermissionDenied:
            return _forbidden(request)
        except DomainError as error:
            messages.error(request, error.message)
        status = 422
    return TemplateResponse(
        request,
        "catalog/shop/admin/quote_detail.html",
        {
            "page_title": _("Quote request %(number)s") % {"number": quote_request.number},
            "header_icon": "doc-full",
            "quote_request": quote_request,
            "may_answer": may_answer and quote_request.status == QuoteRequestStatus.OPEN,
            "answer_form": answer_form,
            "decline_form": decline_form,
        },
        status=status,
    )
