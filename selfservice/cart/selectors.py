"""The cart as the person sees it: lines grouped by selling company, each with today's price for its quantity
(quantity breaks apply), its amounts and what would stop it from being ordered; subtotals per company.

Queries: the lines (one), the partner's accounts (one), prices per selling company (one each): constant in the
number of lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from catalog.pricing.selectors import PriceQuote, resolve_prices_many
from portal.organisations.models import CustomerAccount

from .models import Cart, CartLine
from .services import item_problem, quantity_problem

ZERO = Decimal("0.00")


@dataclass
class CartRow:
    line: CartLine
    quote: PriceQuote | None
    problems: list[str] = field(default_factory=list)
    needs_quote: bool = False  # no price any more: the person may request a quote

    @property
    def can_order(self) -> bool:
        return self.quote is not None and not self.problems


@dataclass
class CartGroup:
    company: Any
    account: CustomerAccount | None
    rows: list[CartRow]
    currency: str = ""
    net_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    gross_total: Decimal = ZERO
    problems: list[str] = field(default_factory=list)

    @property
    def can_order(self) -> bool:
        return self.account is not None and not self.problems and all(row.can_order for row in self.rows)


def cart_lines(cart: Cart, *, company: Any = None) -> list[CartLine]:
    lines = CartLine.objects.filter(cart=cart).select_related(
        "company", "item", "item__sales_unit", "item__base_unit", "unit"
    )
    if company is not None:
        lines = lines.filter(company=company)
    return list(lines.order_by("company__code", "added_at", "id"))


def cart_line_count(user: Any, partner: Any) -> int:
    return CartLine.objects.filter(cart__user=user, cart__customer=partner).count()


def group_cart(cart: Cart, *, company: Any = None, lines: list[CartLine] | None = None) -> list[CartGroup]:
    """The cart's lines (of one company, if given) by selling company, priced for the cart's customer today."""
    lines = cart_lines(cart, company=company) if lines is None else lines
    by_company: dict[int, list[CartLine]] = {}
    for line in lines:
        by_company.setdefault(line.company_id, []).append(line)
    accounts = {
        account.company_id: account
        for account in CustomerAccount.objects.filter(
            partner_id=cart.customer_id, company_id__in=list(by_company), is_active=True, company__is_active=True
        )
    }
    groups = []
    for company_lines in by_company.values():
        selling = company_lines[0].company
        account = accounts.get(selling.pk)
        quotes = resolve_prices_many(
            customer=cart.customer,
            company=selling,
            items_with_quantities=[(line.item, line.quantity, line.unit_id) for line in company_lines],
        )
        group = CartGroup(company=selling, account=account, rows=[])
        if account is None:
            group.problems.append(
                _("You can no longer order from %(company)s: remove these lines.") % {"company": selling.name}
            )
        currencies = set()
        for line in company_lines:
            quote = quotes.get(line.item_id)
            row = CartRow(line=line, quote=quote)
            problem = item_problem(line.item) or quantity_problem(line.item, line.quantity)
            if problem:
                row.problems.append(problem)
            if quote is None:
                row.needs_quote = True
                row.problems.append(_("No price for you any more: remove the line or request a quote."))
            else:
                currencies.add(quote.currency)
                group.net_total += quote.net_amount
                group.tax_total += quote.tax_amount
                group.gross_total += quote.gross_amount
            group.rows.append(row)
        group.currency = (
            currencies.pop() if len(currencies) == 1 else (account.currency if account else selling.currency)
        )
        if len(currencies) > 1:
            group.problems.append(_("These prices are in several currencies: ask your sales contact."))
        groups.append(group)
    return groups
