"""/api/v1/ for the approved vendor list, for ERPs that own it.

- `GET /approved-suppliers?company=&category=&partner=&status=&updated_since=&limit=&cursor=`: the entries the
  client may see (a company client: its company's and the group-wide ones), in id order; `company=-` asks for the
  group-wide entries; `updated_since` compares the portal's last change of the entry.
- `POST /approved-suppliers/batch`: up to 1000 entries keyed by company code (null: group-wide), category code
  and the supplier's tax id, each answered applied / stale / invalid / forbidden (portal.api.upserting).
  Each object is the whole entry: an omitted valid_until means no end, an omitted reason none. A company client
  writes only its company's entries (others: forbidden); group-wide entries need a group-wide client.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from catalog.models import Category
from portal.api.problems import PROBLEM_STATUSES, Problem, ProblemError
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page
from portal.api.upserting import (
    SCOPE_READ,
    BatchResults,
    Collection,
    UpsertIn,
    batch_schema,
    batch_write,
    require_scope,
    source_of,
)
from portal.organisations.access import scope_of
from portal.organisations.models import Company, Partner

from .models import ApprovedSupplier, AvlStatus
from .services import avl_entry_save

router = Router(tags=["approved vendor list"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
GROUP_WIDE = "-"


class ApprovedSupplierIn(UpsertIn):
    company: str | None = Field(..., description="The company's code, or null for a group-wide entry.")
    category: str = Field(..., description="The item category's code.")
    partner: str = Field(..., description="The supplier's tax id (unified social credit code).")
    status: AvlStatus
    valid_until: date | None = Field(None, description="The last day the entry holds; null: no end.")
    reason: str = Field("", max_length=2000, description="Required to block; the supplier sees it.")


class ApprovedSupplierOut(Schema):
    id: uuid.UUID
    company: str | None
    category: str
    partner: str
    status: str
    valid_until: date | None
    reason: str
    source_version: int | None
    updated_at: datetime


class ApprovedSupplierPage(Schema):
    results: list[ApprovedSupplierOut]
    next_cursor: str | None


def approved_supplier_payload(entry: ApprovedSupplier) -> dict[str, Any]:
    return {
        "id": entry.uuid,
        "company": entry.company.code if entry.company_id else None,
        "category": entry.category.code,
        "partner": entry.partner.tax_id,
        "status": entry.status,
        "valid_until": entry.valid_until,
        "reason": entry.reason,
        "source_version": entry.source_version,
        "updated_at": entry.updated_at,
    }


def _context(actor: Any, objects: list[ApprovedSupplierIn]) -> dict[str, dict]:
    """The batch's companies, categories and suppliers, looked up once (three queries)."""
    return {
        "companies": {c.code: c for c in Company.objects.filter(code__in={o.company for o in objects if o.company})},
        "categories": {c.code: c for c in Category.objects.filter(code__in={o.category for o in objects})},
        "partners": {p.tax_id: p for p in Partner.objects.filter(tax_id__in={o.partner for o in objects})},
    }


def _apply(*, actor, data: ApprovedSupplierIn, context, request):
    context = context or _context(actor, [data])
    scope = scope_of(actor)
    company = None
    if data.company is None:
        if not scope.is_group:
            raise PermissionDenied(_("Only a group-wide client may write group-wide data."))
    else:
        company = context["companies"].get(data.company)
        if not scope.is_group and (company is None or company.pk not in scope.company_ids):
            raise PermissionDenied(_("This client may only write the data of its own company."))
        if company is None:
            raise ValidationError({"company": _("There is no company %(code)s.") % {"code": data.company}})
    category = context["categories"].get(data.category)
    if category is None:
        message = _("There is no category with the code “%(code)s”.") % {"code": data.category}
        raise ValidationError({"category": message})
    partner = context["partners"].get(data.partner)
    if partner is None:
        message = _("There is no partner with the tax id %(tax_id)s.") % {"tax_id": data.partner}
        raise ValidationError({"partner": message})
    version, updated_at = source_of(data)
    return avl_entry_save(
        actor=actor,
        company=company,
        category=category,
        partner=partner,
        status=data.status,
        valid_until=data.valid_until,
        reason=data.reason,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


APPROVED_SUPPLIERS = Collection(
    "approved-suppliers", ApprovedSupplierIn, ("company", "category", "partner"), _apply, prepare=_context
)
ApprovedSupplierBatch = batch_schema(ApprovedSupplierIn)


@router.post("/approved-suppliers/batch", response={200: BatchResults, **PROBLEMS})
def approved_suppliers_batch(request: HttpRequest, payload: ApprovedSupplierBatch):
    """Create or change up to 1000 AVL entries, keyed by company code (or null), category code and tax id."""
    return batch_write(request, APPROVED_SUPPLIERS, payload.objects)


@router.get("/approved-suppliers", response={200: ApprovedSupplierPage, **PROBLEMS})
def list_approved_suppliers(
    request: HttpRequest,
    company: str | None = Query(None, max_length=20, description='A company code, or "-" for group-wide entries.'),
    category: str | None = Query(None, max_length=40),
    partner: str | None = Query(None, max_length=40, description="The supplier's tax id."),
    status: AvlStatus | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The AVL entries this client may see, in id order."""
    require_scope(request, SCOPE_READ)
    for name, value in (("company", company), ("category", category), ("partner", partner)):
        if value and "\x00" in value:
            raise ProblemError(422, _("The filter is not valid."), [{"field": name, "detail": _("Not valid.")}])
    entries = ApprovedSupplier.objects.visible_to(request.auth).select_related("company", "category", "partner")
    if company == GROUP_WIDE:
        entries = entries.filter(company__isnull=True)
    elif company:
        entries = entries.filter(company__code=company)
    if category:
        entries = entries.filter(category__code=category)
    if partner:
        entries = entries.filter(partner__tax_id=partner)
    if status:
        entries = entries.filter(status=status)
    rows, next_cursor = page(
        entries, updated_since=updated_since, updated_field="updated_at", cursor=cursor, limit=limit
    )
    return {"results": [approved_supplier_payload(row) for row in rows], "next_cursor": next_cursor}
