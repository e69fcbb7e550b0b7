"""The partner's documents page and the one permission-checked download.

Downloads write no audit row: reads are not audited anywhere in the portal yet, and a row per download
would grow the chain with little value; uploads and generated documents are audited by the service.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.errors import DomainError
from portal.core.scoped_views import require_membership
from portal.organisations.access import scope_of
from portal.organisations.models import PartnerRole

from .forms import DocumentUploadForm
from .selectors import documents_of_partner, get_document_for_user
from .services import document_store

logger = logging.getLogger(__name__)

DOCUMENTS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def document_list(request):
    """The active partner's documents; its administrators upload here. Staff act for no partner: 404."""
    membership = require_membership(request)
    partner = membership.partner
    can_upload = scope_of(request.user).has_partner_role(partner.pk, PartnerRole.ADMIN)
    form = DocumentUploadForm() if can_upload else None
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = document_store(
                    actor=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    owner_partner=partner,
                    request=request,
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("“%(name)s” was uploaded.") % {"name": document.original_name})
                return redirect("document_list")
    page = Paginator(documents_of_partner(request.user, partner), DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/document_list.html",
        {"partner": partner, "page": page, "form": form, "can_upload": can_upload},
    )


@login_required
@require_GET
def document_download(request, document_id):
    """The file as an attachment, for whoever may see the document; 404 for everyone else."""
    document = get_document_for_user(request.user, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        logger.error("document %s: file %s is missing from storage", document.uuid, document.file.name)
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    # Never rendered inline or guessed by the browser, never kept in a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
