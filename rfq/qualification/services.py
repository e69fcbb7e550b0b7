"""Supplier qualification: declaring categories, submitting documents, staff review, expiry and the gaps that
keep a supplier from being sourced.

Time zones: a document "expiring 2026-12-31" is valid through that whole day and expired from 2027-01-01 on, in
the time zone of whoever asks: for a company-specific requirement the company's zone (Company.time_zone), for a
group-wide requirement the supplier's zone (its country's default; Asia/Shanghai for China and as the fallback).
Reminders count days in the supplier's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.documents.models import UploadKind
from portal.documents.services import document_store
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.access import scope_of
from portal.organisations.models import Membership, SupplierAccount

from .models import DocumentStatus, QualificationDocument, QualificationRequirement, SuppliedCategory

MANAGING_PARTNER_ROLES = ("admin", "quality")
REVIEWING_STAFF_ROLES = ("quality", "sourcing_manager", "group_admin")
REMINDER_DAYS = (30, 7, 0)
SUPPLIER_ZONES = {"CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "DE": "Europe/Berlin", "US": "America/New_York"}
DEFAULT_ZONE = "Asia/Shanghai"


# --- who may do what -------------------------------------------------------------------------------------------


def may_manage(user: Any, partner: Any) -> bool:
    """Supplier administrators and quality staff of the supplier change its qualification."""
    return scope_of(user).has_partner_role(partner.pk, *MANAGING_PARTNER_ROLES)


def _company_ids_of_supplier(partner: Any) -> set[int]:
    return set(SupplierAccount.objects.filter(partner=partner).values_list("company_id", flat=True))


def may_review(user: Any, document: QualificationDocument) -> bool:
    """Quality staff or sourcing managers of a company the supplier has an account with, or group-wide."""
    scope = scope_of(user)
    if any(role in scope.staff_roles.get(None, frozenset()) for role in REVIEWING_STAFF_ROLES):
        return True
    return any(
        scope.has_staff_role(role, company_id)
        for company_id in _company_ids_of_supplier(document.partner)
        for role in REVIEWING_STAFF_ROLES
    )


def may_keep_requirements(user: Any, company: Any = None) -> bool:
    """Requirements of a company: its quality staff or sourcing managers; group-wide ones: group-wide staff."""
    scope = scope_of(user)
    company_id = company.pk if company is not None else None
    group_roles = scope.staff_roles.get(None, frozenset())
    if any(role in group_roles for role in REVIEWING_STAFF_ROLES):
        return True
    if company_id is None:
        return False
    return any(role in scope.staff_roles.get(company_id, frozenset()) for role in REVIEWING_STAFF_ROLES)


def may_keep_any_requirements(user: Any) -> bool:
    scope = scope_of(user)
    return any(role in roles for roles in scope.staff_roles.values() for role in REVIEWING_STAFF_ROLES)


def may_keep_document_types(user: Any) -> bool:
    """Document types are group-wide master data: group-wide quality staff, sourcing managers, group admins."""
    return may_keep_requirements(user, None)


# --- time ------------------------------------------------------------------------------------------------------


def supplier_zone(partner: Any) -> ZoneInfo:
    return ZoneInfo(SUPPLIER_ZONES.get(getattr(partner, "country", "") or "", DEFAULT_ZONE))


def company_zone(company: Any) -> ZoneInfo:
    try:
        return ZoneInfo(company.time_zone or DEFAULT_ZONE)
    except Exception:  # an unknown zone name in master data: fall back rather than fail
        return ZoneInfo(DEFAULT_ZONE)


def local_today(zone: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zone).date()


def is_expired(document: QualificationDocument, on: dt.date) -> bool:
    """Valid through its expiry day; expired from the next day on."""
    return document.expires_on is not None and document.expires_on < on


# --- the supplier's side ---------------------------------------------------------------------------------------


def _payload(document: QualificationDocument) -> dict:
    return {
        "document": str(document.uuid),
        "partner": {"uuid": str(document.partner.uuid), "tax_id": document.partner.tax_id},
        "type": document.document_type.code,
        "number": document.number,
        "issuing_body": document.issuing_body,
        "issued_on": document.issued_on.isoformat(),
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "status": document.status,
        "replaces": str(document.replaces.uuid) if document.replaces_id else None,
    }


def category_declare(
    *, actor: Any, partner: Any, category: Any, capacity_note: str = "", files: list | None = None, request=None
) -> SuppliedCategory:
    """Declare (or update the capacity note of) a category the supplier supplies, with certificates."""
    if not may_manage(actor, partner):
        raise PermissionError("Only the supplier's administrators or quality staff declare categories.")
    with transaction.atomic():
        supplied, created = SuppliedCategory.objects.get_or_create(
            partner=partner, category=category, defaults={"capacity_note": capacity_note, "declared_by": actor}
        )
        if not created and supplied.capacity_note != capacity_note:
            supplied.capacity_note = capacity_note
            supplied.save(update_fields=["capacity_note"])
        for file in files or ():
            document_store(
                actor=actor,
                uploaded_file=file,
                kind=UploadKind.CERTIFICATE,
                owner_partner=partner,
                obj=supplied,
                version=_next_version(supplied),
                request=request,
            )
        audit_record(
            actor=actor,
            action="qualification.category_declare",
            obj=supplied,
            partner=partner,
            after={"category": category.code, "capacity_note": capacity_note, "certificates": len(files or ())},
            request=request,
        )
    return supplied


def _next_version(supplied: SuppliedCategory) -> int:
    from portal.documents.models import Document

    latest = (
        Document.objects.filter(object_type="qualification.suppliedcategory", object_id=str(supplied.uuid))
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


def category_withdraw(*, actor: Any, supplied: SuppliedCategory, request=None) -> None:
    if not may_manage(actor, supplied.partner):
        raise PermissionError("Only the supplier's administrators or quality staff withdraw categories.")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="qualification.category_withdraw",
            obj=supplied,
            partner=supplied.partner,
            before={"category": supplied.category.code, "capacity_note": supplied.capacity_note},
            request=request,
        )
        supplied.delete()


def document_submit(
    *,
    actor: Any,
    partner: Any,
    document_type: Any,
    issuing_body: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    uploaded_file: Any,
    replaces: QualificationDocument | None = None,
    request=None,
) -> QualificationDocument:
    """A new or replacement document, waiting for staff review. DomainError (nothing stored) when refused."""
    if not may_manage(actor, partner):
        raise PermissionError("Only the supplier's administrators or quality staff submit documents.")
    if document_type.has_expiry and expires_on is None:
        raise DomainError(_("This document type has an expiry date: enter it."))
    if not document_type.has_expiry:
        expires_on = None
    if expires_on is not None and expires_on < issued_on:
        raise DomainError(_("The expiry date cannot be before the issue date."))
    if replaces is not None and (replaces.partner_id != partner.pk or replaces.document_type_id != document_type.pk):
        raise DomainError(_("A replacement must be of the same document type."))
    with transaction.atomic():
        document = QualificationDocument(
            partner=partner,
            document_type=document_type,
            issuing_body=issuing_body,
            number=number,
            issued_on=issued_on,
            expires_on=expires_on,
            replaces=replaces,
            submitted_by=actor,
        )
        document.file = document_store(
            actor=actor,
            uploaded_file=uploaded_file,
            kind=UploadKind.CERTIFICATE,
            owner_partner=partner,
            request=request,
        )
        document.save()
        document.file.object_type = "qualification.qualificationdocument"
        document.file.object_id = str(document.uuid)
        document.file.save(update_fields=["object_type", "object_id"])
        audit_record(
            actor=actor,
            action="qualification.document_submit",
            obj=document,
            partner=partner,
            after=_payload(document),
            request=request,
        )
    return document


# --- staff review ----------------------------------------------------------------------------------------------


def _recipients(document: QualificationDocument) -> list:
    admins = [
        membership.user
        for membership in Membership.objects.filter(
            partner_id=document.partner_id, is_active=True, roles__contains=["admin"]
        ).select_related("user")
    ]
    if document.submitted_by is not None:
        admins.append(document.submitted_by)
    return admins


def _notify(document: QualificationDocument, kind: str, recipients: list, **params) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        params={
            "type": document.document_type.display_name,
            "number": document.number,
            "partner": document.partner.name,
            **params,
        },
        url=reverse("qualification_index"),
        partner=document.partner,
    )


def _lock_submitted(document: QualificationDocument) -> QualificationDocument:
    locked = QualificationDocument.objects.select_for_update().get(pk=document.pk)
    if locked.status != DocumentStatus.SUBMITTED:
        raise DomainError(_("This document was already reviewed."))
    return locked


def document_accept(*, actor: Any, document: QualificationDocument, request=None) -> QualificationDocument:
    if not may_review(actor, document):
        raise PermissionError("Only quality staff or sourcing managers review qualification documents.")
    with transaction.atomic():
        locked = _lock_submitted(document)
        locked.status = DocumentStatus.ACCEPTED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        # the accepted document supersedes every earlier accepted one of its type (the one it replaces included)
        superseded = list(
            QualificationDocument.objects.filter(
                partner_id=locked.partner_id, document_type_id=locked.document_type_id, status=DocumentStatus.ACCEPTED
            )
            .exclude(pk=locked.pk)
            .values_list("uuid", flat=True)
        )
        QualificationDocument.objects.filter(uuid__in=superseded).update(status=DocumentStatus.SUPERSEDED)
        audit_record(
            actor=actor,
            action="qualification.document_accept",
            obj=locked,
            partner=locked.partner,
            before={"status": DocumentStatus.SUBMITTED},
            after={"status": locked.status, "superseded": [str(uuid) for uuid in superseded]},
            request=request,
        )
        emit("qualification.document_accepted", _payload(locked), company=None, obj=locked)
        _notify(locked, "qualification.document_accepted", _recipients(locked))
    return locked


def document_reject(*, actor: Any, document: QualificationDocument, reason: str, request=None) -> QualificationDocument:
    if not may_review(actor, document):
        raise PermissionError("Only quality staff or sourcing managers review qualification documents.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the supplier a reason for the rejection."))
    with transaction.atomic():
        locked = _lock_submitted(document)
        locked.status = DocumentStatus.REJECTED
        locked.rejection_reason = reason
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="qualification.document_reject",
            obj=locked,
            partner=locked.partner,
            before={"status": DocumentStatus.SUBMITTED},
            after={"status": locked.status, "reason": reason},
            request=request,
        )
        emit("qualification.document_rejected", {**_payload(locked), "reason": reason}, company=None, obj=locked)
        _notify(locked, "qualification.document_rejected", _recipients(locked), reason=reason)
    return locked


# --- gaps ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    document_type: Any
    kind: str  # "missing", "pending" (only submitted, waiting for review) or "expired"
    expired_on: dt.date | None = None  # for "expired": the document's expiry date
    renewal_pending: bool = False  # for "expired": a replacement waits for review

    @property
    def reason(self) -> str:
        name = self.document_type.display_name
        if self.kind == "expired":
            if self.renewal_pending:
                return _("%(type)s expired on %(date)s: the renewed document waits for review") % {
                    "type": name,
                    "date": self.expired_on.isoformat(),
                }
            return _("%(type)s expired on %(date)s: upload a renewed certificate") % {
                "type": name,
                "date": self.expired_on.isoformat(),
            }
        if self.kind == "pending":
            return _("%(type)s waits for review by staff") % {"type": name}
        return _("%(type)s is missing: upload it") % {"type": name}


def requirements_for(company: Any, category: Any):
    """Requirements that apply to suppliers of `category` (inherited from its ancestors) for `company`."""
    company_condition = Q(company__isnull=True)
    if company is not None:
        company_condition |= Q(company=company)
    category_condition = Q(category__isnull=True)
    if category is not None:
        category_condition |= Q(category_id__in=[category.pk, *(node.pk for node in category.ancestors())])
    return (
        QualificationRequirement.objects.filter(company_condition, category_condition, document_type__is_active=True)
        .select_related("document_type")
        .order_by("document_type__sort_order", "document_type__code")
    )


def qualification_gaps(partner: Any, company: Any, category: Any, on: dt.date) -> list[Gap]:
    """Which mandatory document types are missing, only submitted, or expired on `on` (the caller's local date:
    the company's for company decisions) for this supplier, company and category."""
    requirements = requirements_for(company, category)
    types = {requirement.document_type_id: requirement.document_type for requirement in requirements}
    if not types:
        return []
    return _evaluate(types, _current_documents(partner, types), on)


def _current_documents(partner: Any, type_ids=None) -> list[QualificationDocument]:
    documents = QualificationDocument.objects.filter(
        partner=partner, status__in=[DocumentStatus.ACCEPTED, DocumentStatus.SUBMITTED]
    )
    if type_ids is not None:
        documents = documents.filter(document_type_id__in=list(type_ids))
    return list(documents.order_by("-submitted_at"))


def _evaluate(types: dict, documents: list[QualificationDocument], on: dt.date) -> list[Gap]:
    gaps = []
    for type_id, document_type in types.items():
        mine = [document for document in documents if document.document_type_id == type_id]
        accepted = [document for document in mine if document.status == DocumentStatus.ACCEPTED]
        submitted = [document for document in mine if document.status == DocumentStatus.SUBMITTED]
        if any(not is_expired(document, on) for document in accepted):
            continue
        if accepted:
            latest = max(accepted, key=lambda document: document.expires_on or dt.date.max)
            gaps.append(Gap(document_type, "expired", latest.expires_on, renewal_pending=bool(submitted)))
        elif submitted:
            gaps.append(Gap(document_type, "pending"))
        else:
            gaps.append(Gap(document_type, "missing"))
    return gaps


def qualification_gate(partner: Any, company: Any, category: Any, on: dt.date) -> list[str]:
    """The AVL gate: why the supplier may not be sourced in this category and company on that day."""
    return [gap.reason for gap in qualification_gaps(partner, company, category, on)]


def _qualification_gate_many(partners: list[Any], company: Any, category: Any, on: dt.date) -> dict[Any, list[str]]:
    """The gate for many suppliers at once (the AVL's supplier lists): two queries whatever their number."""
    types = {r.document_type_id: r.document_type for r in requirements_for(company, category)}
    if not types:
        return {partner.pk: [] for partner in partners}
    documents: dict[Any, list[QualificationDocument]] = {partner.pk: [] for partner in partners}
    for document in QualificationDocument.objects.filter(
        partner__in=[partner.pk for partner in partners],
        status__in=[DocumentStatus.ACCEPTED, DocumentStatus.SUBMITTED],
        document_type_id__in=list(types),
    ).order_by("-submitted_at"):
        documents[document.partner_id].append(document)
    return {pk: [gap.reason for gap in _evaluate(types, mine, on)] for pk, mine in documents.items()}


qualification_gate.many = _qualification_gate_many


def supplier_gaps(partner: Any, now: dt.datetime | None = None) -> list[tuple[Any, Any, Gap]]:
    """For the supplier's page: (company, category or None, gap) over the companies it has accounts with and
    the categories it declared, each company judged on its own local date. A fixed number of queries."""
    from catalog.models import Category

    companies = [
        account.company
        for account in SupplierAccount.objects.filter(partner=partner, is_active=True)
        .select_related("company")
        .order_by("company__code")
    ]
    categories = [
        supplied.category
        for supplied in SuppliedCategory.objects.filter(partner=partner)
        .select_related("category")
        .order_by("category__code")
    ]
    requirements = list(
        QualificationRequirement.objects.filter(
            Q(company__isnull=True) | Q(company_id__in=[company.pk for company in companies]),
            document_type__is_active=True,
        )
        .select_related("document_type")
        .order_by("document_type__sort_order", "document_type__code")
    )
    if not requirements or not companies:
        return []
    parents = dict(Category.objects.values_list("pk", "parent_id")) if categories else {}
    documents = _current_documents(partner)

    def chain(category) -> set:
        found: set = set()
        node = category.pk
        while node is not None and node not in found:
            found.add(node)
            node = parents.get(node)
        return found

    rows = []
    for company in companies:
        on = local_today(company_zone(company), now)
        seen: set[tuple] = set()
        for category in categories or [None]:
            ids = chain(category) if category is not None else set()
            types = {
                requirement.document_type_id: requirement.document_type
                for requirement in requirements
                if requirement.company_id in (None, company.pk)
                and (requirement.category_id is None or requirement.category_id in ids)
            }
            for gap in _evaluate(types, documents, on):
                key = (gap.document_type.pk, gap.kind)
                if key in seen:
                    continue
                seen.add(key)
                rows.append((company, category, gap))
    return rows


# --- expiry: reminders and the expired event -------------------------------------------------------------------


def _mandatory_zones(document: QualificationDocument) -> list[ZoneInfo]:
    """The zones in which the document is mandatory for its supplier: the company's zone for each company-specific
    requirement (companies the supplier has an account with), the supplier's zone for group-wide ones. Requirements
    of a category apply when the supplier declared that category or a subcategory of it."""
    supplied_rows = SuppliedCategory.objects.filter(partner=document.partner).select_related("category")
    declared = [supplied.category for supplied in supplied_rows]
    declared_ids: set[int] = set()
    for category in declared:
        declared_ids.add(category.pk)
        declared_ids.update(node.pk for node in category.ancestors())
    company_ids = _company_ids_of_supplier(document.partner)
    zones = []
    for requirement in QualificationRequirement.objects.filter(document_type=document.document_type).select_related(
        "company"
    ):
        if requirement.category_id is not None and requirement.category_id not in declared_ids:
            continue
        if requirement.company_id is None:
            zones.append(supplier_zone(document.partner))
        elif requirement.company_id in company_ids:
            zones.append(company_zone(requirement.company))
    return zones


def _has_newer(document: QualificationDocument) -> bool:
    return QualificationDocument.objects.filter(
        replaces=document, status__in=[DocumentStatus.SUBMITTED, DocumentStatus.ACCEPTED]
    ).exists()


def qualification_expiry_run(now: dt.datetime | None = None) -> dict[str, int]:
    """Reminders 30 and 7 days before expiry and on the day (each once), and `qualification.document_expired`
    once for an accepted mandatory document past its expiry. Safe to run as often as wanted."""
    now = now or timezone.now()
    counts = {"reminded": 0, "expired": 0}
    # an expiry older than a year was either reported long ago or is not mandatory: not scanned again
    earliest = (now - dt.timedelta(days=366)).date()
    horizon = (now + dt.timedelta(days=max(REMINDER_DAYS) + 1)).date()
    candidates = (
        QualificationDocument.objects.filter(
            status=DocumentStatus.ACCEPTED, expires_on__gte=earliest, expires_on__lte=horizon
        )
        .filter(Q(expired_emitted_at__isnull=True) | Q(reminded_0_at__isnull=True))
        .select_related("partner", "document_type")
        .order_by("expires_on", "id")
    )
    for document in candidates.iterator():
        if _remind(document, now):
            counts["reminded"] += 1
        if document.expired_emitted_at is None and _emit_expired(document, now):
            counts["expired"] += 1
    return counts


def _remind(document: QualificationDocument, now: dt.datetime) -> bool:
    days_left = (document.expires_on - local_today(supplier_zone(document.partner), now)).days
    if days_left < 0 or days_left > REMINDER_DAYS[0]:
        return False
    stage = next(days for days in reversed(REMINDER_DAYS) if days_left <= days)
    field = f"reminded_{stage}_at"
    if getattr(document, field) is not None or _has_newer(document):
        return False
    with transaction.atomic():
        claimed = QualificationDocument.objects.filter(pk=document.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        if not claimed:
            return False
        setattr(document, field, now)
        admins = [
            membership.user
            for membership in Membership.objects.filter(
                partner_id=document.partner_id, is_active=True, roles__contains=["admin"]
            ).select_related("user")
        ]
        _notify(
            document,
            "qualification.document_expiring",
            admins,
            expires_on=document.expires_on.isoformat(),
            days=days_left,
        )
    return True


def _emit_expired(document: QualificationDocument, now: dt.datetime) -> bool:
    zones = _mandatory_zones(document)
    if not any(is_expired(document, local_today(zone, now)) for zone in zones):
        return False
    with transaction.atomic():
        claimed = QualificationDocument.objects.filter(pk=document.pk, expired_emitted_at__isnull=True).update(
            expired_emitted_at=now
        )
        if not claimed:
            return False
        document.expired_emitted_at = now
        emit("qualification.document_expired", {**_payload(document), "status": "expired"}, company=None, obj=document)
        audit_record(
            actor=None,
            action="qualification.document_expired",
            obj=document,
            partner=document.partner,
            after={"expires_on": document.expires_on.isoformat()},
        )
    return True
