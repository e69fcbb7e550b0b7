"""Price lists in the staff back office (/cms/prices/): the list of price lists and a price list's page with its
lines.

Staff see the price lists of the companies they work for (group-wide staff: all); another company's list is a 404.
Sales managers of the list's company and group administrators change its header (name, validity, active);
others get a plain 403 page. Changes go through catalog.pricing.services (validated, audited, reported to the
ERP). Price lists are named by their uuid in the path; catalog/pricing/outsider.py registers those patterns."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from portal.organisations.access import scope_of
from portal.organisations.models import Company, StaffRoleName

from .models import PriceList, PriceListKind
from .services import price_list_upsert

PAGE_SIZE = 50
LINES_PAGE_SIZE = 200


def may_view_prices(user: Any) -> bool:
    return scope_of(user).is_staff


def may_change_price_list(user: Any, price_list: PriceList) -> bool:
    scope = scope_of(user)
    return scope.is_group_admin or scope.has_staff_role(StaffRoleName.SALES_MANAGER, price_list.company_id)


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_view_prices(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _visible(user):
    return PriceList.objects.visible_to(user).select_related("company", "customer_group", "customer")


def _get(user, price_list_id) -> PriceList:
    found = _visible(user).filter(uuid=price_list_id).first()
    if found is None:
        raise Http404
    return found


class PriceListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    active = forms.ChoiceField(
        label=gettext_lazy("Active"),
        required=False,
        choices=[("", gettext_lazy("All")), ("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["kind"].choices = [("", _("All")), *PriceListKind.choices]


class PriceListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False)
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


@staff_required
@require_GET
def price_list_index(request):
    scope = scope_of(request.user)
    companies = Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)
    form = PriceListFilterForm(request.GET or None, companies=companies.order_by("code"))
    price_lists = _visible(request.user).annotate(line_count=Count("lines")).order_by("company__code", "code")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            query = data["q"].strip()
            price_lists = price_lists.filter(Q(code__icontains=query) | Q(name__icontains=query))
        if data["company"] is not None:
            price_lists = price_lists.filter(company=data["company"])
        if data["kind"]:
            price_lists = price_lists.filter(kind=data["kind"])
        if data["active"]:
            price_lists = price_lists.filter(is_active=data["active"] == "yes")
    page = Paginator(price_lists, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "pricing/admin/price_list_index.html",
        {
            "page_title": _("Price lists"),
            "header_icon": "tag",
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
        },
    )


@staff_required
@require_GET
def price_list_detail(request, price_list_id):
    price_list = _get(request.user, price_list_id)
    lines = price_list.lines.select_related("item", "unit").order_by("item__code", "unit__code", "min_quantity")
    page = Paginator(lines, LINES_PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "pricing/admin/price_list_detail.html",
        {
            "page_title": _("Price list %(code)s") % {"code": price_list.code},
            "header_icon": "tag",
            "price_list": price_list,
            "page": page,
            "may_change": may_change_price_list(request.user, price_list),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def price_list_edit(request, price_list_id):
    price_list = _get(request.user, price_list_id)
    if not may_change_price_list(request.user, price_list):
        return _forbidden(request)
    initial = {
        "name": price_list.name,
        "valid_from": price_list.valid_from,
        "valid_until": price_list.valid_until,
        "is_active": price_list.is_active,
    }
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            price_list_upsert(
                actor=request.user,
                company=price_list.company,
                code=price_list.code,
                values=form.cleaned_data,
                request=request,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("Price list %(code)s saved.") % {"code": price_list.code})
            return redirect("pricing_admin:price_list_detail", price_list_id=price_list.uuid)
    return TemplateResponse(
        request,
        "pricing/admin/price_list_form.html",
        {
            "page_title": _("Change price list %(code)s") % {"code": price_list.code},
            "header_icon": "tag",
            "price_list": price_list,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )
