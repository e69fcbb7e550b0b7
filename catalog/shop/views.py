"""The storefront (/shop/): home, category pages with facets, search, item pages, datasheets, quote requests.

Browsing needs no login. Prices, "request a quote" and datasheets are for people acting for an approved customer
(catalog.shop.selectors.Visitor); list prices for everyone else only when the portal's settings say so. Each page
runs a fixed number of queries whatever the number of items (one price query per selling company).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.cache import CachedResults, cached
from catalog.pricing.selectors import price_breaks
from catalog.search import search_items_explained
from catalog.selectors import get_datasheet, item_datasheets
from portal.core.errors import DomainError
from portal.organisations.models import Company

from . import selectors
from .services import MAX_NOTE, may_ask_for_quote, quote_request_create, quote_request_withdraw
from .slots import render_header_widgets, render_item_actions

logger = logging.getLogger(__name__)

PAGE_SIZE = 24
QUOTES_PAGE_SIZE = 50
FEATURED = 8


class QuoteRequestForm(forms.Form):
    company = forms.ModelChoiceField(
        label=gettext_lazy("Ask"),
        queryset=Company.objects.none(),
        to_field_name="uuid",
        empty_label=None,
        required=False,
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), min_value=Decimal("0.0001"), max_digits=16, decimal_places=4
    )
    needed_by = forms.DateField(
        label=gettext_lazy("Needed by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies])
        self.fields["note"].widget.attrs["rows"] = 3
        self.companies = list(companies)
        if len(self.companies) == 1:
            self.fields["company"].widget = forms.HiddenInput()

    def clean_company(self):
        """The company asked; the only one when the customer buys from one company."""
        company = self.cleaned_data.get("company")
        if company is None and len(self.companies) == 1:
            return self.companies[0]
        if company is None:
            raise forms.ValidationError(_("Choose the company to ask."))
        return company


def _base_context(request) -> dict:
    visitor = selectors.visitor_of(request)
    return {"visitor": visitor, "header_widgets": render_header_widgets(request), "query": ""}


def _rows(request, visitor, items: list) -> list[dict]:
    """What a result row shows per item: offers with their actions and availability; one price query per company
    and one stock query for the whole page."""
    offers = selectors.offers_for(visitor, items)
    per_offer, overall = selectors.availability_for(visitor, items, offers)
    rows = []
    for item in items:
        item_offers = [
            {
                "offer": offer,
                "availability": per_offer.get((item.pk, offer.company.pk)),
                "actions": render_item_actions(request, item, offer),
            }
            for offer in offers[item.pk]
        ]
        images = list(item.images.all())
        priced = [entry for entry in item_offers if entry["offer"].quote is not None]
        rows.append(
            {
                "item": item,
                "offers": item_offers,
                # a result row shows the companies with a price; those without only when none has one
                "list_offers": priced or item_offers,
                "availability": overall[item.pk],
                "image": images[0] if images else None,
                "has_price": any(entry["offer"].quote is not None for entry in item_offers),
                "actions": render_item_actions(request, item, None) if not item_offers else "",
            }
        )
    return rows


def _page(request, items, size=PAGE_SIZE):
    page = Paginator(items, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@require_GET
def home(request):
    context = _base_context(request)
    categories, tops = selectors.shop_categories()
    featured = list(selectors.sellable_items().order_by("-updated_at", "code")[:FEATURED])
    context |= {"tops": tops, "rows": _rows(request, context["visitor"], featured)}
    return render(request, "catalog/shop/home.html", context)


@require_GET
def category(request, code):
    context = _base_context(request)
    categories, tops = selectors.shop_categories()
    found = next((node for node in categories.values() if node.code == code), None)
    if found is None:
        raise Http404
    schema = found.effective_schema()
    selected = selectors.parse_facets(schema, request.GET)
    items = selectors.category_items(found, categories)
    parts = ("category", found.pk, selectors.selection_key(selected), get_language())
    facets = cached((*parts, "facets"), lambda: selectors.facets_for(items, schema, selected))
    sort = request.GET.get("sort", "")
    items = selectors.sort_items(selectors.filter_by_facets(items, schema, selected), sort)
    page, query_string = _page(request, CachedResults(items, (*parts, sort), fetch=selectors.sellable_by_ids))
    children = next((kids for top, kids in tops if top.pk == found.pk), None)
    if children is None:
        children = sorted(
            (node for node in categories.values() if node.parent_id == found.pk), key=lambda n: (n.sort_order, n.code)
        )
    context |= {
        "category": found,
        "ancestors": found.ancestors(),
        "children": children,
        "facets": facets,
        "page": page,
        "rows": _rows(request, context["visitor"], list(page.object_list)),
        "query_string": query_string,
        "sort": request.GET.get("sort", "code") if request.GET.get("sort") in selectors.SORTS else "code",
        "sorts": [("code", _("Code")), ("name", _("Name"))],
    }
    return render(request, "catalog/shop/category.html", context)


@require_GET
def search(request):
    context = _base_context(request)
    query = (request.GET.get("q") or "").strip()[:200]
    fuzzy = False
    page = None
    query_string = ""
    rows: list = []
    facets: list = []
    category = None
    if query:
        items, fuzzy = search_items_explained(query, queryset=selectors.sellable_items(), limit=None)
        # results that share one category get its facets
        categories, _tops = selectors.shop_categories()
        category_id = cached(("search", query, "category"), lambda: selectors.single_category_id(items))
        category = categories.get(category_id)
        selection = ()
        if category is not None:
            schema = category.effective_schema()
            selected = selectors.parse_facets(schema, request.GET)
            selection = selectors.selection_key(selected)
            facets = cached(
                ("search", query, selection, get_language(), "facets"),
                lambda: selectors.facets_for(items, schema, selected),
            )
            items = selectors.filter_by_facets(items, schema, selected)
        results = CachedResults(items, ("search", query, selection), fetch=selectors.sellable_by_ids)
        page, query_string = _page(request, results)
        rows = _rows(request, context["visitor"], list(page.object_list))
    context |= {
        "query": query,
        "fuzzy": fuzzy,
        "page": page,
        "rows": rows,
        "query_string": query_string,
        "facets": facets,
        "category": category,
    }
    return render(request, "catalog/shop/search.html", context)


def _item_or_404(code: str):
    item = selectors.get_sellable_item(code)
    if item is None:
        raise Http404
    return item


@require_GET
def item_detail(request, code):
    context = _base_context(request)
    visitor = context["visitor"]
    item = _item_or_404(code)
    return render(request, "catalog/shop/item.html", context | _item_context(request, visitor, item))


def _item_context(request, visitor, item, quote_form=None) -> dict:
    categories, _tops = selectors.shop_categories()
    category = categories.get(item.category_id, item.category)
    schema = category.effective_schema()
    row = _rows(request, visitor, [item])[0]
    for entry in row["offers"]:
        quote = entry["offer"].quote
        entry["breaks"] = (
            price_breaks(
                customer=visitor.customer,
                company=entry["offer"].company,
                item=item,
                unit=entry["offer"].unit,
                kind=quote.price_list_kind,
            )
            if quote is not None
            else []
        )
    unpriced = [entry["offer"].company for entry in row["offers"] if entry["offer"].quote is None]
    may_ask = visitor.is_customer and bool(unpriced) and may_ask_for_quote(visitor.user, visitor.customer)
    waiting: set[int] = set()
    if may_ask:
        waiting = selectors.open_quote_companies(visitor.user, visitor.customer, item)
        unpriced = [company for company in unpriced if company.pk not in waiting]
    if may_ask and unpriced and quote_form is None:
        quote_form = QuoteRequestForm(
            companies=unpriced,
            initial={"company": unpriced[0].uuid, "quantity": selectors.order_quantity(item).normalize()},
        )
    return {
        "item": item,
        "row": row,
        "ancestors": [*category.ancestors(), category],
        "specification": selectors.specification(item, schema),
        "images": list(item.images.all()),
        "datasheets": list(item_datasheets(item).order_by("-version")) if visitor.is_customer else [],
        "quote_form": quote_form if may_ask and unpriced else None,
        "waiting_companies": [
            entry["offer"].company for entry in row["offers"] if entry["offer"].company.pk in waiting
        ],
        "sales_unit": item.sales_unit or item.base_unit,
    }


@login_required
@require_POST
def quote_request(request, code):
    """An ordering customer asks for a price of an item that has none for them."""
    visitor = selectors.visitor_of(request)
    if not visitor.is_customer:
        raise Http404
    item = _item_or_404(code)
    if not may_ask_for_quote(request.user, visitor.customer):
        raise PermissionDenied
    form = QuoteRequestForm(request.POST, companies=visitor.companies)
    if form.is_valid():
        try:
            created = quote_request_create(
                actor=request.user,
                customer=visitor.customer,
                company=form.cleaned_data["company"],
                item=item,
                quantity=form.cleaned_data["quantity"],
                needed_by=form.cleaned_data["needed_by"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Quote request %(number)s was sent to %(company)s. You will be notified of the answer.")
                % {"number": created.number, "company": created.company.name},
            )
            return redirect("shop:item", code=item.code)
    context = _base_context(request) | _item_context(request, visitor, item, quote_form=form)
    context["quote_form"] = form
    return render(request, "catalog/shop/item.html", context, status=422)


@login_required
@require_GET
def datasheet(request, code, document_id):
    """A datasheet of a sellable item, for people acting for an approved customer (documents are otherwise served
    only to their owners: DESIGN.md §8)."""
    visitor = selectors.visitor_of(request)
    if not visitor.is_customer:
        raise Http404
    item = _item_or_404(code)
    document = get_datasheet(document_id)
    if document is None or document.object_id != str(item.uuid):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        logger.error("datasheet %s: file %s is missing from storage", document.uuid, document.file.name)
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def quotes(request):
    """The customer's quote requests with their status and answers."""
    visitor = selectors.visitor_of(request)
    if not visitor.is_customer:
        raise Http404
    context = _base_context(request)
    page, query_string = _page(
        request, selectors.quote_requests_of(request.user, visitor.customer), size=QUOTES_PAGE_SIZE
    )
    context |= {
        "page": page,
        "query_string": query_string,
        "may_withdraw": may_ask_for_quote(request.user, visitor.customer),
    }
    return render(request, "catalog/shop/quotes.html", context)


@login_required
@require_POST
def quote_withdraw(request, quote_id):
    """The customer takes back an open quote request."""
    visitor = selectors.visitor_of(request)
    if not visitor.is_customer:
        raise Http404
    quote_request = selectors.quote_requests_of(request.user, visitor.customer).filter(uuid=quote_id).first()
    if quote_request is None:
        raise Http404
    try:
        quote_request_withdraw(actor=request.user, quote_request=quote_request, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Quote request %(number)s withdrawn.") % {"number": quote_request.number})
    return redirect("shop:quotes")
