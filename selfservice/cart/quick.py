"""Quick order (快速下单) and re-order: many lines into the cart at once, each row told what happened.

Quick order reads pasted text, one item per line: the item code and the quantity separated by tabs (a
spreadsheet column pair), commas (also the full-width ，), semicolons or spaces. The selling company is the
one offering the item to this customer: of the customer's active accounts (by company code), the first whose
company has a price for it. Rows that fail say why; the good rows are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import Item
from catalog.pricing.selectors import resolve_prices_many
from portal.core.errors import DomainError
from portal.organisations.models import CustomerAccount

from .services import cart_add, item_problem, parse_quantity, quantity_problem, require_orderer

MAX_ROWS = 200
SEPARATORS = re.compile(r"[\t,，;；\s]+")


@dataclass
class QuickRow:
    number: int  # the line of the pasted text (1-based)
    text: str
    code: str = ""
    quantity: Decimal | None = None
    item: Any = None
    company: Any = None
    error: str = ""
    added: bool = False


def parse_quick_text(text: str) -> list[QuickRow]:
    """The rows of the pasted text (blank lines skipped), each with its code and quantity or its error."""
    rows: list[QuickRow] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        row = QuickRow(number=number, text=line[:200])
        rows.append(row)
        parts = [part for part in SEPARATORS.split(line) if part]
        if len(parts) != 2:
            row.error = _("Write the item code and the quantity, e.g. PL-Q235-10 12.5.")
            continue
        row.code = parts[0].upper()
        try:
            row.quantity = parse_quantity(parts[1])
        except DomainError as error:
            row.error = error.message
    return rows


def quick_order_add(*, actor: Any, partner: Any, text: str) -> list[QuickRow]:
    """Add the good rows of the pasted text to the person's cart; every row comes back with what happened."""
    require_orderer(actor, partner)
    rows = parse_quick_text(text)
    if len(rows) > MAX_ROWS:
        raise DomainError(_("Paste at most %(count)d lines at a time.") % {"count": MAX_ROWS})
    codes = {row.code for row in rows if row.code}
    items = {
        item.code.upper(): item
        for item in Item.objects.filter(code__in=codes | {code.lower() for code in codes}).select_related(
            "sales_unit", "base_unit"
        )
    }
    pending = []
    for row in rows:
        if row.error:
            continue
        row.item = items.get(row.code)
        if row.item is None:
            row.error = _("Unknown item code %(code)s.") % {"code": row.code}
            continue
        problem = item_problem(row.item) or quantity_problem(row.item, row.quantity)
        if problem:
            row.error = problem
            continue
        pending.append(row)
    _choose_companies(partner, pending)
    for row in pending:
        if row.company is None:
            row.error = _("No price for you: request a quote.")
            continue
        try:
            cart_add(actor=actor, partner=partner, company=row.company, item=row.item, quantity=row.quantity)
        except DomainError as error:
            row.error = error.message
        else:
            row.added = True
    return rows


def _choose_companies(partner: Any, rows: list[QuickRow]) -> None:
    """Each row's selling company: the first of the customer's account companies with a price (one query each)."""
    if not rows:
        return
    accounts = (
        CustomerAccount.objects.filter(partner=partner, is_active=True, company__is_active=True)
        .select_related("company")
        .order_by("company__code")
    )
    for account in accounts:
        waiting = [row for row in rows if row.company is None]
        if not waiting:
            return
        quotes = resolve_prices_many(
            customer=partner,
            company=account.company,
            items_with_quantities=[(row.item, row.quantity, row.item.sales_unit_or_base_id) for row in waiting],
        )
        for row in waiting:
            if quotes.get(row.item.pk) is not None:
                row.company = account.company


@dataclass
class ReorderRow:
    line: Any
    added: bool = False
    error: str = ""


def reorder_add(*, actor: Any, partner: Any, order: Any) -> list[ReorderRow]:
    """Put the lines of a past order (of this customer) into the cart at today's prices; each line comes back
    with what happened."""
    require_orderer(actor, partner)
    if order.customer_id != partner.pk:
        raise DomainError(_("That order is not one of %(customer)s's.") % {"customer": partner.name})
    rows = []
    for line in order.lines.select_related("item", "item__sales_unit", "item__base_unit", "unit").order_by("line_no"):
        row = ReorderRow(line=line)
        rows.append(row)
        try:
            cart_add(
                actor=actor,
                partner=partner,
                company=order.company,
                item=line.item,
                quantity=line.quantity,
                unit=line.unit_id,
            )
        except DomainError as error:
            row.error = error.message
        else:
            row.added = True
    return rows
