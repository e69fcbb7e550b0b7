"""/api/v1/ for the item master (物品标准化): categories, units of measure, items.

The item master is the group's: only a group-wide client with `masterdata:write` writes it (a company-bound
client gets 403 and nothing changes); every client with `masterdata:read` reads it, by code
(`GET /items/{code}`) or in pages (`GET /items?code=&updated_since=&limit=&cursor=`).
Writes go through catalog.services, which validate, audit and emit item.created / item.changed; item batches
through its bulk form, catalog.bulk.item_upsert_many (catalog.api_batch adapts the API's objects to it).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from portal.api.problems import PROBLEM_STATUSES, Problem, ProblemError
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from portal.api.upserting import (
    SCOPE_READ,
    BatchResults,
    Collection,
    UpsertIn,
    UpsertResult,
    batch_schema,
    batch_write,
    body_with_key,
    require_scope,
    single_write,
    source_of,
    values_of,
)
from portal.organisations.access import scope_of

from .api_batch import apply_item_batch, item_change
from .models import Category, Dimension, Item, ItemStatus, UnitOfMeasure
from .services import category_upsert, item_payload, item_upsert, unit_upsert

router = Router(tags=["item master"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
BATCH_RESPONSES = {200: BatchResults, **PROBLEMS}
WRITE_RESPONSES = {200: UpsertResult, **PROBLEMS}
FACTOR = {"gt": 0, "max_digits": 24, "decimal_places": 10}


# --- what the ERP sends ------------------------------------------------------------------------------------------


class CategoryIn(UpsertIn):
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    name_en: str = ""
    parent: str | None = Field(None, description="The parent category's code, or null for a root.")
    attribute_schema: list[dict[str, Any]] = Field(
        [], description='E.g. [{"code": "thickness", "type": "decimal", "unit": "mm", "required": true}]'
    )
    sort_order: int = Field(0, ge=-(2**31), lt=2**31)
    is_active: bool = True


class UnitIn(UpsertIn):
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    name_en: str = ""
    dimension: Dimension = Dimension.COUNT
    factor: Decimal = Field(Decimal("1"), **FACTOR)
    is_active: bool = True


class ItemIn(UpsertIn):
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    name_en: str = ""
    category: str = Field(None, description="The category's code (required for a new item).")
    base_unit: str = Field(None, description="The base unit's code (required for a new item).")
    is_purchasable: bool = True
    is_sellable: bool = False
    status: ItemStatus = ItemStatus.ACTIVE
    attributes: dict[str, Any] = Field({}, description="Values keyed by the category's attribute codes.")
    description: str = ""
    description_en: str = ""
    conversions: dict[str, Decimal] | None = Field(
        None, description="{unit code: base units per unit}; when given, replaces the item's conversions."
    )
    sales_unit: str | None = Field(
        None, description="The unit customers order in (its code; null: the base unit). Must convert to the base unit."
    )
    min_order_quantity: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=4)
    order_multiple: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=4, description="0: any.")
    lead_time_days: int = Field(0, ge=0, le=3650, description="Days to make or buy it when there is no stock.")


# --- what the API answers ----------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    name_en: str
    parent: str | None
    attribute_schema: list[dict[str, Any]]
    sort_order: int
    is_active: bool
    source_version: int | None


class UnitOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    name_en: str
    dimension: str
    factor: str
    is_active: bool
    source_version: int | None


class ConversionOut(Schema):
    unit: str
    factor: str


class ItemOut(Schema):
    """The item as `item_payload` describes it (also in item.created / item.changed events)."""

    id: uuid.UUID
    code: str
    name: str
    name_en: str
    category: str
    base_unit: str
    is_purchasable: bool
    is_sellable: bool
    status: str
    attributes: dict[str, Any]
    description: str
    description_en: str
    conversions: list[ConversionOut]
    sales_unit: str | None
    min_order_quantity: str
    order_multiple: str
    lead_time_days: int
    source_version: int | None


class CategoryPage(Schema):
    results: list[CategoryOut]
    next_cursor: str | None


class UnitPage(Schema):
    results: list[UnitOut]
    next_cursor: str | None


class ItemPage(Schema):
    results: list[ItemOut]
    next_cursor: str | None


def category_payload(category: Category) -> dict[str, Any]:
    return {
        "id": str(category.uuid),
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "parent": category.parent.code if category.parent_id else None,
        "attribute_schema": category.attribute_schema,
        "sort_order": category.sort_order,
        "is_active": category.is_active,
        "source_version": category.source_version,
    }


def unit_payload(unit: UnitOfMeasure) -> dict[str, Any]:
    return {
        "id": str(unit.uuid),
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "dimension": unit.dimension,
        "factor": format(unit.factor.normalize(), "f"),
        "is_active": unit.is_active,
        "source_version": unit.source_version,
    }


# --- collections -------------------------------------------------------------------------------------------------


def _require_group(request: HttpRequest) -> None:
    if not scope_of(request.auth).is_group:
        raise ProblemError(403, _("The item master is the group's: only a group-wide client may write it."))


def _apply_category(*, actor, data: CategoryIn, context, request):
    values = values_of(data, exclude=["code"])
    if values.get("parent") is not None:
        parent = Category.objects.filter(code=values["parent"]).first()
        if parent is None:
            raise ValidationError(
                {"parent": _("There is no category with the code “%(code)s”.") % {"code": values["parent"]}}
            )
        values["parent"] = parent
    version, updated_at = source_of(data)
    return category_upsert(
        actor=actor,
        code=data.code,
        values=values,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_unit(*, actor, data: UnitIn, context, request):
    version, updated_at = source_of(data)
    return unit_upsert(
        actor=actor,
        code=data.code,
        values=values_of(data, exclude=["code"]),
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _item_context(actor: Any, objects: list[ItemIn]) -> dict[str, dict]:
    """All categories (linked to their parents, so schemas resolve without a query per item) and units, looked
    up once per batch: both tables are small next to a batch of items."""
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        if category.parent_id in categories:
            category.parent = categories[category.parent_id]
    return {
        "categories": {category.code: category for category in categories.values()},
        "units": {unit.code: unit for unit in UnitOfMeasure.objects.all()},
    }


def _apply_item(*, actor, data: ItemIn, context, request):
    change = item_change(data, context or _item_context(actor, [data]))
    return item_upsert(
        actor=actor,
        code=change.code,
        values=change.values,
        conversions=change.conversions,
        source_version=change.source_version,
        source_updated_at=change.source_updated_at,
        request=request,
    )


CATEGORIES = Collection("categories", CategoryIn, ("code",), _apply_category)
UNITS = Collection("units", UnitIn, ("code",), _apply_unit)
ITEMS = Collection("items", ItemIn, ("code",), _apply_item, prepare=_item_context, bulk_apply=apply_item_batch)

CategoryBatch = batch_schema(CategoryIn)
UnitBatch = batch_schema(UnitIn)
ItemBatch = batch_schema(ItemIn)


@router.post("/categories/batch", response=BATCH_RESPONSES)
def categories_batch(request: HttpRequest, payload: CategoryBatch):
    """Create or change up to 1000 categories (parents before their children)."""
    _require_group(request)
    return batch_write(request, CATEGORIES, payload.objects)


@router.post("/units/batch", response=BATCH_RESPONSES)
def units_batch(request: HttpRequest, payload: UnitBatch):
    """Create or change up to 1000 units of measure."""
    _require_group(request)
    return batch_write(request, UNITS, payload.objects)


@router.post("/items/batch", response=BATCH_RESPONSES)
def items_batch(request: HttpRequest, payload: ItemBatch):
    """Create or change up to 1000 items."""
    _require_group(request)
    return batch_write(request, ITEMS, payload.objects)


def _get_by_code(request: HttpRequest, queryset, code: str):
    require_scope(request, SCOPE_READ)
    found = queryset.filter(code=path_key(code)).first()
    if found is None:
        raise Http404
    return found


def _list(request: HttpRequest, queryset, *, code, updated_since, cursor, limit, updated_field="source_updated_at"):
    require_scope(request, SCOPE_READ)
    if code is not None:
        queryset = queryset.filter(code=path_key(code))
    return page(queryset, updated_since=updated_since, updated_field=updated_field, cursor=cursor, limit=limit)


@router.get("/categories", response={200: CategoryPage, **PROBLEMS})
def list_categories(
    request: HttpRequest,
    code: str | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """Categories in id order; `updated_since` compares the ERP's last `updated_at` applied."""
    rows, next_cursor = _list(
        request,
        Category.objects.select_related("parent"),
        code=code,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    return {"results": [category_payload(row) for row in rows], "next_cursor": next_cursor}


@router.get("/categories/{code}", response={200: CategoryOut, **PROBLEMS}, url_name="category")
def get_category(request: HttpRequest, code: str):
    return category_payload(_get_by_code(request, Category.objects.select_related("parent"), code))


@router.put("/categories/{code}", response=WRITE_RESPONSES, url_name="category")
def put_category(request: HttpRequest, code: str, payload: CategoryIn):
    """Create or change one category."""
    _require_group(request)
    return single_write(request, CATEGORIES, body_with_key(payload, code=code))


@router.get("/units", response={200: UnitPage, **PROBLEMS})
def list_units(
    request: HttpRequest,
    code: str | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """Units of measure in id order."""
    rows, next_cursor = _list(
        request, UnitOfMeasure.objects.all(), code=code, updated_since=updated_since, cursor=cursor, limit=limit
    )
    return {"results": [unit_payload(row) for row in rows], "next_cursor": next_cursor}


@router.get("/units/{code}", response={200: UnitOut, **PROBLEMS}, url_name="unit")
def get_unit(request: HttpRequest, code: str):
    return unit_payload(_get_by_code(request, UnitOfMeasure.objects.all(), code))


@router.put("/units/{code}", response=WRITE_RESPONSES, url_name="unit")
def put_unit(request: HttpRequest, code: str, payload: UnitIn):
    """Create or change one unit of measure."""
    _require_group(request)
    return single_write(request, UNITS, body_with_key(payload, code=code))


@router.get("/items", response={200: ItemPage, **PROBLEMS})
def list_items(
    request: HttpRequest,
    code: str | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """Items in id order; `updated_since` compares the portal's last change of the item."""
    rows, next_cursor = _list(
        request,
        Item.objects.select_related("category", "base_unit", "sales_unit"),
        code=code,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
        updated_field="updated_at",
    )
    return {"results": [item_payload(row) for row in rows], "next_cursor": next_cursor}


@router.get("/items/{code}", response={200: ItemOut, **PROBLEMS}, url_name="item")
def get_item(request: HttpRequest, code: str):
    return item_payload(_get_by_code(request, Item.objects.select_related("category", "base_unit", "sales_unit"), code))


@router.put("/items/{code}", response=WRITE_RESPONSES, url_name="item")
def put_item(request: HttpRequest, code: str, payload: ItemIn):
    """Create or change one item."""
    _require_group(request)
    return single_write(request, ITEMS, body_with_key(payload, code=code))
