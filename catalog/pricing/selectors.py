"""Which price a customer pays: the pricing strategy (价格策略) of a selling company.

What a customer sees, in the order it is decided:

1. Only the selling company's own price lists count, and only those that are active and valid on the day (a
   list's and a line's "valid from" and "valid until" are calendar days in the company's time zone, both days
   included; an empty date is open). The day is today in the company's time zone unless another is asked for.
2. A price agreed with this customer comes first (a customer price list). If the customer has none for the
   item, the price of its customer group applies (when the customer is in several groups of the company, the
   lowest of their prices); if there is none either, the company's list price. A level is passed over when it
   has no line for the item in the asked unit that applies to the quantity.
3. Within the chosen level the quantity break applies: of the lines for the item in the asked unit (by default
   the item's base unit), the one with the largest "from quantity" not above the ordered quantity (a break
   from 100 applies to 100 and more, the line from 0 below that). When several lists of the same level offer
   a price, the lowest wins (prices in the company's own currency before those in another).
4. The price is net of VAT in the currency of its list. The gross unit price adds the line's tax rate and is
   rounded half up to 4 places; the line's net amount (quantity × net unit price) and its tax are rounded half
   up to 2 places, and the gross amount is their sum, as on the invoice.
5. No price: the item has no line in any list that applies, and the storefront offers "request a quote"
   (answered by sales staff with a customer price).

`resolve_prices_many` answers the same for a whole cart or category page in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalog.models import Item

from .models import CustomerGroupMember, PriceListKind, PriceListLine

PRICE_PLACES = Decimal("0.0001")
AMOUNT_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")

# The levels of the strategy, the first with a price wins.
LEVELS = (PriceListKind.CUSTOMER, PriceListKind.GROUP, PriceListKind.LIST)

_LINE_FIELDS = (
    "id",
    "item_id",
    "unit_id",
    "min_quantity",
    "unit_price",
    "tax_rate",
    "valid_from",
    "price_list_id",
    "price_list__code",
    "price_list__kind",
    "price_list__currency",
)


@dataclass(frozen=True)
class PriceQuote:
    """The price of `quantity` of an item in `unit_id` for one customer, and the amounts of that line."""

    unit_price: Decimal  # net of VAT, per unit_id
    currency: str
    tax_rate: Decimal  # percent
    gross_unit_price: Decimal  # rounded half up to 4 places
    price_list_code: str
    price_list_kind: str
    min_quantity: Decimal  # the quantity break used
    quantity: Decimal
    unit_id: int
    net_amount: Decimal  # rounded half up to 2 places
    tax_amount: Decimal  # on the rounded net amount, rounded half up to 2 places
    gross_amount: Decimal  # net_amount + tax_amount
    price_list_id: int
    line_id: int


def company_today(company: Any, now: datetime | None = None) -> date:
    """The calendar day it is now in the company's time zone."""
    zone = ZoneInfo(getattr(company, "time_zone", None) or settings.TIME_ZONE)
    return (now or timezone.now()).astimezone(zone).date()


def resolve_price(
    *,
    customer: Any,
    company: Any,
    item: Item,
    quantity: Decimal | int | str,
    unit: Any = None,
    on: date | None = None,
) -> PriceQuote | None:
    """The price of `quantity` of `item` (in `unit`, default its base unit) for `customer` at `company` on the
    day `on` (default today in the company's time zone); None when there is no price. `customer` may be None
    (then only the list price applies)."""
    return resolve_prices_many(
        customer=customer, company=company, items_with_quantities=[(item, quantity, unit)], on=on
    )[item.pk]


def resolve_prices_many(
    *,
    customer: Any,
    company: Any,
    items_with_quantities: Iterable[Sequence[Any]],
    on: date | None = None,
) -> dict[int, PriceQuote | None]:
    """`resolve_price` for many items at once: `items_with_quantities` holds (item, quantity) or
    (item, quantity, unit) with Item instances; the answer maps each item id to its quote or None.

    One query whatever the number of items (the customer's groups are a subquery of it)."""
    wanted: dict[int, tuple[Decimal, int]] = {}
    for entry in items_with_quantities:
        item, quantity = entry[0], Decimal(str(entry[1]))
        unit = entry[2] if len(entry) > 2 else None
        unit_id = item.base_unit_id if unit is None else getattr(unit, "pk", unit)
        wanted[item.pk] = (quantity, unit_id)
    if not wanted:
        return {}
    day = on or company_today(company)
    lines = _applicable_lines(customer=customer, company=company, item_ids=list(wanted), day=day)

    # candidates[item_id][level][price_list_id] = the line of the break that applies in that list
    candidates: dict[int, dict[str, dict[int, dict[str, Any]]]] = {}
    for line in lines:
        quantity, unit_id = wanted[line["item_id"]]
        if line["unit_id"] != unit_id or line["min_quantity"] > quantity:
            continue
        per_list = candidates.setdefault(line["item_id"], {}).setdefault(line["price_list__kind"], {})
        current = per_list.get(line["price_list_id"])
        if current is None or _break_key(line) > _break_key(current):
            per_list[line["price_list_id"]] = line

    company_currency = getattr(company, "currency", None)
    quotes: dict[int, PriceQuote | None] = {}
    for item_id, (quantity, unit_id) in wanted.items():
        quotes[item_id] = None
        levels = candidates.get(item_id, {})
        for level in LEVELS:
            offers = levels.get(level)
            if offers:
                best = min(
                    offers.values(),
                    key=lambda line: (
                        line["price_list__currency"] != company_currency,
                        line["unit_price"],
                        line["price_list__code"],
                    ),
                )
                quotes[item_id] = _quote(best, quantity, unit_id)
                break
    return quotes


def _applicable_lines(*, customer: Any, company: Any, item_ids: list[int], day: date) -> list[dict[str, Any]]:
    """The lines of the company's active lists valid on `day` for these items that may concern the customer."""
    concerns = Q(price_list__kind=PriceListKind.LIST)
    if customer is not None:
        groups = CustomerGroupMember.objects.filter(partner=customer, group__company=company).values("group_id")
        concerns |= Q(price_list__kind=PriceListKind.CUSTOMER, price_list__customer=customer)
        concerns |= Q(price_list__kind=PriceListKind.GROUP, price_list__customer_group__in=groups)
    return list(
        PriceListLine.objects.filter(
            concerns,
            Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=day),
            Q(price_list__valid_until__isnull=True) | Q(price_list__valid_until__gte=day),
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            price_list__company=company,
            price_list__is_active=True,
            item_id__in=item_ids,
        ).values(*_LINE_FIELDS)
    )


def _break_key(line: dict[str, Any]) -> tuple[Decimal, date]:
    """The break that applies: the largest from-quantity; of two lines with the same one, the later-starting."""
    return (line["min_quantity"], line["valid_from"] or date.min)


def _quote(line: dict[str, Any], quantity: Decimal, unit_id: int) -> PriceQuote:
    unit_price: Decimal = line["unit_price"]
    tax_rate: Decimal = line["tax_rate"]
    net_amount = (unit_price * quantity).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)
    tax_amount = (net_amount * tax_rate / HUNDRED).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)
    return PriceQuote(
        unit_price=unit_price,
        currency=line["price_list__currency"],
        tax_rate=tax_rate,
        gross_unit_price=(unit_price * (HUNDRED + tax_rate) / HUNDRED).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP),
        price_list_code=line["price_list__code"],
        price_list_kind=line["price_list__kind"],
        min_quantity=line["min_quantity"],
        quantity=quantity,
        unit_id=unit_id,
        net_amount=net_amount,
        tax_amount=tax_amount,
        gross_amount=net_amount + tax_amount,
        price_list_id=line["price_list_id"],
        line_id=line["id"],
    )


@dataclass(frozen=True)
class PriceBreak:
    """One quantity break of an item's price at one level: from `min_quantity` on, `unit_price` (net)."""

    min_quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    gross_unit_price: Decimal
    currency: str


def price_breaks(
    *, customer: Any, company: Any, item: Item, unit: Any = None, kind: str, on: date | None = None
) -> list[PriceBreak]:
    """The quantity breaks of `item` in `unit` (default its base unit) that apply to `customer` at `company` at
    the strategy's level `kind` (the level that won, `PriceQuote.price_list_kind`), smallest quantity first. When
    several lists of the level offer a break, the lowest price (own currency first) stands, as in
    `resolve_prices_many`. One query."""
    unit_id = item.base_unit_id if unit is None else getattr(unit, "pk", unit)
    day = on or company_today(company)
    company_currency = getattr(company, "currency", None)
    best: dict[Decimal, dict[str, Any]] = {}
    for line in _applicable_lines(customer=customer, company=company, item_ids=[item.pk], day=day):
        if line["unit_id"] != unit_id or line["price_list__kind"] != kind:
            continue
        key = (line["price_list__currency"] != company_currency, line["unit_price"], line["price_list__code"])
        current = best.get(line["min_quantity"])
        if current is None or key < (
            current["price_list__currency"] != company_currency,
            current["unit_price"],
            current["price_list__code"],
        ):
            best[line["min_quantity"]] = line
    return [
        PriceBreak(
            min_quantity=quantity,
            unit_price=line["unit_price"],
            tax_rate=line["tax_rate"],
            gross_unit_price=(line["unit_price"] * (HUNDRED + line["tax_rate"]) / HUNDRED).quantize(
                PRICE_PLACES, rounding=ROUND_HALF_UP
            ),
            currency=line["price_list__currency"],
        )
        for quantity, line in sorted(best.items())
    ]
