"""Changing the approved vendor list: by staff in the back office and by ERPs through /api/v1/.

Who may write an entry:
- of a company: staff with the sourcing_manager role of that company (or group-wide), or a group admin; an API
  client of that company or a group-wide one;
- group-wide (no company): a group-wide sourcing_manager or a group admin; a group-wide API client.

Every change is audited (`avl.created` / `avl.changed`, the entry's history) and, when its status, valid_until or
reason changed, emits `avl.status_changed` in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.integration.outbox import emit
from portal.integration.sync import Applied, changes_for_audit, plain, upsert_row
from portal.organisations.access import scope_of

from .models import ApprovedSupplier, AvlStatus

STATUS_CHANGED = "avl.status_changed"
EVENT_FIELDS = ("status", "valid_until", "reason")


def may_maintain(actor: Any, company: Any) -> bool:
    """May the actor create or change entries of `company` (None: the group-wide entries)?"""
    scope = scope_of(actor)
    if getattr(actor, "is_api_client", False):
        return scope.is_group or (company is not None and company.pk in scope.company_ids)
    if scope.is_group_admin:
        return True
    if company is None:
        return "sourcing_manager" in scope.staff_roles.get(None, frozenset())
    return scope.has_staff_role("sourcing_manager", company.pk)


def may_maintain_any(actor: Any) -> bool:
    scope = scope_of(actor)
    return scope.is_group_admin or scope.has_staff_role("sourcing_manager")


def avl_payload(entry: ApprovedSupplier, old_status: str | None) -> dict[str, Any]:
    return {
        "id": str(entry.uuid),
        "partner": entry.partner.tax_id,
        "company": entry.company.code if entry.company_id else None,
        "category": entry.category.code,
        "old_status": old_status,
        "new_status": entry.status,
        "valid_until": entry.valid_until,
        "reason": entry.reason,
    }


def avl_entry_save(
    *,
    actor: Any,
    company: Any,
    category: Any,
    partner: Any,
    status: str,
    valid_until: date | None = None,
    reason: str = "",
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change the entry of (company or None, category, partner). PermissionDenied (nothing changed) for
    an actor who may not; ValidationError for a blocked entry without a reason or a partner that is no supplier."""
    if not may_maintain(actor, company):
        raise PermissionDenied(_("You may not change the approved vendor list of this company."))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if status not in AvlStatus.values:
        errors["status"] = _("Choose approved, conditional or blocked.")
    if status == AvlStatus.BLOCKED and not reason:
        errors["reason"] = _("Say why the supplier is blocked (the supplier sees it).")
    if not partner.is_supplier:
        errors["partner"] = _("%(partner)s is not a supplier.") % {"partner": partner.name}
    if errors:
        raise ValidationError(errors)
    is_user = getattr(actor, "is_authenticated", False) and not getattr(actor, "is_api_client", False)
    values: dict[str, Any] = {"status": status, "valid_until": valid_until, "reason": reason}
    with transaction.atomic():
        existing = (
            ApprovedSupplier.objects.filter(company=company, category=category, partner=partner)
            .values(*EVENT_FIELDS)
            .first()
        )
        before_status = existing["status"] if existing else None
        if is_user and (existing is None or any(existing[name] != values[name] for name in EVENT_FIELDS)):
            # the reviewer is who last decided; a save that changes nothing leaves it
            values["reviewer"] = actor
        applied = upsert_row(
            ApprovedSupplier,
            {"company": company, "category": category, "partner": partner},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        if not applied.changed:
            return applied
        entry = applied.obj
        if applied.created:
            before, after = {}, {name: plain(values[name]) for name in EVENT_FIELDS}
        else:
            before, after = changes_for_audit(applied)
            before.pop("reviewer", None)
            after.pop("reviewer", None)
        audit_record(
            actor=actor,
            action="avl.created" if applied.created else "avl.changed",
            obj=entry,
            partner=partner,
            company=company,
            before=before,
            after=after,
            request=request,
        )
        if applied.created or any(name in applied.changes for name in EVENT_FIELDS):
            emit(STATUS_CHANGED, avl_payload(entry, before_status), company=company, obj=entry)
    return applied
