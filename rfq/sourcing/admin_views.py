"""The buyer's RFQ screens in the back office (/cms/sourcing/…): the list, a new RFQ (by hand or from
requisitions), editing a draft, invitations, publishing, amending, answering questions, the opening ceremony of a
round, another round and cancelling. Comparison and awards live in award_urls.py.

Every staff member of the RFQ's company sees it (Rfq.objects.visible_to; 404 for other companies'); acting needs
may_manage_rfq (opening: may_open), else the 403 page. SEALING: these screens read who bid, when and how many
versions, never a bid's content; the sealed columns are not even loaded.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Item
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user
from portal.organisations.models import Company, Partner, Site
from rfq.banking.reauth import reauthenticate_url, second_factor_recently_used

from . import rfqs
from .access import is_sourcing_staff, may_manage_rfq, may_open
from .bidding import bid_attachment_open, opened_envelopes
from .forms import (
    AmendForm,
    AmendLineFormSet,
    AnswerForm,
    AttachmentForm,
    CancelForm,
    InviteForm,
    LineFormSet,
    PublishForm,
    RequisitionsForm,
    RfqFilterForm,
    RfqForm,
    RoundForm,
    line_initial,
)
from .models import (
    Bid,
    BidAttachment,
    BidStatus,
    Invitation,
    InvitationStatus,
    Requisition,
    RequisitionStatus,
    Rfq,
    RfqStatus,
    Round,
    RoundStatus,
)
from .opening import ReauthenticationRequired, round_open_sign
from .rfq_pdf import plain
from .selectors import rfq_phase

PAGE_SIZE = 50
ITEM_SEARCH_LIMIT = 20


def _render(request, template, title, context, status=200):
    return TemplateResponse(
        request,
        template,
        {
            "page_title": title,
            "header_icon": "doc-full-inverse",
            "zone": timezone.get_current_timezone_name(),
            **context,
        },
        status=status,
    )


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _rfq(request, rfq_id) -> Rfq:
    """An RFQ of the person's companies (404 otherwise)."""
    return get_object_for_user(Rfq.objects.select_related("company", "created_by"), request.user, rfq_id)


def _managed_companies(user):
    visible = Company.objects.visible_to(user).order_by("code")
    return Company.objects.filter(pk__in=[company.pk for company in visible if may_manage_rfq(user, company)]).order_by(
        "code"
    )


def _add_errors(form, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _comparison_url(rfq) -> str:
    try:
        return reverse("sourcing_admin:comparison", kwargs={"rfq_id": rfq.uuid})
    except NoReverseMatch:
        return ""


# --- the list ------------------------------------------------------------------------------------------------------


def _current(field):
    return Subquery(Round.objects.filter(rfq=OuterRef("pk")).order_by("-number").values(field)[:1])


def rfq_list(user, params):
    """The RFQs the person sees, with the current round's number, deadline and status and the number of live
    invitations annotated (no query per row), narrowed by the list's filters; and the filter form."""
    companies = list(Company.objects.visible_to(user).order_by("code"))
    form = RfqFilterForm(params or None, companies=companies)
    invited = (
        Invitation.objects.filter(rfq=OuterRef("pk"))
        .exclude(status=InvitationStatus.REMOVED)
        .order_by()
        .values("rfq")
        .annotate(total=Count("pk"))
        .values("total")
    )
    rows = (
        Rfq.objects.visible_to(user)
        .select_related("company", "created_by")
        .annotate(
            round_number=_current("number"),
            round_deadline=_current("deadline"),
            round_status=_current("status"),
            invited=Coalesce(Subquery(invited, output_field=IntegerField()), 0),
        )
    )
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        if data["company"]:
            rows = rows.filter(company__code=data["company"])
        phase = data["phase"]
        if phase == "open":
            rows = rows.filter(status=RfqStatus.PUBLISHED, round_deadline__gt=now)
        elif phase == "closed":
            rows = rows.filter(Q(status=RfqStatus.CLOSED) | Q(status=RfqStatus.PUBLISHED, round_deadline__lte=now))
        elif phase:
            rows = rows.filter(status=phase)
        if query := data["q"].strip():
            rows = rows.filter(Q(number__icontains=query) | Q(title__icontains=query))
    return rows.order_by("-created_at", "-pk"), form


def _list_phase(rfq, now) -> str:
    if rfq.status in (RfqStatus.DRAFT, RfqStatus.AWARDED, RfqStatus.CANCELLED, RfqStatus.OPENED):
        return rfq.status
    if rfq.round_status == RoundStatus.OPENED:
        return "opened"
    if rfq.round_deadline is None:
        return "draft"
    return "open" if now < rfq.round_deadline else "closed"


PHASE_LABELS = {
    "draft": RfqStatus.DRAFT.label,
    "open": RfqStatus.PUBLISHED.label,
    "closed": RfqStatus.CLOSED.label,
    "opened": RfqStatus.OPENED.label,
    "awarded": RfqStatus.AWARDED.label,
    "cancelled": RfqStatus.CANCELLED.label,
}


def rfq_index(request):
    if not is_sourcing_staff(request.user):
        return _forbidden(request)
    rows, form = rfq_list(request.user, request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("p"))
    now = timezone.now()
    for rfq in page:
        rfq.phase = _list_phase(rfq, now)
        rfq.phase_label = PHASE_LABELS[rfq.phase]
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "may_create": _managed_companies(request.user).exists(),
    }
    return _render(request, "sourcing/admin/rfq_index.html", _("RFQs"), context)


# --- create and edit ----------------------------------------------------------------------------------------------


def _line_formset(request, sites, initial=None):
    return LineFormSet(
        request.POST if request.method == "POST" else None,
        initial=initial,
        prefix="lines",
        form_kwargs={"sites": sites},
    )


def _save_errors(form, formset, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        for message in messages_:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


def rfq_create(request):
    companies = _managed_companies(request.user)
    if not companies.exists():
        return _forbidden(request)
    form = RfqForm(request.POST or None, companies=companies, initial={"company": companies.first()})
    formset = _line_formset(request, Site.objects.filter(company__in=companies).order_by("company__code", "code"))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and formset.is_valid():
            try:
                rfq = rfqs.rfq_create(
                    user=request.user,
                    company=form.cleaned_data["company"],
                    fields=form.rfq_fields(),
                    lines=formset.lines(),
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _save_errors(form, formset, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(number)s was created as a draft.") % {"number": rfq.number})
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {"form": form, "formset": formset, "rfq": None}
    return _render(request, "sourcing/admin/rfq_edit.html", _("New RFQ"), context, status=status)


def rfq_edit(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    if rfq.status != RfqStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited; amend a published RFQ instead."))
        return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    lines = rfq.lines.select_related("item", "unit").order_by("position")
    form = RfqForm(request.POST or None, instance=rfq)
    formset = _line_formset(request, rfq.company.sites.order_by("code"), [line_initial(line) for line in lines])
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and formset.is_valid():
            try:
                rfqs.rfq_update(
                    user=request.user,
                    rfq=rfq,
                    fields=form.rfq_fields(),
                    lines=formset.lines(),
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _save_errors(form, formset, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {"form": form, "formset": formset, "rfq": rfq}
    return _render(
        request, "sourcing/admin/rfq_edit.html", _("Edit %(number)s") % {"number": rfq.number}, context, status
    )


def item_search(request):
    """Items of the item master by code or name, for the line form (a fragment the page swaps in)."""
    if not is_sourcing_staff(request.user):
        return _forbidden(request)
    query = (request.GET.get("item_q") or "").strip()
    items = []
    if len(query) >= 2:
        items = list(
            Item.objects.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(name_en__icontains=query))
            .filter(is_purchasable=True)
            .select_related("base_unit", "category")
            .order_by("code")[:ITEM_SEARCH_LIMIT]
        )
    return TemplateResponse(request, "sourcing/admin/item_search.html", {"items": items, "query": query})


@require_POST
def rfq_copy(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    try:
        copy = rfqs.rfq_copy(user=request.user, rfq=rfq, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    messages.success(
        request, _("%(copy)s is a draft copy of %(number)s.") % {"copy": copy.number, "number": rfq.number}
    )
    return redirect("sourcing_admin:rfq_edit", rfq_id=copy.uuid)


def rfq_from_requisitions(request):
    companies = _managed_companies(request.user)
    if not companies.exists():
        return _forbidden(request)
    requisitions = (
        Requisition.objects.visible_to(request.user)
        .filter(status=RequisitionStatus.OPEN, company__in=companies)
        .select_related("company")
        .annotate(line_count=Count("lines"))
        .order_by("company__code", "-created_at", "-pk")[:500]
    )
    requisitions = list(requisitions)
    form = RequisitionsForm(request.POST or None, requisitions=requisitions)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            chosen = form.cleaned_data["requisitions"]
            try:
                rfq = rfqs.rfq_from_requisitions(
                    user=request.user,
                    company=chosen[0].company,
                    requisitions=chosen,
                    title=form.cleaned_data["title"],
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(number)s was created from the requisitions.") % {"number": rfq.number})
                return redirect("sourcing_admin:rfq_edit", rfq_id=rfq.uuid)
    context = {"form": form, "requisitions": requisitions}
    return _render(request, "sourcing/admin/rfq_from_requisitions.html", _("RFQ from requisitions"), context, status)


# --- the detail page -------------------------------------------------------------------------------------------------


def _bids_by_round(rfq) -> dict[int, dict[int, Bid]]:
    """{round id: {invitation id: bid}} with each bid's current submission time and version count: the sealed
    columns are deferred, never read."""
    bids = (
        Bid.objects.filter(round__rfq=rfq)
        .select_related("current")
        .defer("draft_sealed", "current__sealed", "current__commitment")
        .annotate(versions=Count("submissions"))
        .order_by("pk")
    )
    found: dict[int, dict[int, Bid]] = {}
    for bid in bids:
        found.setdefault(bid.round_id, {})[bid.invitation_id] = bid
    return found


def _round_rows(rfq, rounds, invitations):
    bids = _bids_by_round(rfq)
    live = [invitation for invitation in invitations if invitation.status != InvitationStatus.REMOVED]
    participants: dict[int, set[int]] = {}
    for round_id, invitation_id in Round.participants.through.objects.filter(round__rfq=rfq).values_list(
        "round_id", "invitation_id"
    ):
        participants.setdefault(round_id, set()).add(invitation_id)
    result = []
    for round in rounds:
        members = live if round.number == 1 else [i for i in live if i.pk in participants.get(round.pk, set())]
        rows = []
        for invitation in members:
            bid = bids.get(round.pk, {}).get(invitation.pk)
            current = bid.current if bid is not None else None
            rows.append(
                {
                    "invitation": invitation,
                    "bid": bid,
                    "status": bid.get_status_display() if bid else _("No bid yet"),
                    "submitted_at": current.submitted_at if current else None,
                    "versions": bid.versions if bid else 0,
                    "outdated": bool(current and current.rfq_version < rfq.version),
                }
            )
        submitted = sum(1 for row in rows if row["bid"] is not None and row["bid"].status == BidStatus.SUBMITTED)
        result.append({"round": round, "rows": rows, "submitted": submitted})
    return result


def _labelled(invitations) -> list:
    invitations = list(invitations)
    for invitation in invitations:
        invitation.avl_label = rfqs.avl_label(invitation.avl_status)
    return invitations


def _lines(rfq) -> list:
    lines = list(rfq.lines.select_related("item", "unit", "site").order_by("position"))
    for line in lines:
        line.quantity_text = plain(line.quantity)
        line.last_price_text = plain(line.last_price)
        line.target_price_text = plain(line.target_price)
    return lines


def rfq_detail(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    rounds = list(rfq.rounds.order_by("number").prefetch_related("signatures__user"))
    current = rounds[-1] if rounds else None
    phase = rfq_phase(rfq, round=current)
    invitations = _labelled(rfq.invitations.select_related("supplier", "invited_by").order_by("pk"))
    may_manage = may_manage_rfq(request.user, rfq.company)
    history = AuditEvent.objects.filter(rfqs.rfq_history_filter(rfq)).order_by("-created_at", "-pk")[:200]
    questions = list(rfq.questions.select_related("invitation__supplier", "answered_by").order_by("asked_at", "pk"))
    context = {
        "rfq": rfq,
        "phase": phase,
        "phase_label": PHASE_LABELS.get(phase, phase),
        "current_round": current,
        "lines": _lines(rfq),
        "attachments": rfq.attachments.select_related("document").order_by("pk"),
        "invitations": invitations,
        "rounds": _round_rows(rfq, rounds, invitations),
        "questions": questions,
        "amendments": rfq.amendments.select_related("created_by").order_by("version"),
        "history": history,
        "may_manage": may_manage,
        "may_open": may_open(request.user, rfq.company),
        "attachment_form": AttachmentForm() if may_manage and rfq.status == RfqStatus.DRAFT else None,
        "answer_form": AnswerForm() if may_manage else None,
        "comparison_url": _comparison_url(rfq) if rfq.status in (RfqStatus.OPENED, RfqStatus.AWARDED) else "",
        "requisitions": rfq.requisitions.order_by("external_id"),
        "zone": timezone.get_current_timezone_name(),
    }
    return _render(request, "sourcing/admin/rfq_detail.html", f"{rfq.number} {rfq.title}", context)


# --- attachments ---------------------------------------------------------------------------------------------------


@require_POST
def attachment_add(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            attachment = rfqs.rfq_attachment_add(
                user=request.user, rfq=rfq, uploaded_file=form.cleaned_data["file"], request=request
            )
        except PermissionDenied:
            return _forbidden(request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": attachment.document.original_name})
    return redirect(reverse("sourcing_admin:rfq_detail", kwargs={"rfq_id": rfq.uuid}) + "#documents")


@require_POST
def attachment_remove(request, rfq_id, document_id):
    rfq = _rfq(request, rfq_id)
    attachment = rfq.attachments.select_related("document", "rfq__company").filter(document__uuid=document_id).first()
    if attachment is None:
        raise Http404
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    try:
        rfqs.rfq_attachment_remove(user=request.user, attachment=attachment, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document was removed."))
    return redirect(reverse("sourcing_admin:rfq_detail", kwargs={"rfq_id": rfq.uuid}) + "#documents")


# --- invitations -----------------------------------------------------------------------------------------------------


def invitations(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            tax_id = form.cleaned_data["supplier"].strip()
            supplier = Partner.objects.filter(tax_id=tax_id, is_supplier=True).first()
            if supplier is None:
                form.add_error("supplier", _("No supplier has this tax id."))
            else:
                try:
                    rfqs.invitation_add(
                        user=request.user,
                        rfq=rfq,
                        supplier=supplier,
                        override_reason=form.cleaned_data["override_reason"],
                        request=request,
                    )
                except PermissionDenied:
                    return _forbidden(request)
                except ValidationError as error:
                    _add_errors(form, error)
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("%(supplier)s was invited.") % {"supplier": supplier.name})
                    return redirect("sourcing_admin:invitations", rfq_id=rfq.uuid)
    context = {
        "rfq": rfq,
        "form": form,
        "suggestions": rfqs.invitation_suggestions(rfq),
        "invitations": _labelled(rfq.invitations.live().select_related("supplier").order_by("pk")),
        "may_add": rfq.status in (RfqStatus.DRAFT, RfqStatus.PUBLISHED),
        "may_remove": rfq.status == RfqStatus.DRAFT,
        "has_item_lines": rfq.lines.filter(item__isnull=False).exists(),
    }
    return _render(
        request,
        "sourcing/admin/invitations.html",
        _("Invitations of %(number)s") % {"number": rfq.number},
        context,
        status,
    )


@require_POST
def invitation_remove(request, rfq_id, invitation_id):
    rfq = _rfq(request, rfq_id)
    invitation = rfq.invitations.select_related("supplier", "rfq__company").filter(uuid=invitation_id).first()
    if invitation is None:
        raise Http404
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    try:
        rfqs.invitation_remove(user=request.user, invitation=invitation, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The invitation of %(supplier)s was removed.") % {"supplier": invitation.supplier.name}
        )
    return redirect("sourcing_admin:invitations", rfq_id=rfq.uuid)


# --- publish, amend, answer, cancel --------------------------------------------------------------------------------


def publish(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    if rfq.status != RfqStatus.DRAFT:
        messages.error(request, _("Only a draft can be published."))
        return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    form = PublishForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rfqs.rfq_publish(user=request.user, rfq=rfq, deadline=form.cleaned_data["deadline"], request=request)
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("%(number)s is published: the invited suppliers were told.") % {"number": rfq.number}
                )
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {
        "rfq": rfq,
        "form": form,
        "line_count": rfq.lines.count(),
        "invitation_count": rfq.invitations.filter(status=InvitationStatus.INVITED).count(),
    }
    return _render(
        request, "sourcing/admin/publish.html", _("Publish %(number)s") % {"number": rfq.number}, context, status
    )


def amend(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    current = rfq.current_round
    if rfq_phase(rfq, round=current) != "open":
        messages.error(request, _("Only an RFQ whose round still takes bids can be amended."))
        return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    initial = {name: getattr(rfq, name) for name in rfqs.AMENDABLE_FIELDS}
    form = AmendForm(request.POST or None, request.FILES or None, initial=initial)
    lines = _lines(rfq)
    line_forms = AmendLineFormSet(
        request.POST or None,
        prefix="lines",
        initial=[{"quantity": line.quantity_text, "need_by": line.need_by} for line in lines],
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and line_forms.is_valid():
            changed_lines = {
                str(line.uuid): line_form.cleaned_data
                for line, line_form in zip(lines, line_forms.forms, strict=False)
                if line_form.has_changed()
            }
            try:
                amendment = rfqs.rfq_amend(
                    user=request.user,
                    rfq=rfq,
                    summary=form.cleaned_data["summary"],
                    deadline=form.cleaned_data["deadline"],
                    fields=form.amended_fields(),
                    lines=changed_lines,
                    uploaded_file=form.cleaned_data["attachment"],
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Version %(version)s is published.") % {"version": amendment.version})
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {
        "rfq": rfq,
        "form": form,
        "current_round": current,
        "line_forms": line_forms,
        "line_rows": list(zip(lines, line_forms.forms, strict=False)),
    }
    return _render(
        request, "sourcing/admin/amend.html", _("Amend %(number)s") % {"number": rfq.number}, context, status
    )


@require_POST
def question_answer(request, rfq_id, question_id):
    rfq = _rfq(request, rfq_id)
    question = rfq.questions.select_related("rfq__company").filter(uuid=question_id).first()
    if question is None:
        raise Http404
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
    else:
        try:
            rfqs.question_answer(
                user=request.user, question=question, answer=form.cleaned_data["answer"], request=request
            )
        except PermissionDenied:
            return _forbidden(request)
        except (DomainError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("The answer was sent to every invited supplier."))
    return redirect(reverse("sourcing_admin:rfq_detail", kwargs={"rfq_id": rfq.uuid}) + "#questions")


def cancel(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rfqs.rfq_cancel(user=request.user, rfq=rfq, reason=form.cleaned_data["reason"], request=request)
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(number)s was cancelled.") % {"number": rfq.number})
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {
        "rfq": rfq,
        "form": form,
        "may_cancel": rfq.status in rfqs.TRANSITIONS and RfqStatus.CANCELLED in rfqs.TRANSITIONS[rfq.status],
    }
    return _render(
        request, "sourcing/admin/cancel.html", _("Cancel %(number)s") % {"number": rfq.number}, context, status
    )


# --- rounds: the opening ceremony and another round ----------------------------------------------------------------


def _round(rfq, round_id) -> Round:
    round = rfq.rounds.filter(uuid=round_id).first()
    if round is None:
        raise Http404
    return round


def _opening_context(request, rfq, round):
    now = timezone.now()
    signatures = list(round.signatures.select_related("user").order_by("signed_at", "pk"))
    latest = rfq.rounds.order_by("-number").values_list("pk", flat=True).first()
    bids = (
        Bid.objects.filter(round=round, status=BidStatus.SUBMITTED)
        .select_related("supplier", "current")
        .defer("draft_sealed", "current__sealed", "current__commitment")
        .annotate(versions=Count("submissions"))
        .order_by("current__submitted_at", "pk")
    )
    reason = ""
    if not may_open(request.user, rfq.company):
        reason = _("Only sourcing managers of %(company)s open bids.") % {"company": rfq.company.name}
    elif round.status == RoundStatus.OPENED:
        reason = _("This round was opened.")
    elif rfq.status == RfqStatus.CANCELLED:
        reason = _("This RFQ was cancelled.")
    elif round.pk != latest:
        reason = _("Only the latest round can be opened.")
    elif now < round.deadline:
        reason = _("Bids close on %(deadline)s: the round can be opened only after that.") % {
            "deadline": rfqs.format_instant(round.deadline, timezone.get_current_timezone_name())
        }
    elif any(signature.user_id == request.user.pk for signature in signatures):
        reason = _("You have signed. A second sourcing manager must open it too.")
    envelopes = opened_envelopes(round) if may_see_envelopes(request.user, rfq) else {}
    bids = list(bids)
    for bid in bids:
        bid.files = envelopes.get(bid.pk, [])
    return {
        "rfq": rfq,
        "round": round,
        "bids": bids,
        "signatures": signatures,
        "blocked_reason": reason,
        "zone": timezone.get_current_timezone_name(),
        "comparison_url": _comparison_url(rfq) if round.status == RoundStatus.OPENED else "",
    }


def opening(request, rfq_id, round_id):
    rfq = _rfq(request, rfq_id)
    round = _round(rfq, round_id)
    title = _("Opening of round %(round)s of %(number)s") % {"round": round.number, "number": rfq.number}
    return _render(request, "sourcing/admin/opening.html", title, _opening_context(request, rfq, round))


def may_see_envelopes(user, rfq) -> bool:
    return may_manage_rfq(user, rfq.company) or may_open(user, rfq.company)


def envelope_download(request, rfq_id, round_id, attachment_id):
    """A file of an opened bid's technical or commercial envelope, for the company's buyers and sourcing managers."""
    rfq = _rfq(request, rfq_id)
    round = _round(rfq, round_id)
    attachment = BidAttachment.objects.filter(uuid=attachment_id, bid__round=round).select_related("bid").first()
    if attachment is None:
        raise Http404
    if not may_see_envelopes(request.user, rfq):
        return _forbidden(request)
    try:
        name, content_type, content = bid_attachment_open(user=request.user, attachment=attachment)
    except PermissionDenied as error:
        raise Http404 from error  # sealed, or a file the opened bid did not list: as if it did not exist
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def opening_sign(request, rfq_id, round_id):
    rfq = _rfq(request, rfq_id)
    round = _round(rfq, round_id)
    if not may_open(request.user, rfq.company):
        return _forbidden(request)
    page = reverse("sourcing_admin:opening", kwargs={"rfq_id": rfq.uuid, "round_id": round.uuid})
    if not second_factor_recently_used(request):
        return redirect(reauthenticate_url(page))
    try:
        opened = round_open_sign(user=request.user, round=round, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except ReauthenticationRequired:
        return redirect(reauthenticate_url(page))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(page)
    opened.refresh_from_db(fields=["status"])
    if opened.status == RoundStatus.OPENED:
        messages.success(request, _("The round is opened: the bids are unsealed for comparison."))
    else:
        messages.success(request, _("You signed the opening. A second sourcing manager must open it too."))
    return redirect(page)


def round_new(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    current = rfq.current_round
    if rfq.status != RfqStatus.OPENED or current is None or current.status != RoundStatus.OPENED:
        messages.error(request, _("Another round can start only after the current round was opened."))
        return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    bidders = list(
        Invitation.objects.filter(
            rfq=rfq,
            status=InvitationStatus.INVITED,
            bids__round=current,
            bids__status=BidStatus.SUBMITTED,
        )
        .select_related("supplier")
        .order_by("supplier__name", "pk")
    )
    form = RoundForm(request.POST or None, bidders=bidders)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                round = rfqs.round_start(
                    user=request.user,
                    rfq=rfq,
                    invitations=form.chosen(),
                    deadline=form.cleaned_data["deadline"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Round %(round)s takes bids.") % {"round": round.number})
                return redirect("sourcing_admin:rfq_detail", rfq_id=rfq.uuid)
    context = {"rfq": rfq, "form": form, "current_round": current}
    return _render(
        request,
        "sourcing/admin/round_new.html",
        _("Another round of %(number)s") % {"number": rfq.number},
        context,
        status,
    )
