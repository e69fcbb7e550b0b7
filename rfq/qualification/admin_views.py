"""The back office for qualification (/cms/qualification/): the review queue of submitted documents, document
types and requirements. Wagtail already requires back-office access; objects come through the access layer (404
for another company's supplier) and each action checks the staff role (a 403 page when it is missing)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Company, Partner

from .forms import DocumentFilterForm, DocumentTypeForm, RejectForm, RequirementForm
from .models import DocumentStatus, DocumentType, QualificationDocument, QualificationRequirement, SuppliedCategory
from .services import (
    DEFAULT_ZONE,
    REVIEWING_STAFF_ROLES,
    SUPPLIER_ZONES,
    document_accept,
    document_reject,
    is_expired,
    local_today,
    may_keep_any_requirements,
    may_keep_document_types,
    may_keep_requirements,
    may_review,
    supplier_gaps,
    supplier_zone,
)

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _render(request, template, title, context, icon="doc-full", status=200):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context}, status=status)


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _reviewing_company_ids(user) -> set[int] | None:
    """Companies where the person reviews; None: group-wide (every company)."""
    scope = scope_of(user)
    if any(role in scope.staff_roles.get(None, frozenset()) for role in REVIEWING_STAFF_ROLES):
        return None
    return {
        company_id
        for company_id, roles in scope.staff_roles.items()
        if company_id is not None and any(role in roles for role in REVIEWING_STAFF_ROLES)
    }


# --- review ----------------------------------------------------------------------------------------------------


def _reviewable_documents(user):
    """The documents the person may review: of suppliers with an account at a company where the person reviews
    (every supplier for group-wide reviewers)."""
    documents = QualificationDocument.objects.visible_to(user)
    company_ids = _reviewing_company_ids(user)
    if company_ids is not None:
        documents = documents.filter(partner__supplier_accounts__company_id__in=company_ids).distinct()
    return documents


def review_queue(request):
    if not may_keep_any_requirements(request.user):
        return _forbidden(request)
    documents = _reviewable_documents(request.user).filter(status=DocumentStatus.SUBMITTED)
    documents = documents.select_related("partner", "document_type", "replaces", "submitted_by").order_by(
        "submitted_at", "id"
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("p"))
    return _render(request, "qualification/admin/review_queue.html", _("Qualification review"), {"page": page})


def _expiring_before(days: int | None = None, *, expired: bool = False) -> Q:
    """Documents expired (expires_on before today) or expiring within `days` (today up to today + days), each judged
    on its supplier's local date (the zone follows the supplier's country, as for the expiry reminders)."""
    now = timezone.now()

    def window(zone_name):
        today = local_today(ZoneInfo(zone_name), now)
        if expired:
            return Q(expires_on__lt=today)
        return Q(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days))

    condition = Q(~Q(partner__country__in=list(SUPPLIER_ZONES)), window(DEFAULT_ZONE))
    for country, zone_name in SUPPLIER_ZONES.items():
        condition |= Q(Q(partner__country=country), window(zone_name))
    return condition


def document_list(request):
    """Every qualification document the person may review (not only those waiting), filtered and paginated."""
    if not may_keep_any_requirements(request.user):
        return _forbidden(request)
    form = DocumentFilterForm(request.GET or None)
    documents = _reviewable_documents(request.user)
    order = DocumentFilterForm.NEWEST
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            text = data["q"].strip()
            documents = documents.filter(
                Q(partner__name__icontains=text)
                | Q(partner__name_en__icontains=text)
                | Q(partner__tax_id__icontains=text)
            )
        if data["document_type"] is not None:
            documents = documents.filter(document_type=data["document_type"])
        if data["status"]:
            documents = documents.filter(status=data["status"])
        if data["expires_within"] is not None:
            documents = documents.filter(_expiring_before(data["expires_within"]))
        if data["expired"]:
            documents = documents.filter(_expiring_before(expired=True))
        order = data["order"] or order
    if order == DocumentFilterForm.EXPIRING:
        ordering = (F("expires_on").asc(nulls_last=True), "-submitted_at", "-id")
    else:
        ordering = ("-submitted_at", "-id")
    documents = documents.select_related("partner", "document_type", "reviewed_by").order_by(*ordering)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("p"))
    now = timezone.now()
    rows = [(document, is_expired(document, local_today(supplier_zone(document.partner), now))) for document in page]
    query = request.GET.copy()
    query.pop("p", None)
    context = {"page": page, "rows": rows, "form": form, "query_string": query.urlencode()}
    return _render(request, "qualification/admin/document_list.html", _("Qualification documents"), context)


def _document(request, document_id):
    return get_object_for_user(
        QualificationDocument.objects.select_related("partner", "document_type", "file", "replaces", "submitted_by"),
        request.user,
        document_id,
    )


def document_detail(request, document_id, reject_form=None):
    document = _document(request, document_id)
    if not may_review(request.user, document):
        return _forbidden(request)
    status = 400 if reject_form is not None else 200
    history = (
        QualificationDocument.objects.filter(partner=document.partner, document_type=document.document_type)
        .exclude(pk=document.pk)
        .select_related("reviewed_by")
        .order_by("-submitted_at")[:20]
    )
    context = {
        "document": document,
        "history": history,
        "reject_form": reject_form or RejectForm(),
        "may_decide": document.status == DocumentStatus.SUBMITTED,
    }
    return _render(request, "qualification/admin/document_detail.html", str(document), context, status=status)


@require_POST
def document_accept_view(request, document_id):
    document = _document(request, document_id)
    if not may_review(request.user, document):
        return _forbidden(request)
    try:
        document_accept(actor=request.user, document=document, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document was accepted; the supplier is notified."))
    return redirect("qualification_admin:review_queue")


@require_POST
def document_reject_view(request, document_id):
    document = _document(request, document_id)
    if not may_review(request.user, document):
        return _forbidden(request)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return document_detail(request, document_id, reject_form=form)
    try:
        document_reject(actor=request.user, document=document, reason=form.cleaned_data["reason"], request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document was rejected; the supplier is notified."))
    return redirect("qualification_admin:review_queue")


@require_GET
def document_file(request, document_id):
    document = _document(request, document_id)
    if not may_review(request.user, document):
        return _forbidden(request)
    stored = document.file
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as error:
        logger.error("qualification document %s: file %s is missing", document.uuid, stored.file.name)
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def supplier_detail(request, partner_id):
    """One supplier's qualification as staff see it: documents, categories and what is missing for the
    companies the person works for."""
    partner = get_object_for_user(Partner.objects.filter(is_supplier=True), request.user, partner_id)
    if not may_keep_any_requirements(request.user):
        return _forbidden(request)
    scope = scope_of(request.user)
    gaps = [row for row in supplier_gaps(partner) if scope.is_group or row[0].pk in scope.company_ids]
    context = {
        "partner": partner,
        "gaps": gaps,
        "documents": QualificationDocument.objects.filter(partner=partner)
        .select_related("document_type", "reviewed_by")
        .order_by("document_type__sort_order", "document_type__code", "-submitted_at"),
        "supplied": SuppliedCategory.objects.filter(partner=partner).select_related("category"),
    }
    return _render(request, "qualification/admin/supplier_detail.html", partner.name, context, icon="group")


# --- document types --------------------------------------------------------------------------------------------


def document_type_index(request):
    if not may_keep_any_requirements(request.user):
        return _forbidden(request)
    types = DocumentType.objects.order_by("sort_order", "code")
    context = {"types": types, "may_edit": may_keep_document_types(request.user)}
    return _render(request, "qualification/admin/document_type_index.html", _("Document types"), context)


def document_type_edit(request, type_id=None):
    if not may_keep_document_types(request.user):
        return _forbidden(request)
    instance = None
    if type_id is not None:
        instance = DocumentType.objects.filter(uuid=type_id).first()
        if instance is None:
            raise Http404
    form = DocumentTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        from portal.audit.services import audit_record

        saved = form.save()
        audit_record(
            actor=request.user,
            action="qualification.document_type_save",
            obj=saved,
            after={field: str(form.cleaned_data[field]) for field in form.changed_data},
            request=request,
        )
        messages.success(request, _("The document type was saved."))
        return redirect("qualification_admin:document_type_index")
    title = str(instance) if instance else _("New document type")
    status = 400 if request.method == "POST" else 200
    return _render(request, "qualification/admin/edit.html", title, {"form": form}, status=status)


# --- requirements ----------------------------------------------------------------------------------------------


def _visible_requirements(user):
    """A company's requirements to its staff; the group-wide ones to every staff member (they apply to all)."""
    return QualificationRequirement.objects.visible_to(user) | QualificationRequirement.objects.filter(
        company__isnull=True
    )


def requirement_index(request):
    if not may_keep_any_requirements(request.user):
        return _forbidden(request)
    requirements = (
        _visible_requirements(request.user)
        .select_related("document_type", "category", "company")
        .order_by("company__code", "category__code", "document_type__sort_order")
    )
    page = Paginator(requirements, PAGE_SIZE).get_page(request.GET.get("p"))
    title = _("Qualification requirements")
    return _render(request, "qualification/admin/requirement_index.html", title, {"page": page})


def _companies_kept_by(user):
    company_ids = _reviewing_company_ids(user)
    companies = Company.objects.order_by("code")
    return companies if company_ids is None else companies.filter(pk__in=company_ids)


def requirement_edit(request, requirement_id=None):
    instance = None
    if requirement_id is None and not may_keep_any_requirements(request.user):
        return _forbidden(request)
    if requirement_id is not None:
        try:
            instance = _visible_requirements(request.user).get(uuid=requirement_id)
        except (QualificationRequirement.DoesNotExist, ValueError) as error:
            raise Http404 from error
        if not may_keep_requirements(request.user, instance.company):
            return _forbidden(request)
    is_group = _reviewing_company_ids(request.user) is None
    form = RequirementForm(
        request.POST or None, instance=instance, companies=_companies_kept_by(request.user), allow_group=is_group
    )
    if request.method == "POST":
        if "delete" in request.POST and instance is not None:
            _audit_requirement(request, "qualification.requirement_delete", instance, before=True)
            instance.delete()
            messages.success(request, _("The requirement was removed."))
            return redirect("qualification_admin:requirement_index")
        if form.is_valid():
            if not may_keep_requirements(request.user, form.cleaned_data.get("company")):
                return _forbidden(request)
            saved = form.save()
            _audit_requirement(request, "qualification.requirement_save", saved)
            messages.success(request, _("The requirement was saved."))
            return redirect("qualification_admin:requirement_index")
    title = str(instance) if instance else _("New requirement")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "may_delete": instance is not None}
    return _render(request, "qualification/admin/edit.html", title, context, status=status)


def _audit_requirement(request, action, requirement, before=False):
    from portal.audit.services import audit_record

    data = {
        "document_type": requirement.document_type.code,
        "category": requirement.category.code if requirement.category_id else None,
        "company": requirement.company.code if requirement.company_id else None,
    }
    audit_record(
        actor=request.user,
        action=action,
        obj=requirement,
        company=requirement.company,
        before=data if before else None,
        after=None if before else data,
        request=request,
    )
