"""Purchase requisitions (请购单) that the ERP sends: one requisition with its lines, keyed by company and the ERP's
requisition number, newer wins (portal.integration.sync.upsert_row).

- Who: a company's client writes its own company's requisitions (the company may be omitted); a group-wide client
  names the company. Anything else is refused before a row is written.
- Lines: an item of the item master (by code; it must exist) or a free-text description, a quantity above zero, a
  unit (by code), a need-by date, a delivery site of that company (by code), last and target price (staff only).
  Any invalid line refuses the whole requisition, naming the field (`lines[2].item`); a requisition is applied as a
  whole or not at all.
- Status: the ERP sends open or closed. A requisition a buyer already turned into an RFQ stays "in an RFQ" when the
  ERP sends it open again, and keeps its lines: the RFQ was made from them. The caller is told so in `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Item, UnitOfMeasure
from portal.integration.sync import Applied, audit_applied, plain, upsert_row
from portal.organisations.access import scope_of
from portal.organisations.models import Company, Site

from .models import Requisition, RequisitionLine, RequisitionStatus, RfqStatus

# What the ERP may set; "sourcing" is the portal's (a buyer made an RFQ from it).
ERP_STATUSES = (RequisitionStatus.OPEN, RequisitionStatus.CLOSED)
LINE_FIELDS = (
    "external_line_id",
    "item_id",
    "description",
    "quantity",
    "unit_id",
    "need_by",
    "site_id",
    "last_price",
    "target_price",
)


@dataclass
class RequisitionApplied(Applied):
    # field errors-like remarks on what was applied differently from what was sent: [{"field", "detail"}]
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RequisitionLineData:
    """A line as the ERP sends it: codes, not rows."""

    quantity: Decimal
    unit: str
    item: str | None = None
    description: str = ""
    line: str = ""
    need_by: date | None = None
    site: str | None = None
    last_price: Decimal | None = None
    target_price: Decimal | None = None


@dataclass
class Lookups:
    """Items, units and sites by code, looked up once for a batch of requisitions (three queries)."""

    items: dict[str, Item]
    units: dict[str, UnitOfMeasure]
    sites: dict[tuple[int, str], Site]


def requisition_lookups(lines: list[RequisitionLineData]) -> Lookups:
    items = {line.item for line in lines if line.item}
    units = {line.unit for line in lines if line.unit}
    sites = {line.site for line in lines if line.site}
    return Lookups(
        items={item.code: item for item in Item.objects.filter(code__in=items)} if items else {},
        units={unit.code: unit for unit in UnitOfMeasure.objects.filter(code__in=units)} if units else {},
        sites={(site.company_id, site.code): site for site in Site.objects.filter(code__in=sites)} if sites else {},
    )


def company_for_requisition(actor: Any, code: str | None) -> Company:
    """The company the actor writes a requisition for: a company client its own, a group client the one named."""
    scope = scope_of(actor)
    if scope.is_group:
        if not code:
            raise ValidationError({"company": _("A group-wide client must name the company.")})
        company = Company.objects.filter(code=code).first()
        if company is None:
            raise ValidationError({"company": _("There is no company %(code)s.") % {"code": code}})
        return company
    companies = Company.objects.filter(pk__in=scope.company_ids)
    if code:
        companies = companies.filter(code=code)
    company = companies.first() if len(scope.company_ids) == 1 or code else None
    if company is None:
        raise PermissionDenied(_("This client may only write the data of its own company."))
    return company


def _resolve_lines(company: Company, lines: list[RequisitionLineData], lookups: Lookups) -> list[RequisitionLine]:
    errors: dict[str, list[str]] = {}
    resolved: list[RequisitionLine] = []
    for index, data in enumerate(lines):
        prefix = f"lines[{index}]"
        item = unit = site = None
        if data.item:
            item = lookups.items.get(data.item)
            if item is None:
                errors[f"{prefix}.item"] = [_("There is no item with the code “%(code)s”.") % {"code": data.item}]
        elif not data.description.strip():
            errors[f"{prefix}.description"] = [_("Give an item code or describe the line.")]
        unit = lookups.units.get(data.unit)
        if unit is None:
            errors[f"{prefix}.unit"] = [_("There is no unit with the code “%(code)s”.") % {"code": data.unit}]
        if data.quantity is None or data.quantity <= 0:
            errors[f"{prefix}.quantity"] = [_("The quantity must be more than zero.")]
        if data.site:
            site = lookups.sites.get((company.pk, data.site))
            if site is None:
                errors[f"{prefix}.site"] = [
                    _("%(company)s has no site %(code)s.") % {"company": company.code, "code": data.site}
                ]
        for name in ("last_price", "target_price"):
            value = getattr(data, name)
            if value is not None and value < 0:
                errors[f"{prefix}.{name}"] = [_("A price cannot be negative.")]
        resolved.append(
            RequisitionLine(
                position=index + 1,
                external_line_id=data.line,
                item=item,
                description=data.description.strip(),
                quantity=data.quantity,
                unit=unit,
                need_by=data.need_by,
                site=site,
                last_price=data.last_price,
                target_price=data.target_price,
            )
        )
    if errors:
        raise ValidationError(errors)
    return resolved


def _line_key(line: RequisitionLine) -> tuple:
    return tuple(getattr(line, name) for name in LINE_FIELDS)


def _line_summary(line: RequisitionLine) -> dict[str, Any]:
    return {
        "line": line.external_line_id,
        "item": line.item.code if line.item_id else None,
        "description": line.description,
        "quantity": plain(line.quantity),
        "unit": line.unit.code,
        "need_by": plain(line.need_by),
        "site": line.site.code if line.site_id else None,
        "last_price": plain(line.last_price),
        "target_price": plain(line.target_price),
    }


def requisition_upsert(
    *,
    actor: Any,
    company_code: str | None,
    external_id: str,
    values: dict[str, Any],
    lines: list[RequisitionLineData] | None,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    lookups: Lookups | None = None,
    request: Any = None,
) -> RequisitionApplied:
    """Create or change a requisition (title, requested_by, status open/closed) and, when `lines` is given, replace
    its lines — unless it is already in an RFQ, whose lines stay as they are (said in `notes`)."""
    values = dict(values)
    status = values.get("status")
    if status is not None and status not in ERP_STATUSES:
        raise ValidationError({"status": _("The status must be open or closed.")})
    if lines is not None and not lines:
        raise ValidationError({"lines": _("A requisition needs at least one line.")})
    with transaction.atomic():
        company = company_for_requisition(actor, company_code)
        new_lines = _resolve_lines(company, lines, lookups or requisition_lookups(lines)) if lines is not None else None
        lookup = {"company": company, "external_id": external_id}
        existing = Requisition.objects.select_for_update().filter(**lookup).first()
        if existing is None and new_lines is None:
            raise ValidationError({"lines": _("A new requisition needs its lines.")})
        rfq_numbers: list[str] = []
        if existing is not None:
            rfq_numbers = list(
                existing.rfqs.exclude(status=RfqStatus.CANCELLED).order_by("number").values_list("number", flat=True)
            )
            if existing.is_newer_than(source_version, source_updated_at):
                return RequisitionApplied(obj=existing, stale=True)
        if rfq_numbers and status == RequisitionStatus.OPEN:
            values.pop("status")  # stays "in an RFQ"
        base = upsert_row(
            Requisition, lookup, values, source_version=source_version, source_updated_at=source_updated_at
        )
        applied = RequisitionApplied(obj=base.obj, created=base.created, changes=dict(base.changes))
        requisition = applied.obj

        if new_lines is not None:
            old_lines = (
                list(requisition.lines.select_related("item", "unit", "site").order_by("position"))
                if not applied.created
                else []
            )
            if [_line_key(line) for line in old_lines] != [_line_key(line) for line in new_lines]:
                if rfq_numbers:
                    applied.notes.append(
                        {
                            "field": "lines",
                            "detail": _(
                                "The requisition is already in RFQ %(numbers)s: its lines were kept as they were."
                            )
                            % {"numbers": ", ".join(rfq_numbers)},
                        }
                    )
                else:
                    requisition.lines.all().delete()
                    for line in new_lines:
                        line.requisition = requisition
                    RequisitionLine.objects.bulk_create(new_lines)
                    if not applied.created:
                        applied.changes["lines"] = (
                            [_line_summary(line) for line in old_lines],
                            [_line_summary(line) for line in new_lines],
                        )
                        Requisition.objects.filter(pk=requisition.pk).update(updated_at=timezone.now())
        created = {"external_id": external_id, **values}
        if applied.created and new_lines is not None:
            created["lines"] = [_line_summary(line) for line in new_lines]
        audit_applied(
            actor=actor, applied=applied, kind="requisition", created=created, request=request, company=company
        )
    return applied
