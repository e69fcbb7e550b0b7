"""Formatting for the storefront's templates: money and quantities as Decimals, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENTS = Decimal("0.01")


def _grouped(number: Decimal, places: int) -> str:
    return f"{number:,.{places}f}"


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"; a price with more than two places keeps them (up to four): 12.3456 → "12.3456"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if number == number.quantize(CENTS):
        return _grouped(number.quantize(CENTS, rounding=ROUND_HALF_UP), 2)
    return _grouped(number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), 4).rstrip("0")


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros: 10.0000 → "10", 0.5000 → "0.5"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    return format(number.normalize(), "f") if number else "0"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
