"""Applying master data that the ERP (or an import) sends: one row, keyed by its natural key, newer wins.

`upsert_row` is the one place that decides created / changed / unchanged / stale, so the API, the bulk
imports and the back office agree on it. Callers audit and emit events from what it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from .models import SyncedFromErp

M = TypeVar("M", bound=models.Model)


@dataclass
class Applied:
    obj: Any
    created: bool = False
    # field name → (old value, new value) for what this call changed
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    stale: bool = False

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def upsert_row(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    exclude_from_validation: tuple[str, ...] = (),
) -> Applied:
    """Create or update the row `lookup` names with `values`, inside the caller's transaction.

    The row is locked for the update. Stale input (older than what is stored) changes nothing. Model
    validation runs before saving; a ValidationError names the fields and leaves the row untouched.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("upsert_row() must run inside a transaction.")
    instance = model._default_manager.select_for_update().filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    elif isinstance(instance, SyncedFromErp) and instance.is_newer_than(source_version, source_updated_at):
        return Applied(obj=instance, stale=True)

    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        if created:
            setattr(instance, name, value)
            continue
        old = getattr(instance, name)
        if old != value:
            setattr(instance, name, value)
            changes[name] = (old, value)
    source_changed = False
    if isinstance(instance, SyncedFromErp):
        # Only newer versions are recorded: an equal or unversioned resend leaves them as they are.
        if source_version is not None and (instance.source_version or 0) < source_version:
            instance.source_version = source_version
            source_changed = True
        if source_updated_at is not None and (
            instance.source_updated_at is None or instance.source_updated_at < source_updated_at
        ):
            instance.source_updated_at = source_updated_at
            source_changed = True
    if created or changes:
        # Field validators run here; uniqueness is the database's job (an IntegrityError rolls the caller's
        # savepoint back) and foreign keys arrive resolved, so neither costs a query per row.
        skip = {f.name for f in model._meta.concrete_fields if f.is_relation} | set(exclude_from_validation)
        instance.full_clean(exclude=sorted(skip), validate_unique=False, validate_constraints=False)
        instance.save()
    elif source_changed:
        instance.save(update_fields=["source_version", "source_updated_at"])
    return Applied(obj=instance, created=created, changes=changes)


def plain(value: Any) -> Any:
    """A value as it goes into an audit row or an event payload (model instances by their natural key)."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or str(getattr(value, "uuid", value.pk))
    # JSON-safe and exact: Decimals as their digits, dates and times in ISO 8601, UUIDs as text.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def changes_for_audit(applied: Applied) -> tuple[dict, dict]:
    before = {name: plain(old) for name, (old, _new) in applied.changes.items()}
    after = {name: plain(new) for name, (_old, new) in applied.changes.items()}
    return before, after


def audit_values(applied: Applied, created: dict[str, Any]) -> tuple[dict, dict]:
    """(before, after) of an audit row for what `upsert_row` did: nothing → `created` for a new row, the changed
    fields' old → new values for a changed one."""
    if applied.created:
        return {}, {name: plain(value) for name, value in created.items()}
    return changes_for_audit(applied)


def audit_applied(
    *, actor: Any, applied: Applied, kind: str, created: dict[str, Any], request: Any = None, **owners: Any
) -> None:
    """The audit row of what `upsert_row` did: `<kind>.created` with `created` as what was recorded, or
    `<kind>.changed` with the fields' old and new values; none when nothing changed (a resend, a stale update)."""
    from portal.audit.services import audit_record  # the audit app sits above integration

    if not applied.changed:
        return
    before, after = audit_values(applied, created)
    audit_record(
        actor=actor,
        action=f"{kind}.created" if applied.created else f"{kind}.changed",
        obj=applied.obj,
        before=before,
        after=after,
        request=request,
        **owners,
    )


__all__ = ["Applied", "ValidationError", "audit_applied", "audit_values", "changes_for_audit", "plain", "upsert_row"]
