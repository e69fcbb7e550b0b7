"""`{{ value|quantity }}`: a quantity or rate without trailing zeros and never in exponent form (500, 0.5)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def quantity(value) -> str:
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def price(value) -> str:
    """A unit price with at least 2 and at most 4 decimals: 4000.00, 120.50, 12.3456."""
    if value is None or value == "":
        return ""
    whole, _, fraction = format(Decimal(str(value)).quantize(Decimal("0.0001")), "f").partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
