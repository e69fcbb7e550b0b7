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
from .cache import catalog_changed
from .models import Category, Item, ItemUnitConversion, UnitOfMeasure
from .search import remember_words, search_document


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
        **sales_terms_payload(item, item.sales_unit),
        "source_version": item.source_version,
    }


def _quantity_text(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f") if value else "0"


def sales_terms_payload(item: Item, sales_unit: UnitOfMeasure | None) -> dict[str, Any]:
    """How the item is sold, as the API and the item events carry it."""
    return {
        "sales_unit": sales_unit.code if sales_unit is not None else None,
        "min_order_quantity": _quantity_text(item.min_order_quantity),
        "order_multiple": _quantity_text(item.order_multiple),
        "lead_time_days": item.lead_time_days,
    }


def check_sales_unit(
    base_unit: UnitOfMeasure | None, sales_unit: UnitOfMeasure | None, conversion_units: list[UnitOfMeasure]
) -> None:
    """The sales unit must convert to the base unit: the base unit itself, a unit of the same dimension, or one
    the item's conversions reach (directly, or a unit of the same dimension as a converted one). ValidationError
    on `sales_unit` otherwise."""
    if sales_unit is None or base_unit is None or sales_unit.pk == base_unit.pk:
        return
    if sales_unit.dimension == base_unit.dimension:
        return
    if any(unit.pk == sales_unit.pk or unit.dimension == sales_unit.dimension for unit in conversion_units):
        return
    raise ValidationError(
        {
            "sales_unit": [
                _("%(unit)s does not convert to the base unit %(base)s: add a conversion for it.")
                % {"unit": sales_unit.code, "base": base_unit.code}
            ]
        }
    )


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
        if not applied.created and {"name", "name_en", "parent"} & applied.changes.keys():
            refresh_category_search_text(category)
        if applied.changed:
            catalog_changed()  # the shop's facets follow the categories' attribute schemas and tree
        audit_applied(
            actor=actor,
            applied=applied,
            kind="category",
            created={"code": code, "name": category.name},
            request=request,
        )
    return applied


SEARCH_REFRESH_BATCH = 1000


def refresh_category_search_text(category: Category) -> int:
    """Rewrite the search document of every item of the category and below (their documents hold the names of
    the category and its ancestors), in batches of one UPDATE each; only documents that changed. Returns how many
    items changed. Not a change of the items: neither audited nor reported."""
    from portal.integration.bulk_sql import update_rows

    from .selectors import categories_linked, descendant_ids

    categories = categories_linked()
    subtree = descendant_ids(categories[category.pk], categories)
    changed = 0
    batch: list[Item] = []
    items = (
        Item.objects.filter(category_id__in=subtree)
        .only("pk", "code", "name", "name_en", "category_id", "attributes", "search_text")
        .order_by("pk")
    )
    for item in items.iterator(chunk_size=SEARCH_REFRESH_BATCH):
        document = search_document(item, categories[item.category_id])
        if document != item.search_text:
            item.search_text = document
            batch.append(item)
        if len(batch) >= SEARCH_REFRESH_BATCH:
            update_rows(Item, batch, ["search_text"])
            remember_words(item.search_text for item in batch)
            changed += len(batch)
            batch = []
    update_rows(Item, batch, ["search_text"])
    remember_words(item.search_text for item in batch)
    catalog_changed()
    return changed + len(batch)


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
    description_en, and the sales terms: sales_unit (an instance or None: the base unit; it must convert to the
    base unit), min_order_quantity, order_multiple, lead_time_days. `conversions` (unit → base units per unit),
    when given, replaces the item's conversions.
    Raises ValidationError naming the field (`attributes.thickness`, `conversions.pcs`, `sales_unit`, …).
    """
    values = dict(values)
    with transaction.atomic():
        existing = Item.objects.select_related("category", "base_unit", "sales_unit").filter(code=code).first()
        category = values.get("category") or (existing.category if existing else None)
        if category is None:
            raise ValidationError({"category": _("An item needs a category.")})
        if "attributes" in values or "category" in values:
            values["attributes"] = validate_attributes(
                category.effective_schema(), values.get("attributes", existing.attributes if existing else {})
            )
        if {"sales_unit", "base_unit"} & values.keys() or conversions is not None:
            if conversions is not None:
                conversion_units = list(conversions)
            elif existing is not None:
                conversion_units = [c.unit for c in existing.conversions.select_related("unit")]
            else:
                conversion_units = []
            check_sales_unit(
                values.get("base_unit", existing.base_unit if existing else None),
                values.get("sales_unit", existing.sales_unit if existing else None),
                conversion_units,
            )
        applied = upsert_row(
            Item, {"code": code}, values, source_version=source_version, source_updated_at=source_updated_at
        )
        item = applied.obj
        if applied.changed:
            _refresh_search_text(item, category)
            catalog_changed()
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
        remember_words([document])


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
