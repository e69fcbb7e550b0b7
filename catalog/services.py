"""Changing the item master. The back office, the bulk import and the API all come through here, so each
change is validated the same way, audited, and reported to the ERP (`item.created` / `item.changed`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.integration.outbox import emit
from portal.integration.sync import Applied, audit_applied, upsert_row

from .attributes import validate_attributes, validate_schema
from .models import Category, Item, ItemUnitConversion, UnitOfMeasure
from .search import search_document


def item_payload(item: Item) -> dict[str, Any]:
    """What the ERP learns about an item (also the API's representation)."""
    return {
        "id": str(item.uuid),
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "category": item.category.code,
        "base_unit": item.base_unit.code,
        "is_purchasable": item.is_purchasable,
        "is_sellable": item.is_sellable,
        "status": item.status,
        "attributes": item.attributes,
        "description": item.description,
        "description_en": item.description_en,
        "conversions": [
            {"unit": conversion.unit.code, "factor": format(conversion.factor.normalize(), "f")}
            for conversion in item.conversions.select_related("unit").order_by("unit__code")
        ],
        "source_version": item.source_version,
    }


def category_upsert(
    *,
    actor: Any,
    code: str,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a category. `values` may hold name, name_en, parent (a Category or None),
    attribute_schema, sort_order, is_active."""
    values = dict(values)
    if "attribute_schema" in values:
        values["attribute_schema"] = validate_schema(values["attribute_schema"])
    with transaction.atomic():
        applied = upsert_row(
            Category, {"code": code}, values, source_version=source_version, source_updated_at=source_updated_at
        )
        category = applied.obj
        if applied.changed and category.parent_id is not None:
            if category.pk == category.parent_id or any(a.pk == category.pk for a in category.parent.ancestors()):
                raise ValidationError({"parent": _("A category cannot be placed under itself or its descendants.")})
        audit_applied(
            actor=actor,
            applied=applied,
            kind="category",
            created={"code": code, "name": category.name},
            request=request,
        )
    return applied


def unit_upsert(
    *,
    actor: Any,
    code: str,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a unit of measure. `values` may hold name, name_en, dimension, factor, is_active."""
    with transaction.atomic():
        applied = upsert_row(
            UnitOfMeasure,
            {"code": code},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        audit_applied(
            actor=actor, applied=applied, kind="unit", created={"code": code, "name": applied.obj.name}, request=request
        )
    return applied


def item_upsert(
    *,
    actor: Any,
    code: str,
    values: dict[str, Any],
    conversions: dict[UnitOfMeasure, Decimal] | None = None,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change an item.

    `values` may hold name, name_en, category, base_unit (instances), is_purchasable, is_sellable, status,
    attributes (validated against the category's schema, including inherited attributes), description,
    description_en. `conversions` (unit → base units per unit), when given, replaces the item's conversions.
    Raises ValidationError naming the field (`attributes.thickness`, `conversions.pcs`, …).
    """
    values = dict(values)
    with transaction.atomic():
        existing = Item.objects.select_related("category").filter(code=code).first()
        category = values.get("category") or (existing.category if existing else None)
        if category is None:
            raise ValidationError({"category": _("An item needs a category.")})
        if "attributes" in values or "category" in values:
            values["attributes"] = validate_attributes(
                category.effective_schema(), values.get("attributes", existing.attributes if existing else {})
            )
        applied = upsert_row(
            Item, {"code": code}, values, source_version=source_version, source_updated_at=source_updated_at
        )
        item = applied.obj
        if applied.changed:
            _refresh_search_text(item, category)
        if not applied.stale and conversions is not None:
            conversion_changes = _replace_conversions(item, conversions)
            if conversion_changes:
                applied.changes["conversions"] = conversion_changes
        if applied.changed:
            payload = item_payload(item)
            audit_applied(actor=actor, applied=applied, kind="item", created=payload, request=request)
            emit(
                "item.created" if applied.created else "item.changed",
                payload | {"changed": sorted(applied.changes)} if not applied.created else payload,
                obj=item,
            )
    return applied


def _refresh_search_text(item: Item, category: Category) -> None:
    """Keep the item's search document current (not a change of its own: neither audited nor reported)."""
    document = search_document(item, category)
    if document != item.search_text:
        Item.objects.filter(pk=item.pk).update(search_text=document)
        item.search_text = document


def _replace_conversions(item: Item, conversions: dict[UnitOfMeasure, Decimal]) -> tuple[dict, dict] | None:
    errors = {}
    for unit, factor in conversions.items():
        if unit.pk == item.base_unit_id:
            errors[f"conversions.{unit.code}"] = [_("The base unit needs no conversion.")]
        elif factor is None or factor <= 0:
            errors[f"conversions.{unit.code}"] = [_("A conversion factor must be greater than zero.")]
    if errors:
        raise ValidationError(errors)
    current = {c.unit_id: c for c in item.conversions.all()}
    old = {c.unit_id: c.factor for c in current.values()}
    new = {unit.pk: Decimal(factor) for unit, factor in conversions.items()}
    if old == new:
        return None
    item.conversions.exclude(unit_id__in=new).delete()
    for unit_id, factor in new.items():
        if unit_id in current:
            if current[unit_id].factor != factor:
                current[unit_id].factor = factor
                current[unit_id].save(update_fields=["factor"])
        else:
            ItemUnitConversion.objects.create(item=item, unit_id=unit_id, factor=factor)
    units = dict(UnitOfMeasure.objects.filter(pk__in=set(old) | set(new)).values_list("pk", "code"))
    return (
        {units[k]: format(v.normalize(), "f") for k, v in old.items()},
        {units[k]: format(v.normalize(), "f") for k, v in new.items()},
    )
