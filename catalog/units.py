"""Converting quantities of an item between units: within a dimension by the units' factors (t → kg), across
dimensions through the item's own conversions (pcs → t for a plate of known weight)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from portal.core.errors import DomainError

from .models import Item, UnitOfMeasure


def base_units_per(item: Item, unit: UnitOfMeasure) -> Decimal:
    """How many of the item's base unit one `unit` is."""
    base = item.base_unit
    if unit.pk == base.pk:
        return Decimal(1)
    if unit.dimension == base.dimension:
        return unit.factor / base.factor
    for conversion in item.conversions.all():
        if conversion.unit_id == unit.pk:
            return conversion.factor
        # A conversion to another unit of the same dimension as `unit` serves too (pcs given, box asked).
        if conversion.unit.dimension == unit.dimension:
            return conversion.factor * unit.factor / conversion.unit.factor
    raise DomainError(
        _("%(item)s has no conversion between %(unit)s and %(base)s.")
        % {"item": item.code, "unit": unit.code, "base": base.code}
    )


def convert(item: Item, quantity: Decimal, from_unit: UnitOfMeasure, to_unit: UnitOfMeasure) -> Decimal:
    """`quantity` of `from_unit` expressed in `to_unit`, for this item."""
    return Decimal(quantity) * base_units_per(item, from_unit) / base_units_per(item, to_unit)
