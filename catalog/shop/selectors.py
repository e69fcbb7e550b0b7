"""What the storefront reads: who is looking (`Visitor`), what each item is offered at (`offers_for`), how much
of it is in stock (`availability_for`), the items of a category with their attribute facets, and quote requests.

Prices: a person acting for an approved customer (the partner switcher decides which) gets one offer per
company of the group where the customer has an active account, priced by the pricing strategy
(catalog.pricing.selectors) for the smallest quantity they may order. Anyone else sees list prices only when the
portal's settings say so (`show_prices_to_anonymous`), and can never order. A page of items costs one price query
per company, whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Case, Count, DecimalField, Max, Min, Prefetch, QuerySet, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import Regex
from django.utils.translation import gettext as _

from catalog.models import AttributeType, Category, Item, ItemImage, ItemStatus
from catalog.pricing.selectors import resolve_prices_many
from catalog.selectors import categories_linked, category_tree, descendant_ids
from portal.organisations.access import scope_of
from portal.organisations.models import Company, CustomerAccount, PartnerRole, PartnerStatus

from .models import ItemStock, QuoteRequest
from .offers import Offer

ORDERING_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)
SORTS = {"code": ("code",), "name": ("name", "code"), "-code": ("-code",)}


@dataclass
class Visitor:
    """Who looks at the shop: the user, the customer they act for (None: anonymous, staff, a supplier or a
    customer not yet approved) and the companies that customer has an active account with."""

    user: Any
    customer: Any = None
    membership: Any = None
    companies: list[Company] = field(default_factory=list)
    show_list_prices: bool = False

    @property
    def is_customer(self) -> bool:
        return self.customer is not None

    @property
    def may_order(self) -> bool:
        """Admin and sales people of the customer order and ask for quotes; others only look."""
        return self.customer is not None and scope_of(self.user).has_partner_role(self.customer.pk, *ORDERING_ROLES)


def _show_prices_to_anonymous() -> bool:
    from django.core.cache import cache

    from theme.models import SETTINGS_CACHE_KEY, PortalSettings

    # The layout's cache of the settings (refreshed whenever they are saved) saves a query per visitor's page.
    cached = cache.get(SETTINGS_CACHE_KEY)
    if cached is not None and "show_prices_to_anonymous" in cached:
        return bool(cached["show_prices_to_anonymous"])
    # Read, never created here (PortalSettings.load() would insert the row on a visitor's GET).
    return bool(PortalSettings.objects.order_by("pk").values_list("show_prices_to_anonymous", flat=True).first())


def visitor_of(request) -> Visitor:
    """The visitor of this request (computed once per request): the person acting for the partner of their active
    membership (the partner switcher decides)."""
    cached = getattr(request, "_shop_visitor", None)
    if cached is not None:
        return cached
    user = request.user
    membership = getattr(request, "membership", None) if getattr(user, "is_authenticated", False) else None
    request._shop_visitor = visitor_for(user, membership.partner if membership else None, membership=membership)
    return request._shop_visitor


def visitor_for(user: Any, partner: Any, *, membership: Any = None) -> Visitor:
    """A Visitor without a request (the cart, tasks): `user` acting for `partner` (None: no customer). The user
    must be an active member of the partner, or the visitor is treated as no customer."""
    visitor = Visitor(user=user)
    is_member = partner is not None and partner.pk in scope_of(user).partner_ids
    if is_member and partner.is_customer and partner.status == PartnerStatus.APPROVED:
        visitor.customer = partner
        visitor.membership = membership
        visitor.companies = [
            account.company
            for account in CustomerAccount.objects.filter(partner=partner, is_active=True, company__is_active=True)
            .select_related("company")
            .order_by("company__code")
        ]
    else:
        visitor.show_list_prices = _show_prices_to_anonymous()
    return visitor


def order_quantity(item: Item) -> Decimal:
    """The quantity an offer is priced for: the minimum order quantity, at least 1 of the sales unit."""
    return max(item.min_order_quantity or Decimal("0"), Decimal("1"))


def _list_price_companies() -> list[Company]:
    return list(Company.objects.filter(is_active=True).order_by("code"))


def offers_for(visitor: Visitor, items: Sequence[Item]) -> dict[int, list[Offer]]:
    """Per item id, what the visitor is offered: one Offer per selling company (see the module's docstring).
    Items need `sales_unit` and `base_unit` loaded (select_related) to avoid a query each."""
    offers: dict[int, list[Offer]] = {item.pk: [] for item in items}
    if not items:
        return offers
    wanted = [(item, order_quantity(item), item.sales_unit_or_base_id) for item in items]
    if visitor.is_customer:
        for company in visitor.companies:
            quotes = resolve_prices_many(customer=visitor.customer, company=company, items_with_quantities=wanted)
            for item in items:
                offers[item.pk].append(_offer(item, company, quotes.get(item.pk), can_order=True))
    elif visitor.show_list_prices:
        for company in _list_price_companies():
            quotes = resolve_prices_many(customer=None, company=company, items_with_quantities=wanted)
            for item in items:
                if quotes.get(item.pk) is not None:
                    offers[item.pk].append(_offer(item, company, quotes[item.pk], can_order=False))
    for item_offers in offers.values():
        # the companies with a price first, then by company code
        item_offers.sort(key=lambda offer: (offer.quote is None, offer.company.code))
    return offers


def _offer(item: Item, company: Company, quote, *, can_order: bool) -> Offer:
    return Offer(
        company=company,
        quote=quote,
        unit=item.sales_unit or item.base_unit,
        min_quantity=item.min_order_quantity,
        multiple=item.order_multiple,
        can_order=can_order,
    )


# --- availability ------------------------------------------------------------------------------------------------


class Availability:
    IN_STOCK = "in_stock"
    LOW = "low"
    TO_ORDER = "to_order"
    ASK = "ask"


@dataclass(frozen=True)
class AvailabilityHint:
    """What a visitor is told about stock: never the figure, only in stock / low / made to order."""

    state: str
    lead_time_days: int = 0
    as_of: datetime | None = None  # shown to logged-in customers only

    @property
    def label(self) -> str:
        if self.state == Availability.IN_STOCK:
            return _("In stock")
        if self.state == Availability.LOW:
            return _("Low stock")
        if self.state == Availability.TO_ORDER:
            return _("Made to order — about %(days)s days") % {"days": self.lead_time_days}
        return _("Available on request")

    @property
    def badge(self) -> str:
        return {Availability.IN_STOCK: "badge-ok", Availability.LOW: "badge-warn"}.get(self.state, "badge-info")


def _minimum_in_base_units(item: Item) -> Decimal:
    """The minimum order quantity in the base unit (what stock is counted in); 1 base unit at least. Without a
    known conversion the sales unit is taken as one base unit (a hint, not a promise)."""
    minimum = max(item.min_order_quantity or Decimal("0"), Decimal("1"))
    unit = item.sales_unit
    if unit is not None and unit.pk != item.base_unit_id and unit.dimension == item.base_unit.dimension:
        minimum = minimum * unit.factor / item.base_unit.factor
    return minimum


def stock_by_item(items: Sequence[Item], companies: Iterable[Company] | None = None) -> dict[tuple[int, int], tuple]:
    """{(item id, company id): (available, as of)} summed over the company's warehouses; one query."""
    rows = ItemStock.objects.filter(item_id__in=[item.pk for item in items])
    if companies is not None:
        rows = rows.filter(company_id__in=[company.pk for company in companies])
    return {
        (row["item_id"], row["company_id"]): (row["total"], row["latest"])
        for row in rows.values("item_id", "company_id").annotate(total=Sum("available"), latest=Max("as_of"))
    }


def hint_for(item: Item, available: Decimal | None, as_of: datetime | None = None) -> AvailabilityHint:
    if available is not None and available > 0:
        state = Availability.IN_STOCK if available >= _minimum_in_base_units(item) else Availability.LOW
        return AvailabilityHint(state=state, as_of=as_of)
    if item.lead_time_days:
        return AvailabilityHint(state=Availability.TO_ORDER, lead_time_days=item.lead_time_days, as_of=as_of)
    return AvailabilityHint(state=Availability.ASK, as_of=as_of)


def availability_for(
    visitor: Visitor, items: Sequence[Item], offers: dict[int, list[Offer]]
) -> tuple[dict[tuple[int, int], AvailabilityHint], dict[int, AvailabilityHint]]:
    """(per (item id, company id) of each offer, per item over the whole group); one query. `as_of` only for
    customers."""
    stock = stock_by_item(items)
    show_as_of = visitor.is_customer
    per_offer: dict[tuple[int, int], AvailabilityHint] = {}
    overall: dict[int, AvailabilityHint] = {}
    totals: dict[int, tuple[Decimal, datetime | None]] = {}
    for (item_id, _company_id), (available, as_of) in stock.items():
        total, latest = totals.get(item_id, (Decimal("0"), None))
        totals[item_id] = (total + (available or 0), max(filter(None, (latest, as_of)), default=None))
    for item in items:
        total, latest = totals.get(item.pk, (Decimal("0"), None))
        overall[item.pk] = hint_for(item, total, latest if show_as_of else None)
        for offer in offers.get(item.pk, []):
            available, as_of = stock.get((item.pk, offer.company.pk), (None, None))
            per_offer[(item.pk, offer.company.pk)] = hint_for(item, available, as_of if show_as_of else None)
    return per_offer, overall


# --- browsing ----------------------------------------------------------------------------------------------------


def sellable_items() -> QuerySet[Item]:
    """Items the shop shows: sellable and active, with what a result row needs."""
    first_images = ItemImage.objects.select_related("image").prefetch_related("image__renditions")
    return (
        Item.objects.filter(is_sellable=True, status=ItemStatus.ACTIVE)
        .select_related("category", "base_unit", "sales_unit")
        .prefetch_related(Prefetch("images", queryset=first_images))
    )


def get_sellable_item(code: str) -> Item | None:
    return sellable_items().filter(code=code).first()


def shop_categories() -> tuple[dict[int, Category], list[tuple[Category, list[Category]]]]:
    """(every active category by pk, linked to its parent; [(top category, its children)]) in one query."""
    categories = {pk: category for pk, category in categories_linked().items() if category.is_active}
    tops: list[tuple[Category, list[Category]]] = []
    children: dict[int, list[Category]] = {}
    for category, _depth in category_tree(categories.values()):
        if category.parent_id is None or category.parent_id not in categories:
            tops.append((category, children.setdefault(category.pk, [])))
        else:
            children.setdefault(category.parent_id, []).append(category)
            children.setdefault(category.pk, [])
    return categories, tops


@dataclass
class Facet:
    code: str
    label: str
    kind: str  # "choice" or "range"
    unit: str = ""
    options: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (value, label, count, selected)
    low: Decimal | None = None  # the smallest and largest value among the items
    high: Decimal | None = None
    selected_min: str = ""
    selected_max: str = ""

    @property
    def is_active(self) -> bool:
        return any(selected for _value, _label, _count, selected in self.options) or bool(
            self.selected_min or self.selected_max
        )


def _label(definition: dict) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and definition.get("label_en"):
        return definition["label_en"]
    return definition.get("label") or definition["code"]


NUMERIC = {AttributeType.DECIMAL, AttributeType.INTEGER}
MAX_FACET_NUMBER = Decimal("1e15")


def _number(text: Any) -> Decimal | None:
    try:
        number = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    # A bound beyond any specification is no bound (and would overflow the database's numeric type).
    return number if number.is_finite() and abs(number) < MAX_FACET_NUMBER else None


def _numeric(code: str):
    """The attribute as a number; NULL where the stored value is not one (data from before a schema change must not
    break the page: the CASE keeps the cast from ever seeing it)."""
    text = KeyTextTransform(code, "attributes")
    number = DecimalField(max_digits=30, decimal_places=10)
    return Case(
        When(Regex(text, r"^\s*-?[0-9]{1,15}(\.[0-9]{1,10})?\s*$"), then=Cast(text, number)),
        default=Value(None),
        output_field=number,
    )


def _choices(definition: dict) -> list[tuple[str, str]]:
    """(value as the database's text of the JSON value, label) of a choice or yes / no attribute."""
    if definition.get("type") == AttributeType.BOOLEAN:
        return [("true", _("Yes")), ("false", _("No"))]
    return [(choice, choice) for choice in definition.get("choices", [])]


CHOOSABLE = {AttributeType.CHOICE, AttributeType.BOOLEAN}


def parse_facets(schema: list[dict], params) -> dict[str, Any]:
    """The facet filters asked for in `params` (a QueryDict): {code: [values]} for choices and yes / no,
    {code: (min, max)} for numbers; values that are not choices or numbers are dropped (a hand-made URL is no
    error)."""
    selected: dict[str, Any] = {}
    for definition in schema:
        code, kind = definition["code"], definition.get("type")
        if kind in CHOOSABLE:
            known = {value for value, _label in _choices(definition)}
            values = [value for value in params.getlist(f"f_{code}") if value in known]
            if values:
                selected[code] = values
        elif kind in NUMERIC:
            low, high = _number(params.get(f"{code}_min", "")), _number(params.get(f"{code}_max", ""))
            if low is not None or high is not None:
                selected[code] = (low, high)
    return selected


def _filter(items: QuerySet[Item], selected: dict[str, Any], skip: str | None = None) -> QuerySet[Item]:
    # Aliases by position, not by attribute code: a code is data and need not be a valid lookup name.
    for index, (code, wanted) in enumerate(selected.items()):
        if code == skip:
            continue
        name = f"shop_facet_{index}"
        if isinstance(wanted, list):
            items = items.alias(**{name: KeyTextTransform(code, "attributes")}).filter(**{f"{name}__in": wanted})
        else:
            low, high = wanted
            items = items.alias(**{name: _numeric(code)}).filter(**{f"{name}__isnull": False})
            if low is not None:
                items = items.filter(**{f"{name}__gte": low})
            if high is not None:
                items = items.filter(**{f"{name}__lte": high})
    return items


def filter_by_facets(items: QuerySet[Item], schema: list[dict], selected: dict[str, Any]) -> QuerySet[Item]:
    """The items whose specification matches every selected facet (a number outside the range, or missing, does
    not)."""
    known = {definition["code"] for definition in schema}
    return _filter(items, {code: value for code, value in selected.items() if code in known})


def facets_for(items: QuerySet[Item], schema: list[dict], selected: dict[str, Any]) -> list[Facet]:
    """The facets of a result set: per choice attribute the items per value (counted under the other facets'
    filters, so each count says what ticking it would give), per number attribute its smallest and largest value.
    One query per facet of the schema, whatever the number of items."""
    facets: list[Facet] = []
    base = items.order_by()
    for definition in schema:
        code, kind = definition["code"], definition.get("type")
        if kind in CHOOSABLE:
            others = _filter(base, selected, skip=code)
            counts = {
                row["value"]: row["count"]
                for row in others.annotate(value=KeyTextTransform(code, "attributes"))
                .values("value")
                .annotate(count=Count("pk"))
                .order_by()
            }
            chosen = selected.get(code, [])
            options = [
                (value, label, counts.get(value, 0), value in chosen)
                for value, label in _choices(definition)
                if counts.get(value) or value in chosen
            ]
            if options:
                facets.append(Facet(code=code, label=_label(definition), kind="choice", options=options))
        elif kind in NUMERIC:
            others = _filter(base, selected, skip=code)
            bounds = others.aggregate(
                low=_min_of(code),
                high=_max_of(code),
            )
            if bounds["low"] is None:
                continue
            low, high = selected.get(code, (None, None))
            facets.append(
                Facet(
                    code=code,
                    label=_label(definition),
                    kind="range",
                    unit=definition.get("unit", ""),
                    low=bounds["low"].normalize(),
                    high=bounds["high"].normalize(),
                    selected_min=format(low.normalize(), "f") if low is not None else "",
                    selected_max=format(high.normalize(), "f") if high is not None else "",
                )
            )
    return facets


def _min_of(code: str):
    return Min(_numeric(code))


def _max_of(code: str):
    return Max(_numeric(code))


def category_items(category: Category, categories: dict[int, Category]) -> QuerySet[Item]:
    """The sellable items of the category and every category below it."""
    return sellable_items().filter(category_id__in=descendant_ids(category, categories))


def single_category(items: QuerySet[Item], categories: dict[int, Category]) -> Category | None:
    """The category all of `items` belong to, when they share one (search results: their facets apply); one
    query."""
    return categories.get(single_category_id(items))


def single_category_id(items: QuerySet[Item]) -> int | None:
    found = list(items.order_by().values_list("category_id", flat=True).distinct()[:2])
    return found[0] if len(found) == 1 else None


def sellable_by_ids(ids: list[int]) -> QuerySet[Item]:
    """The sellable items with these ids, with what a result row needs (a cached page of results)."""
    return sellable_items().filter(pk__in=ids)


def selection_key(selected: dict[str, Any]) -> tuple:
    """The selected facets as a plain, order-independent value for cache keys."""
    return tuple(
        sorted(
            (code, tuple(sorted(value)) if isinstance(value, list) else tuple(str(bound) for bound in value))
            for code, value in selected.items()
        )
    )


def sort_items(items: QuerySet[Item], sort: str) -> QuerySet[Item]:
    return items.order_by(*SORTS.get(sort, SORTS["code"]))


def specification(item: Item, schema: list[dict]) -> list[tuple[str, str]]:
    """(label, value with unit) of the item's attributes in the schema's order; booleans as yes / no."""
    rows = []
    attributes = item.attributes or {}
    for definition in schema:
        value = attributes.get(definition["code"])
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        else:
            text = str(value)
            if definition.get("unit"):
                text = f"{text} {definition['unit']}"
        rows.append((_label(definition), text))
    return rows


# --- quote requests ----------------------------------------------------------------------------------------------


def quote_requests_of(user: Any, customer: Any) -> QuerySet[QuoteRequest]:
    """The customer's quote requests (the person must be its member), newest first, with what a row shows."""
    return (
        QuoteRequest.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("company", "item", "unit", "requested_by", "price_line__price_list")
        .order_by("-created_at", "-id")
    )


def open_quote_companies(user: Any, customer: Any, item: Item) -> set[int]:
    """Ids of the companies the customer waits on for a price of `item` (an open request)."""
    return set(quote_requests_of(user, customer).filter(item=item, status="open").values_list("company_id", flat=True))


def staff_quote_requests(user: Any) -> QuerySet[QuoteRequest]:
    """Quote requests of the companies the staff member works for (group-wide: all)."""
    return QuoteRequest.objects.visible_to(user).select_related(
        "company", "customer", "item", "unit", "requested_by", "answered_by", "price_line"
    )


__all__ = [
    "Availability",
    "AvailabilityHint",
    "Facet",
    "Offer",
    "Visitor",
    "availability_for",
    "category_items",
    "facets_for",
    "filter_by_facets",
    "get_sellable_item",
    "offers_for",
    "parse_facets",
    "quote_requests_of",
    "sellable_items",
    "shop_categories",
    "specification",
    "staff_quote_requests",
    "stock_by_item",
    "visitor_for",
    "visitor_of",
]
