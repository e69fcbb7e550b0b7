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
