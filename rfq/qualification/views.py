"""The supplier's qualification page: categories supplied, documents with their review status and expiry, and
what is missing for which company and category. Every member sees it; administrators and quality staff of the
supplier change it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError
from portal.core.scoped_views import get_partner_object
from portal.core.workspaces import SUPPLIER, workspace_membership
from portal.documents.models import Document

from . import services
from .forms import CategoryDeclareForm, DocumentForm
from .models import DocumentStatus, QualificationDocument, SuppliedCategory
from .services import local_today, may_manage, supplier_gaps, supplier_zone

RENEWAL_WINDOW_DAYS = 60


def _membership(request, *, manage: bool = False):
    membership = workspace_membership(request, SUPPLIER)
    if manage and not may_manage(request.user, membership.partner):
        raise PermissionDenied
    return membership


def _documents(partner):
    today = local_today(supplier_zone(partner))
    documents = list(
        QualificationDocument.objects.filter(partner=partner)
        .select_related("document_type", "file", "replaces")
        .order_by("document_type__sort_order", "document_type__code", "-submitted_at")
    )
    pending_replacements = {
        document.replaces_id for document in documents if document.status == DocumentStatus.SUBMITTED
    }
    for document in documents:
        document.days_left = (document.expires_on - today).days if document.expires_on else None
        document.is_expired = document.days_left is not None and document.days_left < 0
        document.renewal_pending = document.pk in pending_replacements
        document.may_renew = (
            document.status == DocumentStatus.ACCEPTED
            and document.days_left is not None
            and document.days_left <= RENEWAL_WINDOW_DAYS
            and not document.renewal_pending
        )
    return documents


def _render_index(request, membership, *, document_form=None, category_form=None, status=200):
    partner = membership.partner
    supplied = list(
        SuppliedCategory.objects.filter(partner=partner).select_related("category").order_by("category__code")
    )
    certificates: dict[str, list] = {}
    for document in Document.objects.filter(
        object_type="qualification.suppliedcategory", object_id__in=[str(row.uuid) for row in supplied]
    ).order_by("version"):
        certificates.setdefault(document.object_id, []).append(document)
    for row in supplied:
        row.certificates = certificates.get(str(row.uuid), [])
    can_manage = may_manage(request.user, partner)
    context = {
        "partner": partner,
        "can_manage": can_manage,
        "documents": _documents(partner),
        "supplied": supplied,
        "gaps": supplier_gaps(partner),
        "document_form": (document_form or DocumentForm()) if can_manage else None,
        "category_form": (category_form or CategoryDeclareForm()) if can_manage else None,
    }
    return render(request, "qualification/index.html", context, status=status)


@login_required
def index(request):
    return _render_index(request, _membership(request))


@login_required
@require_POST
def document_submit(request):
    membership = _membership(request, manage=True)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _submit(request, membership.partner, form)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The document was submitted. Staff will review it."))
            return redirect("qualification_index")
    return _render_index(request, membership, document_form=form, status=400)


def _submit(request, partner, form, replaces=None):
    data = form.cleaned_data
    return services.document_submit(
        actor=request.user,
        partner=partner,
        document_type=data["document_type"],
        issuing_body=data["issuing_body"],
        number=data["number"],
        issued_on=data["issued_on"],
        expires_on=data.get("expires_on"),
        uploaded_file=data["file"],
        replaces=replaces,
        request=request,
    )


@login_required
def document_replace(request, document_id):
    membership = _membership(request)
    document = get_partner_object(
        request, QualificationDocument.objects.select_related("document_type", "partner"), document_id
    )
    if document.partner_id != membership.partner_id:
        # a document of another partner the person also belongs to: act there (switch partner first)
        raise Http404
    if not may_manage(request.user, membership.partner):
        raise PermissionDenied
    if document.status != DocumentStatus.ACCEPTED:
        messages.error(request, _("Only a document in force can be renewed: upload a new document instead."))
        return redirect("qualification_index")
    form = DocumentForm(request.POST or None, request.FILES or None, replaces=document)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _submit(request, membership.partner, form, replaces=document)
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("The renewed document was submitted. Staff will review it."))
                return redirect("qualification_index")
        status = 400
    return render(
        request,
        "qualification/replace.html",
        {"partner": membership.partner, "document": document, "form": form},
        status=status,
    )


@login_required
@require_POST
def category_declare(request):
    membership = _membership(request, manage=True)
    form = CategoryDeclareForm(request.POST, request.FILES)
    if form.is_valid():
        files = request.FILES.getlist("certificates")
        try:
            category_declare_service(request, membership.partner, form, files)
        except DomainError as error:
            form.add_error("certificates", error.message)
        else:
            messages.success(request, _("The category was saved."))
            return redirect("qualification_index")
    return _render_index(request, membership, category_form=form, status=400)


def category_declare_service(request, partner, form, files):
    return services.category_declare(
        actor=request.user,
        partner=partner,
        category=form.cleaned_data["category"],
        capacity_note=form.cleaned_data["capacity_note"],
        files=files,
        request=request,
    )


@login_required
@require_POST
def category_withdraw(request, supplied_id):
    membership = _membership(request)
    supplied = get_partner_object(request, SuppliedCategory.objects.select_related("category", "partner"), supplied_id)
    if supplied.partner_id != membership.partner_id:
        raise Http404
    if not may_manage(request.user, membership.partner):
        raise PermissionDenied
    services.category_withdraw(actor=request.user, supplied=supplied, request=request)
    messages.success(request, _("The category was removed."))
    return redirect("qualification_index")
