"""`POST /api/v1/items/batch` through `catalog.bulk.item_upsert_many`: the API's objects become `ItemChange`s
(category, unit and conversion codes looked up in the batch's context) and the outcomes the API's per-object
results, with errors under `objects[i].…`. The answers are those of `item_upsert` object by object
(tests/api/test_item_batch.py holds rows, audit rows and events equal), in a few queries per batch.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from catalog.bulk import ItemChange, item_upsert_many
from portal.api.problems import errors_from_django
from portal.api.upserting import object_result, source_of, values_of


def item_change(data: Any, context: dict[str, Any]) -> ItemChange:
    """An inbound ItemIn as the service takes it; ValidationError when it names a category or unit that does not
    exist."""
    values = values_of(data, exclude=["code", "conversions"])
    errors: dict[str, list[str]] = {}
    if "category" in values:
        values["category"] = context["categories"].get(data.category)
        if values["category"] is None:
            errors["category"] = [_("There is no category with the code “%(code)s”.") % {"code": data.category}]
    if "base_unit" in values:
        values["base_unit"] = context["units"].get(data.base_unit)
        if values["base_unit"] is None:
            errors["base_unit"] = [_("There is no unit with the code “%(code)s”.") % {"code": data.base_unit}]
    if values.get("sales_unit") is not None:
        code = values["sales_unit"]
        values["sales_unit"] = context["units"].get(code)
        if values["sales_unit"] is None:
            errors["sales_unit"] = [_("There is no unit with the code “%(code)s”.") % {"code": code}]
    conversions = None
    if data.conversions is not None:
        conversions = {}
        for code, factor in data.conversions.items():
            unit = context["units"].get(code)
            if unit is None:
                errors[f"conversions.{code}"] = [_("There is no unit with the code “%(code)s”.") % {"code": code}]
            else:
                conversions[unit] = factor
    if errors:
        raise ValidationError(errors)
    version, updated_at = source_of(data)
    return ItemChange(
        code=data.code,
        values=values,
        conversions=conversions,
        source_version=version,
        source_updated_at=updated_at,
    )


def apply_item_batch(
    request: HttpRequest, valid: list[tuple[int, str, Any]], context: dict[str, Any], prefix_of
) -> dict[int, dict]:
    """Results by index for `valid` (index, key, ItemIn)."""
    results: dict[int, dict] = {}
    pending: list[tuple[int, str]] = []
    changes: list[ItemChange] = []
    for index, key, data in valid:
        try:
            changes.append(item_change(data, context))
        except ValidationError as error:
            results[index] = object_result(index, key, "invalid", errors=errors_from_django(error, prefix_of(index)))
            continue
        pending.append((index, key))
    outcomes = item_upsert_many(actor=request.auth, changes=changes, request=request)
    for (index, key), outcome in zip(pending, outcomes, strict=True):
        if outcome.status == "invalid":
            errors = errors_from_django(outcome.errors, prefix_of(index))
            results[index] = object_result(index, key, "invalid", errors=errors)
        else:
            results[index] = object_result(index, key, outcome.status, outcome.item)
    return results
