"""What the storefront offers one visitor for one item: per selling company, the price (or none), the sales unit
and the ordering rules. The shop's selectors build these; the item-action slot receives them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.pricing.selectors import PriceQuote


@dataclass(frozen=True)
class Offer:
    company: Any  # portal.organisations.models.Company that sells it
    quote: PriceQuote | None  # None: no price for this customer (request a quote) or prices hidden
    unit: Any  # catalog.models.UnitOfMeasure: the sales unit (the item's base unit when it has none)
    min_quantity: Decimal  # 0: no minimum
    multiple: Decimal  # 0: any quantity
    can_order: bool  # the visitor acts for an approved customer with an active account at this company
