"""The supplier's side of sourcing (/supplier/rfqs/…) and the public tender notices (/tenders/).

Every page starts from the access layer: an invitation is fetched through `Invitation.objects.visible_to(user)`,
narrowed to the partner the person acts for (404 for anyone else's). Nothing here ever shows a line's last or
target price, or tells how many suppliers were invited or bid. The bid's rules are `bidding.parse_bid`'s and its
state checks the services'; these views only carry values and messages.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.errors import DomainError
from portal.core.scoped_views import get_partner_object
from portal.core.workspaces import SUPPLIER, workspace_membership
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import PartnerRole
from theme.pdf import render_pdf

from . import bid_xlsx, bidding, supplier_selectors
from .access import may_bid
from .bidding import BidContent, InvoiceType
from .models import (
    AwardLetter,
    AwardStatus,
    Bid,
    BidAttachment,
    BidStatus,
    BidSubmission,
    Invitation,
    Question,
    Rfq,
    RfqAttachment,
    RfqLine,
    RfqStatus,
    RoundStatus,
)
from .supplier_forms import (
    TAX_RATES,
    AttachmentForm,
    DeclineForm,
    QuestionForm,
    XlsxUploadForm,
    attach_errors,
    entries_from_content,
    entries_from_post,
    rows_of,
)
from .supplier_services import question_ask
from .tenders import TenderRefused, tender_join

logger = logging.getLogger(__name__)


# --- fetching ----------------------------------------------------------------------------------------------------


def _partner(request):
    return workspace_membership(request, SUPPLIER).partner


def _invitation(request, invitation_id) -> Invitation:
    """The active partner's invitation (of an RFQ suppliers may see), with its rounds and bids; 404 otherwise."""
    partner = _partner(request)
    invitation = get_partner_object(
        request,
        supplier_selectors.invitations_of(request.user, partner).select_related(
            "rfq", "rfq__company", "rfq__created_by", "supplier"
        ),
        invitation_id,
    )
    return supplier_selectors.annotate_invitation(invitation)


def _lines(rfq: Rfq) -> list[Any]:
    return list(rfq.lines.select_related("item", "item__category", "unit", "site").order_by("position"))


def _require_bidder(request, invitation: Invitation) -> None:
    """403 for a colleague who sees the RFQ but may not bid (finance, logistics …)."""
    if not may_bid(request.user, invitation.supplier_id):
        raise PermissionDenied


def _serve_document(document) -> FileResponse:
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        logger.error("document %s: file %s is missing from storage", document.uuid, document.file.name)
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _bytes_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment_disposition(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename)


# --- inbox and detail --------------------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    """The partner's invitations with their deadlines, countdowns and where its bid stands (constant queries)."""
    partner = _partner(request)
    rows = supplier_selectors.inbox_rows(request.user, partner)
    now = timezone.now()
    for row in rows:
        row.countdown = supplier_selectors.countdown(row.deadline, now) if row.is_open else ""
        row.status_label = supplier_selectors.status_label(row)
        row.status_badge = supplier_selectors.STATUS_BADGES[row.my_status]
    return render(
        request,
        "sourcing/supplier/inbox.html",
        {
            "partner": partner,
            # the open ones by how soon they close; the others newest first
            "open_rows": sorted((row for row in rows if row.is_open), key=lambda row: row.deadline),
            "other_rows": [row for row in rows if not row.is_open],
        },
    )


def _detail_context(request, invitation: Invitation, **forms: Any) -> dict[str, Any]:
    rfq = invitation.rfq
    bids = supplier_selectors.my_bids(invitation)
    for bid in bids:
        bid.rank = supplier_selectors.my_rank(bid) if rfq.show_rank else None
    answered = list(Question.objects.filter(rfq=rfq).exclude(answer="").order_by("answered_at", "id"))
    mine_open = list(
        Question.objects.visible_to(request.user)
        .filter(rfq=rfq, invitation=invitation, answer="")
        .order_by("asked_at", "id")
    )
    letters = list(
        AwardLetter.objects.visible_to(request.user)
        .filter(invitation=invitation, award__status=AwardStatus.APPROVED, document__isnull=False)
        .select_related("document")
        .order_by("-created_at")
    )
    can_bid = may_bid(request.user, invitation.supplier_id)
    invitation.countdown = supplier_selectors.countdown(invitation.deadline) if invitation.is_open else ""
    invitation.status_label = supplier_selectors.status_label(invitation)
    invitation.status_badge = supplier_selectors.STATUS_BADGES[invitation.my_status]
    return {
        "partner": invitation.supplier,
        "invitation": invitation,
        "rfq": rfq,
        "lines": _lines(rfq),
        "documents": list(rfq.attachments.select_related("document").order_by("id")),
        "amendments": list(rfq.amendments.order_by("version")),
        "answered_questions": answered,
        "my_open_questions": mine_open,
        "bids": bids,
        "letters": letters,
        "can_bid": can_bid,
        "may_act": can_bid and invitation.is_open and invitation.my_status != supplier_selectors.DECLINED,
        "question_form": forms.get("question_form") or QuestionForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "open_decline": "decline_form" in forms,
    }


@login_required
@require_GET
def rfq_detail(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    return render(request, "sourcing/supplier/detail.html", _detail_context(request, invitation))


@login_required
@require_GET
def rfq_document(request, invitation_id, document_id):
    """An RFQ document, for an invited supplier of that RFQ."""
    invitation = _invitation(request, invitation_id)
    attachment = (
        RfqAttachment.objects.filter(rfq=invitation.rfq, document__uuid=document_id).select_related("document").first()
    )
    if attachment is None:
        raise Http404
    return _serve_document(attachment.document)


@login_required
@require_GET
def award_letter(request, invitation_id, letter_id):
    """The award letter or regret notice of this invitation (an approved award's)."""
    invitation = _invitation(request, invitation_id)
    letter = get_object_for_user(
        AwardLetter.objects.filter(invitation=invitation, award__status=AwardStatus.APPROVED).select_related(
            "document"
        ),
        request.user,
        letter_id,
    )
    if letter.document is None:
        raise Http404
    return _serve_document(letter.document)


@login_required
@require_POST
def question_create(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question_ask(user=request.user, invitation=invitation, text=form.cleaned_data["text"], request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your question was sent to the buyer. The answer will appear on this page."))
        return redirect("sourcing:rfq_detail", invitation_id=invitation.uuid)
    context = _detail_context(request, invitation, question_form=form)
    return render(request, "sourcing/supplier/detail.html", context, status=400)


@login_required
@require_POST
def decline(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            bidding.invitation_decline(
                user=request.user, invitation=invitation, reason=form.cleaned_data["reason"], request=request
            )
        except DomainError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("reason", error.messages))
        else:
            messages.success(request, _("You declined this RFQ. The buyer was told your reason."))
            return redirect("sourcing:rfq_detail", invitation_id=invitation.uuid)
        if not form.errors:
            return redirect("sourcing:rfq_detail", invitation_id=invitation.uuid)
    context = _detail_context(request, invitation, decline_form=form)
    return render(request, "sourcing/supplier/detail.html", context, status=400)


# --- the bid form ------------------------------------------------------------------------------------------------


def _current_content(request, bid: Bid | None) -> BidContent | None:
    """What the form starts from: the saved draft when newer than the last submission, else that submission."""
    if bid is None:
        return None
    has_draft = bool(bid.draft_sealed) and bid.draft_saved_at is not None
    if has_draft and (bid.current is None or bid.draft_saved_at >= bid.current.submitted_at):
        return bidding.bid_draft_content(user=request.user, bid=bid)
    if bid.current is not None and bid.status == BidStatus.SUBMITTED:
        return bidding.submission_content(user=request.user, submission=bid.current)
    if has_draft:
        return bidding.bid_draft_content(user=request.user, bid=bid)
    return None


def _earlier_round_content(request, invitation: Invitation) -> BidContent | None:
    """A later round (best and final offer) starts from the supplier's last submission of an earlier round."""
    round = invitation.supplier_round
    if round is None or round.number == 1:
        return None
    earlier = (
        Bid.objects.filter(invitation=invitation, round__number__lt=round.number, current__isnull=False)
        .select_related("round__rfq", "current")
        .order_by("-round__number")
        .first()
    )
    if earlier is None:
        return None
    return bidding.submission_content(user=request.user, submission=earlier.current)


def _attachments(bid: Bid | None) -> list[dict[str, Any]]:
    """The envelopes' files of the bid, with their names (unsealed for their own supplier)."""
    if bid is None:
        return []
    files = []
    for attachment in bid.attachments.filter(removed_at__isnull=True).order_by("id"):
        name, _content_type, _content = bidding.unseal_attachment(attachment)
        files.append({"attachment": attachment, "name": name})
    return files


def _read_only_reason(invitation: Invitation) -> str:
    if invitation.my_status == supplier_selectors.DECLINED:
        return _("You declined this RFQ, so you cannot bid on it.")
    if invitation.phase == "closed":
        return _("The deadline for bids has passed. Your bid can no longer be changed.")
    if invitation.phase in ("opened", "awarded"):
        return _("The bids of this round were opened. Your bid can no longer be changed.")
    if invitation.phase == "cancelled":
        return _("This RFQ was cancelled.")
    if not invitation.is_open:
        return _("This RFQ does not take bids.")
    return ""


def _render_bid(request, invitation: Invitation, *, entries=None, comment=None, errors=None, status=200, **forms):
    bid = invitation.my_bid
    if bid is not None:
        bid = Bid.objects.select_related("round__rfq", "current").get(pk=bid.pk)
    lines = _lines(invitation.rfq)
    if entries is None:
        content = _current_content(request, bid)
        if content is None and bid is None:
            content = _earlier_round_content(request, invitation)
        entries = entries_from_content(lines, content)
        comment = content.comment if content else ""
    reason = _read_only_reason(invitation)
    invitation.countdown = supplier_selectors.countdown(invitation.deadline) if invitation.is_open else ""
    invitation.status_label = supplier_selectors.status_label(invitation)
    invitation.status_badge = supplier_selectors.STATUS_BADGES[invitation.my_status]
    return render(
        request,
        "sourcing/supplier/bid.html",
        {
            "partner": invitation.supplier,
            "invitation": invitation,
            "rfq": invitation.rfq,
            "bid": bid,
            "entries": entries,
            "comment": comment or "",
            "errors": errors or [],
            "has_field_errors": any(entry.main.has_errors or entry.alternative.has_errors for entry in entries),
            "read_only": bool(reason),
            "read_only_reason": reason,
            "tax_rates": TAX_RATES,
            "invoice_types": InvoiceType.choices,
            "attachments": _attachments(bid),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            "xlsx_form": forms.get("xlsx_form") or XlsxUploadForm(),
            "may_withdraw": bid is not None and bid.status == BidStatus.SUBMITTED and not reason,
        },
        status=status,
    )


def _draft_rfq(rfq: Rfq) -> Rfq:
    """A draft may leave lines empty: parse it as if every line were optional."""
    relaxed = copy.copy(rfq)
    relaxed.all_lines_required = False
    return relaxed


@login_required
@require_http_methods(["GET", "POST"])
def bid_form(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    if request.method == "GET":
        return _render_bid(request, invitation)
    action = request.POST.get("action", "save")
    lines = _lines(invitation.rfq)
    entries = entries_from_post(lines, request.POST)
    comment = (request.POST.get("comment") or "").strip()
    try:
        content = bidding.parse_bid(
            invitation.rfq if action == "submit" else _draft_rfq(invitation.rfq), rows_of(entries), comment
        )
    except ValidationError as error:
        general = attach_errors(entries, error.message_dict)
        if error.message_dict.get("comment"):
            general.extend(error.message_dict["comment"])
        return _render_bid(request, invitation, entries=entries, comment=comment, errors=general, status=400)
    try:
        if action == "submit":
            submission = bidding.bid_submit(user=request.user, invitation=invitation, content=content, request=request)
        else:
            bidding.bid_save_draft(user=request.user, invitation=invitation, content=content, request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return _render_bid(request, _invitation(request, invitation_id), entries=entries, comment=comment, status=400)
    if action == "submit":
        messages.success(
            request,
            _("Your bid was submitted (version %(version)s). Keep the receipt: its commitment proves what you sent.")
            % {"version": submission.version},
        )
        return redirect("sourcing:receipt", invitation_id=invitation.uuid, submission_id=submission.uuid)
    messages.success(request, _("Your draft was saved. It is not a bid until you submit it."))
    return redirect("sourcing:bid", invitation_id=invitation.uuid)


@login_required
@require_POST
def bid_withdraw(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    try:
        bidding.bid_withdraw(user=request.user, invitation=invitation, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your bid was withdrawn. You may submit again until the deadline."))
    return redirect("sourcing:rfq_detail", invitation_id=invitation.uuid)


@login_required
@require_POST
def attachment_add(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            bidding.bid_attachment_add(
                user=request.user,
                invitation=invitation,
                envelope=form.cleaned_data["envelope"],
                uploaded_file=form.cleaned_data["file"],
                request=request,
            )
        except DomainError as error:
            form.add_error("file", error.message)
        except ValidationError as error:
            form.add_error("envelope", error.messages)
        else:
            messages.success(
                request, _("The file was added to the envelope. It becomes part of your bid when you submit.")
            )
            return redirect("sourcing:bid", invitation_id=invitation.uuid)
    return _render_bid(request, invitation, attachment_form=form, status=400)


def _own_attachment(request, invitation: Invitation, attachment_id) -> BidAttachment:
    return get_object_for_user(
        BidAttachment.objects.filter(bid__invitation=invitation, bid__supplier=invitation.supplier).select_related(
            "bid__round__rfq", "bid__invitation"
        ),
        request.user,
        attachment_id,
    )


@login_required
@require_POST
def attachment_remove(request, invitation_id, attachment_id):
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    attachment = _own_attachment(request, invitation, attachment_id)
    try:
        bidding.bid_attachment_remove(user=request.user, attachment=attachment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The file was removed from the envelope."))
    return redirect("sourcing:bid", invitation_id=invitation.uuid)


@login_required
@require_GET
def attachment_download(request, invitation_id, attachment_id):
    invitation = _invitation(request, invitation_id)
    attachment = _own_attachment(request, invitation, attachment_id)
    name, content_type, content = bidding.bid_attachment_open(user=request.user, attachment=attachment)
    return _bytes_response(content, filename=name, content_type=content_type)


# --- XLSX ----------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def bid_xlsx_download(request, invitation_id):
    """The lines as a workbook to fill offline, pre-filled with the current draft or submission."""
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    bid = invitation.my_bid
    content = _current_content(request, bid) if bid is not None else None
    workbook = bid_xlsx.lines_workbook(invitation.rfq, _lines(invitation.rfq), content)
    return _bytes_response(workbook, filename=f"{invitation.rfq.number}-bid.xlsx", content_type=bid_xlsx.CONTENT_TYPE)


@login_required
@require_POST
def bid_xlsx_upload(request, invitation_id):
    """A filled workbook back: checked cell by cell and saved as a draft for review; nothing saved on any error."""
    invitation = _invitation(request, invitation_id)
    _require_bidder(request, invitation)
    form = XlsxUploadForm(request.POST, request.FILES)
    if form.is_valid():
        lines = _lines(invitation.rfq)
        try:
            rows = bid_xlsx.read_rows(form.cleaned_data["file"], lines)
            previous = _current_content(request, invitation.my_bid)
            content = bid_xlsx.parse_rows(invitation.rfq, rows, comment=previous.comment if previous else "")
            bidding.bid_save_draft(user=request.user, invitation=invitation, content=content, request=request)
        except bid_xlsx.XlsxErrors as error:
            for message in error.messages:
                form.add_error("file", message)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request,
                _("The file was read and saved as a draft. Check the prices below, then submit your bid."),
            )
            return redirect("sourcing:bid", invitation_id=invitation.uuid)
    return _render_bid(request, invitation, xlsx_form=form, status=400)


# --- receipts ------------------------------------------------------------------------------------------------------


def _submission(request, invitation: Invitation, submission_id) -> BidSubmission:
    return get_object_for_user(
        BidSubmission.objects.filter(bid__invitation=invitation, bid__supplier=invitation.supplier).select_related(
            "bid__round", "submitted_by"
        ),
        request.user,
        submission_id,
    )


def _receipt_context(request, invitation: Invitation, submission: BidSubmission) -> dict[str, Any]:
    content = bidding.submission_content(user=request.user, submission=submission)
    lines = {str(line.uuid): line for line in _lines(invitation.rfq)}
    rows = []
    for row in content.rows:
        line = lines.get(row.line)
        if line is None:
            continue
        rows.append(
            {
                "line": line,
                "offer": row,
                "invoice_type": InvoiceType.label(row.invoice_type),
                "net_total": line.quantity * row.unit_price,
                "gross_total": line.quantity * row.gross_unit_price,
            }
        )
    return {
        "partner": invitation.supplier,
        "invitation": invitation,
        "rfq": invitation.rfq,
        "submission": submission,
        "submitted_utc": submission.submitted_at.astimezone(UTC),
        "rows": rows,
        "comment": content.comment,
        "attachment_count": len(content.attachments),
        "attachments": content.attachments,
        "zone": timezone.get_current_timezone_name(),
    }


@login_required
@require_GET
def receipt(request, invitation_id, submission_id):
    invitation = _invitation(request, invitation_id)
    submission = _submission(request, invitation, submission_id)
    return render(request, "sourcing/supplier/receipt.html", _receipt_context(request, invitation, submission))


@login_required
@require_GET
def receipt_pdf(request, invitation_id, submission_id):
    """The receipt as a PDF, rendered for this supplier on each request (never stored: it shows the prices)."""
    invitation = _invitation(request, invitation_id)
    submission = _submission(request, invitation, submission_id)
    pdf = render_pdf(
        "sourcing/pdf/receipt.html", _receipt_context(request, invitation, submission), language=get_language()
    )
    return _bytes_response(
        pdf,
        filename=f"{invitation.rfq.number}-receipt-v{submission.version}.pdf",
        content_type="application/pdf",
    )


# --- public tenders ------------------------------------------------------------------------------------------------


def _tender(rfq_id) -> Rfq:
    """A public RFQ that was published (any phase after it); 404 for everything else, whoever asks."""
    try:
        return (
            Rfq.objects.select_related("company")
            .filter(is_public=True)
            .exclude(status__in=(RfqStatus.DRAFT, RfqStatus.CANCELLED))
            .get(uuid=rfq_id)
        )
    except (Rfq.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404 from error


def _tender_categories(rfqs: list[Rfq]) -> None:
    for rfq in rfqs:
        seen: dict[int, Any] = {}
        for line in rfq.lines.all():
            if line.item_id and line.item.category_id not in seen:
                seen[line.item.category_id] = line.item.category
        rfq.categories = list(seen.values())


@require_GET
def tender_list(request):
    """Published public tenders still taking bids: company, title, categories, deadline. Anonymous allowed."""
    rfqs = list(
        supplier_selectors.public_tenders()
        .select_related("company")
        .prefetch_related(
            Prefetch("lines", queryset=RfqLine.objects.select_related("item__category").order_by("position"))
        )
        .order_by("deadline", "id")
    )
    _tender_categories(rfqs)
    now = timezone.now()
    for rfq in rfqs:
        rfq.countdown = supplier_selectors.countdown(rfq.deadline, now)
    return render(request, "sourcing/tenders/list.html", {"tenders": rfqs})


def _tender_context(request, rfq: Rfq) -> dict[str, Any]:
    lines = _lines(rfq)
    first_round = rfq.rounds.filter(number=1).first()
    later = rfq.rounds.filter(number__gt=1).exists()
    deadline = first_round.deadline if first_round else None
    is_open = (
        rfq.status == RfqStatus.PUBLISHED
        and first_round is not None
        and first_round.status == RoundStatus.OPEN
        and not later
        and timezone.now() < deadline
    )
    context: dict[str, Any] = {
        "rfq": rfq,
        "lines": lines,
        "deadline": deadline,
        "is_open": is_open,
        "countdown": supplier_selectors.countdown(deadline) if is_open else "",
        "categories": list({line.item.category_id: line.item.category for line in lines if line.item_id}.values()),
    }
    membership = request.membership if request.user.is_authenticated else None
    if membership and membership.partner.is_supplier:
        partner = membership.partner
        context["partner"] = partner
        context["may_join"] = scope_of(request.user).has_partner_role(partner.pk, PartnerRole.ADMIN, PartnerRole.SALES)
        context["my_invitation"] = supplier_selectors.invitations_of(request.user, partner).filter(rfq=rfq).first()
    return context


@require_GET
def tender_detail(request, rfq_id):
    rfq = _tender(rfq_id)
    return render(request, "sourcing/tenders/detail.html", _tender_context(request, rfq))


@login_required
@require_POST
def tender_join_view(request, rfq_id):
    """An approved supplier of every line's category asks to join; it is invited and goes straight to the bid."""
    partner = _partner(request)
    rfq = _tender(rfq_id)
    if not may_bid(request.user, partner):
        raise PermissionDenied
    try:
        invitation = tender_join(user=request.user, rfq=rfq, partner=partner, request=request)
    except TenderRefused as error:
        context = _tender_context(request, rfq)
        context["refusal"] = error
        return render(request, "sourcing/tenders/detail.html", context, status=400)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("tenders:detail", rfq_id=rfq.uuid)
    messages.success(request, _("You joined the tender. Enter your bid below."))
    return redirect(reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid}))
