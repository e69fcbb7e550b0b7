"""Changing many items at once: `item_upsert_many`, the bulk form of `catalog.services.item_upsert`, which the
API's item batches (`POST /api/v1/items/batch`) and the back office's bulk import both use.

Per change it decides exactly as `item_upsert` (and `upsert_row`) do — attributes validated against the category's
effective schema, then stale when the stored version (or `updated_at`) is newer; changes field by field; model
validation before anything is written; the source version recorded only when newer; conversions replaced when
given — and then writes the whole call with one locking read, bulk inserts, `UPDATE … FROM (VALUES …)` and
`COPY` for one audit row and one `item.created` / `item.changed` event per item that changed. Audit rows and event
payloads are `item_upsert`'s (the payload is `item_payload`'s, built from the rows in memory);
tests/catalog/test_bulk.py and tests/api/test_item_batch.py hold the two equal. A few queries per call instead of
about fourteen per item.

An invalid change is reported in its outcome and nothing of it is written; the others are applied. The call is
one transaction (a savepoint inside the caller's). When the bulk write fails in the database (a concurrent insert
of the same code: IntegrityError, DataError), or a code repeats in the call (its changes must apply in order),
the changes are applied one by one through `item_upsert` instead, each in its own savepoint, with the same
outcomes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.models import AuditEvent
from portal.audit.services import client_ip
from portal.integration.bulk_sql import copy_rows, update_rows
from portal.integration.models import OutboxEvent
from portal.integration.outbox import emit
from portal.integration.sync import Applied, audit_values, plain

from .attributes import validate_attributes
from .cache import catalog_changed
from .models import Category, Item, ItemUnitConversion, UnitOfMeasure
from .search import remember_words, search_document
from .selectors import categories_linked
from .services import check_sales_unit, item_upsert, sales_terms_payload

RELATIONS = ("category", "base_unit")
SOURCE_FIELDS = ["source_version", "source_updated_at"]
_SKIP_VALIDATION = sorted({f.name for f in Item._meta.concrete_fields if f.is_relation})
# Codes per locking read (a statement's parameters stay well below PostgreSQL's limit).
READ_CHUNK = 5000

Status = Literal["applied", "stale", "invalid"]


@dataclass
class ItemChange:
    """One change for `item_upsert_many`, as `item_upsert` takes it: `values` may hold name, name_en, category and
    base_unit (instances), is_purchasable, is_sellable, status, attributes (raw: validated against the category's
    schema), description, description_en; a field left out keeps its stored value. `conversions` (unit → base
    units per unit), when not None, replaces the item's conversions."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)
    conversions: dict[UnitOfMeasure, Decimal] | None = None
    source_version: int | None = None
    source_updated_at: datetime | None = None


@dataclass
class ItemOutcome:
    """What became of one change: applied (created, changed or already equal), stale (the stored item is newer;
    nothing changed) or invalid (`errors` name the fields as item_upsert's ValidationError does:
    `attributes.thickness`, `conversions.pcs`, `__all__`; nothing was written)."""

    status: Status
    item: Item | None = None
    errors: ValidationError | None = None
    created: bool = False
    # field → (old value, new value) for what the change changed ("conversions": texts by unit code)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return self.errors.message_dict if self.errors is not None else {}


class _Fallback(Exception):
    """The bulk path cannot decide this call the way item_upsert does (e.g. a relation set to None)."""


def item_upsert_many(*, actor: Any, changes: list[ItemChange], request: Any = None) -> list[ItemOutcome]:
    """Apply `changes` (as item_upsert would, one after the other) in one transaction; one outcome per change, in
    order. Audit rows name `actor` as item_upsert's do."""
    if not changes:
        return []
    codes = [change.code for change in changes]
    if len(set(codes)) == len(codes):
        try:
            with transaction.atomic():
                return _Batch(actor, request).apply(changes)
        except (IntegrityError, DataError, _Fallback):
            pass  # the savepoint is rolled back: nothing of the bulk attempt remains
    with transaction.atomic():
        return [_apply_one(actor, change, request) for change in changes]


def _non_field(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def _by_field(error: ValidationError) -> ValidationError:
    """The error keyed by field (`__all__` for one that names none), so `message_dict` always works."""
    return error if hasattr(error, "error_dict") else ValidationError({NON_FIELD_ERRORS: error.messages})


def _apply_one(actor: Any, change: ItemChange, request: Any) -> ItemOutcome:
    try:
        with transaction.atomic():
            applied = item_upsert(
                actor=actor,
                code=change.code,
                values=change.values,
                conversions=change.conversions,
                source_version=change.source_version,
                source_updated_at=change.source_updated_at,
                request=request,
            )
    except ValidationError as error:
        return ItemOutcome("invalid", errors=_by_field(error))
    except IntegrityError:
        return ItemOutcome(
            "invalid",
            errors=_non_field(
                _("The object conflicts with another one (a code or number that must be unique is taken).")
            ),
        )
    except DataError:
        return ItemOutcome("invalid", errors=_non_field(_("A value is out of range or too long for its field.")))
    if applied.stale:
        return ItemOutcome("stale", item=applied.obj)
    return ItemOutcome("applied", item=applied.obj, created=applied.created, changes=applied.changes)


def _factor_text(factor: Decimal) -> str:
    return format(Decimal(factor).normalize(), "f")


class _Plan:
    """What to do with one item."""

    def __init__(self, item: Item, created: bool) -> None:
        self.item = item
        self.created = created
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.source_changed = False
        # unit pk → factor, when the change replaces the conversions and they differ
        self.conversions: dict[int, Decimal] | None = None


class _Batch:
    def __init__(self, actor: Any, request: Any) -> None:
        self.actor = actor
        self.request = request
        # read inside the transaction: every category and unit a change names (or an item has) is here
        self.categories: dict[int, Category] = categories_linked()
        self.units: dict[int, UnitOfMeasure] = {unit.pk: unit for unit in UnitOfMeasure.objects.all()}
        self.schemas: dict[int, list[dict]] = {}
        self.stored_conversions: dict[int, dict[int, ItemUnitConversion]] = defaultdict(dict)

    def apply(self, changes: list[ItemChange]) -> list[ItemOutcome]:
        codes = [change.code for change in changes]
        existing: dict[str, Item] = {}
        for start in range(0, len(codes), READ_CHUNK):
            chunk = codes[start : start + READ_CHUNK]
            existing.update((item.code, item) for item in Item.objects.select_for_update().filter(code__in=chunk))
        items = list(existing.values())
        for start in range(0, len(items), READ_CHUNK):
            for conversion in ItemUnitConversion.objects.filter(item__in=items[start : start + READ_CHUNK]):
                self.stored_conversions[conversion.item_id][conversion.unit_id] = conversion

        outcomes: list[ItemOutcome] = []
        plans: list[_Plan] = []
        for change in changes:
            stored = existing.get(change.code)
            try:
                plan = self._plan(change, stored)
            except ValidationError as error:
                outcomes.append(ItemOutcome("invalid", errors=_by_field(error)))
                continue
            if plan is None:
                outcomes.append(ItemOutcome("stale", item=stored))
                continue
            plans.append(plan)
            outcomes.append(ItemOutcome("applied", item=plan.item, created=plan.created, changes=plan.changes))
        self._write(plans)
        self._record(plans)
        return outcomes

    def _schema(self, category: Category) -> list[dict]:
        if category.pk not in self.schemas:
            self.schemas[category.pk] = self.categories.get(category.pk, category).effective_schema()
        return self.schemas[category.pk]

    def _plan(self, change: ItemChange, item: Item | None) -> _Plan | None:
        """Decide one change as item_upsert would (validation first, then staleness); None when it is stale."""
        values = dict(change.values)
        for name in RELATIONS:
            if name in values and (values[name] is None or values[name].pk is None):
                raise _Fallback(name)
        category = values.get("category") or (self.categories.get(item.category_id) if item else None)
        if category is None:
            raise ValidationError({"category": _("An item needs a category.")})
        if "attributes" in values or "category" in values:
            values["attributes"] = validate_attributes(
                self._schema(category), values.get("attributes", item.attributes if item else {})
            )
        if item is not None and item.is_newer_than(change.source_version, change.source_updated_at):
            return None

        created = item is None
        plan = _Plan(item if item is not None else Item(code=change.code), created)
        item = plan.item
        for name, value in values.items():
            if created:
                setattr(item, name, value)
                continue
            if name == "sales_unit":
                old_pk, new_pk = item.sales_unit_id, value.pk if value is not None else None
                if old_pk != new_pk:
                    old = self.units.get(old_pk) if old_pk is not None else None
                    item.sales_unit_id = new_pk
                    plan.changes[name] = (old, value)
                continue
            if name in RELATIONS:
                old_pk = getattr(item, f"{name}_id")
                if old_pk != value.pk:
                    old = self.categories.get(old_pk) if name == "category" else self.units.get(old_pk)
                    setattr(item, name, value)
                    plan.changes[name] = (old, value)
                continue
            old = getattr(item, name)
            if old != value:
                setattr(item, name, value)
                plan.changes[name] = (old, value)
        version, updated_at = change.source_version, change.source_updated_at
        if version is not None and (item.source_version or 0) < version:
            item.source_version = version
            plan.source_changed = True
        if updated_at is not None and (item.source_updated_at is None or item.source_updated_at < updated_at):
            item.source_updated_at = updated_at
            plan.source_changed = True
        if created or plan.changes:
            item.full_clean(exclude=_SKIP_VALIDATION, validate_unique=False, validate_constraints=False)
            # the search document follows (not a change of its own: neither audited nor reported)
            item.search_text = search_document(item, self.categories.get(item.category_id, category))

        if {"sales_unit", "base_unit"} & values.keys() or change.conversions is not None:
            if change.conversions is not None:
                conversion_units = list(change.conversions)
            else:
                stored = self.stored_conversions.get(item.pk, {}) if not created else {}
                conversion_units = [self.units[unit_pk] for unit_pk in stored if unit_pk in self.units]
            check_sales_unit(self.units.get(item.base_unit_id), self.units.get(item.sales_unit_id), conversion_units)

        if change.conversions is not None:
            errors = {}
            for unit, factor in change.conversions.items():
                if unit.pk == item.base_unit_id:
                    errors[f"conversions.{unit.code}"] = [_("The base unit needs no conversion.")]
                elif factor is None or factor <= 0:
                    errors[f"conversions.{unit.code}"] = [_("A conversion factor must be greater than zero.")]
            if errors:
                raise ValidationError(errors)
            for unit in change.conversions:
                self.units.setdefault(unit.pk, unit)
            new = {unit.pk: Decimal(factor) for unit, factor in change.conversions.items()}
            old = {unit_pk: c.factor for unit_pk, c in self.stored_conversions.get(item.pk, {}).items()}
            if old != new:
                plan.changes["conversions"] = (
                    {self.units[pk].code: _factor_text(f) for pk, f in old.items()},
                    {self.units[pk].code: _factor_text(f) for pk, f in new.items()},
                )
                plan.conversions = new
        return plan

    def _write(self, plans: list[_Plan]) -> None:
        now = timezone.now()
        Item.objects.bulk_create([plan.item for plan in plans if plan.created])
        remember_words(plan.item.search_text for plan in plans if plan.created or plan.changes)
        catalog_changed()
        changed = [plan for plan in plans if not plan.created and plan.changes.keys() - {"conversions"}]
        # one statement per set of changed fields (a resend changes the same fields of every item)
        by_fields: dict[tuple[str, ...], list[Item]] = defaultdict(list)
        for plan in changed:
            plan.item.updated_at = now  # save() would set it (auto_now); an UPDATE does not
            by_fields[tuple(sorted(plan.changes.keys() - {"conversions"}))].append(plan.item)
        if len(by_fields) > 3:  # many different sets: one statement with the union of the fields
            by_fields = {tuple(sorted({name for names in by_fields for name in names})): [p.item for p in changed]}
        for names, items in by_fields.items():
            update_rows(Item, items, [*names, "search_text", *SOURCE_FIELDS, "updated_at"])
        changed_ids = {id(plan) for plan in changed}
        source_only = [
            plan.item for plan in plans if plan.source_changed and not plan.created and id(plan) not in changed_ids
        ]
        update_rows(Item, source_only, SOURCE_FIELDS)

        removed: list[int] = []
        refactored: list[ItemUnitConversion] = []
        added: list[ItemUnitConversion] = []
        for plan in plans:
            if plan.conversions is None:
                continue
            current = self.stored_conversions.get(plan.item.pk, {})
            removed.extend(c.pk for unit_pk, c in current.items() if unit_pk not in plan.conversions)
            for unit_pk, factor in plan.conversions.items():
                if unit_pk not in current:
                    added.append(ItemUnitConversion(item=plan.item, unit_id=unit_pk, factor=factor))
                elif current[unit_pk].factor != factor:
                    current[unit_pk].factor = factor
                    refactored.append(current[unit_pk])
        if removed:
            ItemUnitConversion.objects.filter(pk__in=removed).delete()
        update_rows(ItemUnitConversion, refactored, ["factor"])
        if added:
            ItemUnitConversion.objects.bulk_create(added)

    def _payload(self, plan: _Plan) -> dict[str, Any]:
        """item_payload(item), from the rows in memory."""
        item = plan.item
        if plan.conversions is not None:
            conversions = plan.conversions
        else:
            conversions = {unit_pk: c.factor for unit_pk, c in self.stored_conversions.get(item.pk, {}).items()}
        category = self.categories.get(item.category_id) or item.category
        base_unit = self.units.get(item.base_unit_id) or item.base_unit
        return {
            "id": str(item.uuid),
            "code": item.code,
            "name": item.name,
            "name_en": item.name_en,
            "category": category.code,
            "base_unit": base_unit.code,
            "is_purchasable": item.is_purchasable,
            "is_sellable": item.is_sellable,
            "status": item.status,
            "attributes": item.attributes,
            "description": item.description,
            "description_en": item.description_en,
            "conversions": [
                {"unit": self.units[unit_pk].code, "factor": _factor_text(factor)}
                for unit_pk, factor in sorted(conversions.items(), key=lambda pair: self.units[pair[0]].code)
            ],
            **sales_terms_payload(item, self.units.get(item.sales_unit_id) if item.sales_unit_id else None),
            "source_version": item.source_version,
        }

    def _actor(self) -> tuple[Any, str]:
        """The audit row's actor and label, as audit_record() sets them."""
        actor = self.actor
        is_api_client = getattr(actor, "is_api_client", False)
        user = actor if getattr(actor, "is_authenticated", False) and not is_api_client else None
        if actor is None:
            return None, "system"
        if is_api_client:
            return None, f"api:{actor.name}"
        return user, getattr(actor, "email", "") or str(actor)

    def _record(self, plans: list[_Plan]) -> None:
        """One audit row and one event per item that changed, as item_upsert writes them."""
        user, label = self._actor()
        ip_address = client_ip(self.request)
        audits: list[AuditEvent] = []
        events: list[OutboxEvent] = []
        first: tuple[str, dict, Item] | None = None
        for plan in plans:
            if not (plan.created or plan.changes):
                continue
            item = plan.item
            payload = self._payload(plan)
            action = "item.created" if plan.created else "item.changed"
            before, after = audit_values(Applied(obj=item, created=plan.created, changes=plan.changes), payload)
            audits.append(
                AuditEvent(
                    actor=user,
                    actor_label=label,
                    action=action,
                    object_type=item._meta.label_lower,
                    object_id=str(item.uuid),
                    object_label=str(item)[:255],
                    before=before,
                    after=after,
                    ip_address=ip_address,
                )
            )
            event_payload = payload if plan.created else payload | {"changed": sorted(plan.changes)}
            if first is None:
                first = (action, event_payload, item)
                continue
            events.append(
                OutboxEvent(
                    topic=action,
                    object_type=item._meta.label_lower,
                    object_id=str(item.uuid),
                    payload=plain(event_payload),
                )
            )
        copy_rows(AuditEvent, audits)
        if first is None:
            return
        # The first through emit() (which also wakes the relay when the transaction commits), the rest alike.
        emit(first[0], first[1], obj=first[2])
        copy_rows(OutboxEvent, events)


__all__ = ["ItemChange", "ItemOutcome", "item_upsert_many"]
