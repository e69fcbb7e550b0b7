"""/api/v1/ for the ERP's finished-goods stock (the storefront's availability hint).

`POST /stock/batch` with `{"items": [{"company", "warehouse", "item", "on_hand", "available", "as_of",
"source_version"}]}` (up to 1000 rows, quantities in the item's base unit) records each row through
catalog.shop.services.stock_upsert, in its own savepoint: each row is answered `applied`, `stale` (the stored row
is newer: a higher `source_version`, or without versions a later `as_of`), `invalid` (errors name the field,
`items[3].available`) or `forbidden` (a company-bound client sending another company's stock). Takes
`stock:write`; honours `Idempotency-Key`. `GET /stock?item=&company=` reads what the client may see (its company's;
a group client all), paged, with `stock:read`.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime, field_validator

from catalog.models import Item
from portal.api.idempotency import run_idempotent
from portal.api.problems import PROBLEM_STATUSES, Problem, errors_from_django, errors_from_pydantic
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from portal.api.upserting import (
    MAX_BATCH,
    MAX_SOURCE_VERSION,
    BatchResults,
    CleanSchema,
    json_response,
    object_result,
    require_scope,
)
from portal.organisations.access import scope_of
from portal.organisations.models import Company, Warehouse

from .models import ItemStock
from .services import stock_upsert

router = Router(tags=["stock"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
SCOPE_STOCK_READ = "stock:read"
SCOPE_STOCK_WRITE = "stock:write"
QUANTITY = {"max_digits": 20, "decimal_places": 4}


class StockIn(CleanSchema):
    company: str = Field(..., description="The company's code.")
    warehouse: str = Field(..., description="The warehouse's code (of that company).")
    item: str = Field(..., description="The item's code.")
    on_hand: Decimal = Field(..., **QUANTITY, description="In the item's base unit.")
    available: Decimal = Field(..., **QUANTITY, description="On hand minus reserved, in the item's base unit.")
    as_of: AwareDatetime = Field(..., description="When the ERP counted it (with a time zone).")
    source_version: int | None = Field(None, ge=0, le=MAX_SOURCE_VERSION)

    @field_validator("as_of", mode="after")
    @classmethod
    def in_utc(cls, value):
        try:
            return value.astimezone(UTC)
        except OverflowError as error:
            raise ValueError(_("The time is out of range.")) from error


class StockBatch(Schema):
    items: list[Any] = Field(
        ..., max_length=MAX_BATCH, description=f"Up to {MAX_BATCH} stock rows (see StockIn), applied one by one."
    )


class StockOut(Schema):
    company: str
    warehouse: str
    item: str
    on_hand: str
    available: str
    as_of: AwareDatetime
    source_version: int | None


class StockPage(Schema):
    results: list[StockOut]
    next_cursor: str | None


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f") if value else "0"


def stock_payload(row: ItemStock) -> dict[str, Any]:
    return {
        "company": row.company.code,
        "warehouse": row.warehouse.code,
        "item": row.item.code,
        "on_hand": _number(row.on_hand),
        "available": _number(row.available),
        "as_of": row.as_of,
        "source_version": row.source_version,
    }


def _key(raw: Any) -> str:
    if not isinstance(raw, dict):
        return ""
    return "/".join("-" if raw.get(name) is None else str(raw.get(name)) for name in ("company", "warehouse", "item"))


def _context(rows: list[StockIn]) -> dict[str, dict]:
    """Companies, warehouses and items named in the batch, in three queries."""
    companies = {company.code: company for company in Company.objects.filter(code__in={row.company for row in rows})}
    warehouses = {
        (warehouse.company_id, warehouse.code): warehouse
        for warehouse in Warehouse.objects.filter(
            company__in=companies.values(), code__in={row.warehouse for row in rows}
        )
    }
    items = {
        item.code: item
        for item in Item.objects.filter(code__in={row.item for row in rows}).only("pk", "code", "base_unit_id")
    }
    return {"companies": companies, "warehouses": warehouses, "items": items}


def _apply(actor: Any, data: StockIn, context: dict[str, dict]):
    scope = scope_of(actor)
    company = context["companies"].get(data.company)
    if company is None or (not scope.is_group and company.pk not in scope.company_ids):
        if not scope.is_group:
            raise PermissionDenied(_("This client may only write the stock of its own company."))
        raise ValidationError({"company": _("There is no company %(code)s.") % {"code": data.company}})
    errors: dict[str, list[str]] = {}
    warehouse = context["warehouses"].get((company.pk, data.warehouse))
    if warehouse is None:
        errors["warehouse"] = [
            _("%(company)s has no warehouse %(code)s.") % {"company": company.code, "code": data.warehouse}
        ]
    item = context["items"].get(data.item)
    if item is None:
        errors["item"] = [_("There is no item with the code “%(code)s”.") % {"code": data.item}]
    if data.available > data.on_hand:
        errors["available"] = [_("Available cannot be more than on hand.")]
    if errors:
        raise ValidationError(errors)
    return stock_upsert(
        actor=actor,
        company=company,
        warehouse=warehouse,
        item=item,
        on_hand=data.on_hand,
        available=data.available,
        as_of=data.as_of,
        source_version=data.source_version,
    )


def _apply_rows(request: HttpRequest, rows: list[Any]) -> list[dict]:
    results: list[dict | None] = [None] * len(rows)
    valid: list[tuple[int, str, StockIn]] = []
    for index, raw in enumerate(rows):
        prefix = f"items[{index}]"
        key = _key(raw)
        if not isinstance(raw, dict):
            results[index] = object_result(
                index, key, "invalid", errors=[{"field": prefix, "detail": _("Each row must be a JSON object.")}]
            )
            continue
        try:
            valid.append((index, key, StockIn.model_validate(raw)))
        except pydantic.ValidationError as error:
            results[index] = object_result(index, key, "invalid", errors=errors_from_pydantic(error.errors(), prefix))
    context = _context([data for _index, _key, data in valid])
    with transaction.atomic():
        for index, key, data in valid:
            prefix = f"items[{index}]"
            try:
                with transaction.atomic():
                    applied = _apply(request.auth, data, context)
            except ValidationError as error:
                results[index] = object_result(index, key, "invalid", errors=errors_from_django(error, prefix))
            except PermissionDenied as error:
                results[index] = object_result(
                    index, key, "forbidden", errors=[{"field": prefix, "detail": str(error)}]
                )
            except (IntegrityError, DataError):
                detail = _("A value is out of range or too long for its field.")
                results[index] = object_result(index, key, "invalid", errors=[{"field": prefix, "detail": detail}])
            else:
                results[index] = object_result(index, key, "stale" if applied.stale else "applied")
    return [result for result in results if result is not None]


@router.post("/stock/batch", response={200: BatchResults, **PROBLEMS})
def stock_batch(request: HttpRequest, payload: StockBatch):
    """Record up to 1000 rows of finished-goods stock (per warehouse and item; newer wins)."""
    require_scope(request, SCOPE_STOCK_WRITE)
    return run_idempotent(
        request, request.auth, lambda: json_response({"results": _apply_rows(request, payload.items)})
    )


@router.get("/stock", response={200: StockPage, **PROBLEMS})
def list_stock(
    request: HttpRequest,
    item: str | None = None,
    company: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """Stock rows this client may read (its company's; a group client all), in id order."""
    require_scope(request, SCOPE_STOCK_READ)
    rows = ItemStock.objects.visible_to(request.auth).select_related("company", "warehouse", "item")
    if item is not None:
        rows = rows.filter(item__code=path_key(item))
    if company is not None:
        rows = rows.filter(company__code=path_key(company))
    found, next_cursor = page(rows, updated_since=None, updated_field="as_of", cursor=cursor, limit=limit)
    return {"results": [stock_payload(row) for row in found], "next_cursor": next_cursor}
