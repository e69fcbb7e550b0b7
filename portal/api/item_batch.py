"""The fast path for `POST /api/v1/items/batch`: the same outcome as `item_upsert` object by object, in a
constant number of queries per batch instead of about a dozen per item.

Per object it decides exactly as `upsert_row` and `item_upsert` do — stale when the stored version (or
`updated_at`) is newer; attributes validated against the category's effective schema; changes field by field;
model validation before anything is written; the source version recorded only when newer; conversions replaced
when sent — then writes the batch with one locking read, bulk inserts and updates, and one audit row and one
`item.created` / `item.changed` event per item that changed (the payload is `item_payload`'s, built from the rows
in memory; tests/api/test_item_batch.py holds the two equal).

An object that fails validation is reported and left out; nothing of it is written. If the bulk write itself
fails (a concurrent insert of the same code), the batch's savepoint is rolled back and `None` tells the caller to
apply the batch object by object through `item_upsert` instead, so the answer is the same either way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.attributes import validate_attributes
from catalog.models import Category, Item, ItemUnitConversion, UnitOfMeasure
from portal.audit.models import AuditEvent
from portal.audit.services import client_ip
from portal.integration.models import OutboxEvent
from portal.integration.outbox import emit
from portal.integration.sync import Applied, changes_for_audit

from .problems import errors_from_django
from .upserting import object_result, source_of, values_of

RELATIONS = ("category", "base_unit")
SOURCE_FIELDS = ["source_version", "source_updated_at"]
_SKIP_VALIDATION = sorted({f.name for f in Item._meta.concrete_fields if f.is_relation})


def _factor_text(factor: Decimal) -> str:
    return format(Decimal(factor).normalize(), "f")


class _Plan:
    """What to do with one object."""

    def __init__(self, index: int, key: str, item: Item, created: bool) -> None:
        self.index = index
        self.key = key
        self.item = item
        self.created = created
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.source_changed = False
        # unit pk → factor, when the object replaces the conversions
        self.conversions: dict[int, Decimal] | None = None


def apply_item_batch(
    request: HttpRequest, valid: list[tuple[int, str, Any]], context: dict[str, Any], prefix_of
) -> dict[int, dict] | None:
    """Results by index for `valid` (index, key, ItemIn), or None when the caller must take the slow path."""
    actor = request.auth
    codes = [data.code for _index, _key, data in valid]
    if not getattr(actor, "is_api_client", False) or len(set(codes)) != len(codes):
        return None  # repeated codes are applied in order, one by one
    try:
        with transaction.atomic():
            return _apply(request, actor, valid, context, prefix_of)
    except (IntegrityError, DataError):
        return None


def _apply(request, actor, valid, context, prefix_of) -> dict[int, dict]:
    categories_by_pk: dict[int, Category] = {c.pk: c for c in context["categories"].values()}
    units_by_pk: dict[int, UnitOfMeasure] = {u.pk: u for u in context["units"].values()}
    existing = {
        item.code: item for item in Item.objects.select_for_update().filter(code__in=[d.code for _i, _k, d in valid])
    }
    stored_conversions: dict[int, dict[int, ItemUnitConversion]] = defaultdict(dict)
    for conversion in ItemUnitConversion.objects.filter(item__in=list(existing.values())):
        stored_conversions[conversion.item_id][conversion.unit_id] = conversion

    results: dict[int, dict] = {}
    plans: list[_Plan] = []
    for index, key, data in valid:
        try:
            plan = _plan(index, key, data, existing.get(data.code), context, categories_by_pk, units_by_pk)
        except ValidationError as error:
            results[index] = object_result(index, key, "invalid", errors=errors_from_django(error, prefix_of(index)))
            continue
        if plan is None:
            results[index] = object_result(index, key, "stale", existing[data.code])
            continue
        if plan.conversions is not None:
            old = {unit_pk: c.factor for unit_pk, c in stored_conversions.get(plan.item.pk, {}).items()}
            if old != plan.conversions:
                plan.changes["conversions"] = (
                    {units_by_pk[pk].code: _factor_text(f) for pk, f in old.items()},
                    {units_by_pk[pk].code: _factor_text(f) for pk, f in plan.conversions.items()},
                )
            else:
                plan.conversions = None  # unchanged: nothing to write
        plans.append(plan)
        results[index] = object_result(index, key, "applied", plan.item)

    _write(plans, stored_conversions)
    _record(request, actor, plans, categories_by_pk, units_by_pk, stored_conversions)
    return results


def _plan(index, key, data, item, context, categories_by_pk, units_by_pk) -> _Plan | None:
    """Decide one object as upsert_row and item_upsert would (validation first, then staleness); None when it
    is stale."""
    version, updated_at = source_of(data)
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
    conversions: dict[int, Decimal] | None = None
    if data.conversions is not None:
        conversions = {}
        for code, factor in data.conversions.items():
            unit = context["units"].get(code)
            if unit is None:
                errors[f"conversions.{code}"] = [_("There is no unit with the code “%(code)s”.") % {"code": code}]
            else:
                conversions[unit.pk] = Decimal(factor)
    if errors:
        raise ValidationError(errors)

    category = values.get("category") or (categories_by_pk.get(item.category_id) if item else None)
    if category is None:
        raise ValidationError({"category": _("An item needs a category.")})
    if "attributes" in values or "category" in values:
        values["attributes"] = validate_attributes(
            category.effective_schema(), values.get("attributes", item.attributes if item else {})
        )
    if item is not None and item.is_newer_than(version, updated_at):
        return None

    created = item is None
    plan = _Plan(index, key, item if item is not None else Item(code=data.code), created)
    item = plan.item
    for name, value in values.items():
        if created:
            setattr(item, name, value)
            continue
        if name in RELATIONS:
            old_pk = getattr(item, f"{name}_id")
            if old_pk != value.pk:
                old = categories_by_pk.get(old_pk) if name == "category" else units_by_pk.get(old_pk)
                setattr(item, name, value)
                plan.changes[name] = (old, value)
            continue
        old = getattr(item, name)
        if old != value:
            setattr(item, name, value)
            plan.changes[name] = (old, value)
    if version is not None and (item.source_version or 0) < version:
        item.source_version = version
        plan.source_changed = True
    if updated_at is not None and (item.source_updated_at is None or item.source_updated_at < updated_at):
        item.source_updated_at = updated_at
        plan.source_changed = True
    if created or plan.changes:
        item.full_clean(exclude=_SKIP_VALIDATION, validate_unique=False, validate_constraints=False)

    if conversions is not None:
        conversion_errors = {}
        for unit_pk, factor in conversions.items():
            code = units_by_pk[unit_pk].code
            if unit_pk == item.base_unit_id:
                conversion_errors[f"conversions.{code}"] = [_("The base unit needs no conversion.")]
            elif factor <= 0:
                conversion_errors[f"conversions.{code}"] = [_("A conversion factor must be greater than zero.")]
        if conversion_errors:
            raise ValidationError(conversion_errors)
        plan.conversions = conversions
    return plan


def copy_rows(model: type[Model], objects: list[Model]) -> None:
    """Insert rows whose ids nobody needs back with one `COPY … FROM STDIN` (https://www.psycopg.org/psycopg3/docs/
    basic/copy.html), in the current transaction. For the audit rows and events of a batch `bulk_create` spent
    most of its time escaping their JSON into array literals."""
    if not objects:
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    connection.ensure_connection()
    # the raw psycopg cursor: wrap_database_errors turns its errors into Django's, which the caller handles
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def update_rows(model: type[Model], objects: list[Model], field_names: list[str]) -> None:
    """Write these fields of these rows in one `UPDATE … FROM (VALUES …)`: what `bulk_update` does, without
    the CASE expression per row and field that makes it cost more than a millisecond per row."""
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
    params: list[Any] = []
    for obj in objects:
        params.extend(column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    names = ", ".join(quote(column.column) for column in columns)
    key = quote(pk.column)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "
        f"FROM (VALUES {', '.join([row] * len(objects))}) AS v({names}) WHERE t.{key} = v.{key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _write(plans: list[_Plan], stored_conversions: dict[int, dict[int, ItemUnitConversion]]) -> None:
    now = timezone.now()
    new_items = [plan.item for plan in plans if plan.created]
    Item.objects.bulk_create(new_items)
    changed = [plan for plan in plans if not plan.created and plan.changes.keys() - {"conversions"}]
    if changed:
        fields = sorted({name for plan in changed for name in plan.changes if name != "conversions"})
        for plan in changed:
            plan.item.updated_at = now  # save() would set it (auto_now); bulk_update does not
        update_rows(Item, [plan.item for plan in changed], [*fields, *SOURCE_FIELDS, "updated_at"])
    source_only = [plan.item for plan in plans if plan.source_changed and plan not in changed and not plan.created]
    if source_only:
        update_rows(Item, source_only, SOURCE_FIELDS)

    removed: list[int] = []
    refactored: list[ItemUnitConversion] = []
    added: list[ItemUnitConversion] = []
    for plan in plans:
        if plan.conversions is None:
            continue
        current = stored_conversions.get(plan.item.pk, {})
        removed.extend(c.pk for unit_pk, c in current.items() if unit_pk not in plan.conversions)
        for unit_pk, factor in plan.conversions.items():
            if unit_pk not in current:
                added.append(ItemUnitConversion(item=plan.item, unit_id=unit_pk, factor=factor))
            elif current[unit_pk].factor != factor:
                current[unit_pk].factor = factor
                refactored.append(current[unit_pk])
    if removed:
        ItemUnitConversion.objects.filter(pk__in=removed).delete()
    if refactored:
        ItemUnitConversion.objects.bulk_update(refactored, ["factor"])
    if added:
        ItemUnitConversion.objects.bulk_create(added)


def _payload(plan: _Plan, categories_by_pk, units_by_pk, stored_conversions) -> dict[str, Any]:
    """item_payload(item), from the rows in memory."""
    item = plan.item
    if plan.conversions is not None:
        conversions = plan.conversions
    else:
        conversions = {unit_pk: c.factor for unit_pk, c in stored_conversions.get(item.pk, {}).items()}
    return {
        "id": str(item.uuid),
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "category": categories_by_pk[item.category_id].code,
        "base_unit": units_by_pk[item.base_unit_id].code,
        "is_purchasable": item.is_purchasable,
        "is_sellable": item.is_sellable,
        "status": item.status,
        "attributes": item.attributes,
        "description": item.description,
        "description_en": item.description_en,
        "conversions": [
            {"unit": units_by_pk[unit_pk].code, "factor": _factor_text(factor)}
            for unit_pk, factor in sorted(conversions.items(), key=lambda pair: units_by_pk[pair[0]].code)
        ],
        "source_version": item.source_version,
    }


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _record(request, actor, plans, categories_by_pk, units_by_pk, stored_conversions) -> None:
    """One audit row and one event per item that changed, as item_upsert writes them."""
    audits: list[AuditEvent] = []
    events: list[tuple[str, dict, Item]] = []
    ip_address = client_ip(request)
    for plan in plans:
        if not (plan.created or plan.changes):
            continue
        item = plan.item
        payload = _payload(plan, categories_by_pk, units_by_pk, stored_conversions)
        action = "item.created" if plan.created else "item.changed"
        before, after = changes_for_audit(Applied(obj=item, created=plan.created, changes=plan.changes))
        audits.append(
            AuditEvent(
                actor=None,
                actor_label=f"api:{actor.name}",
                action=action,
                object_type=item._meta.label_lower,
                object_id=str(item.uuid),
                object_label=str(item)[:255],
                before=before,
                after=payload if plan.created else after,
                ip_address=ip_address,
            )
        )
        events.append((action, payload if plan.created else payload | {"changed": sorted(plan.changes)}, item))
    copy_rows(AuditEvent, audits)
    if not events:
        return
    # The first through emit() (which also wakes the relay when the transaction commits), the rest alike in bulk.
    topic, payload, item = events[0]
    emit(topic, payload, obj=item)
    copy_rows(
        OutboxEvent,
        [
            OutboxEvent(
                topic=topic,
                object_type=item._meta.label_lower,
                object_id=str(item.uuid),
                payload=_json_safe(payload),
            )
            for topic, payload, item in events[1:]
        ],
    )
