"""The supplier's writes that are not the bid itself: asking the buyer a question."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.notifications.services import notify

from . import notifications as kinds
from .access import may_bid
from .models import Invitation, InvitationStatus, Question, Rfq, RfqStatus

MAX_QUESTION_LENGTH = 2000


def question_ask(*, user: Any, invitation: Invitation, text: str, request: Any = None) -> Question:
    """An invited supplier asks about the RFQ; its buyer is told. The answer will go to every invited supplier,
    never saying who asked."""
    if not may_bid(user, invitation.supplier_id):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your question."))
    if len(text) > MAX_QUESTION_LENGTH:
        raise DomainError(_("Keep the question under 2000 characters."))
    with transaction.atomic():
        rfq = (
            Rfq.objects.select_for_update(of=("self",))
            .select_related("company", "created_by")
            .get(pk=invitation.rfq_id)
        )
        invitation = Invitation.objects.select_related("supplier").get(pk=invitation.pk)
        if invitation.status != InvitationStatus.INVITED:
            raise DomainError(_("You declined this RFQ, so you cannot ask about it."))
        if rfq.status != RfqStatus.PUBLISHED:
            raise DomainError(_("Questions can be asked only while the RFQ takes bids."))
        question = Question.objects.create(rfq=rfq, invitation=invitation, text=text, asked_by=user)
        # the question's text is not a price, but it is the supplier's words: the audit keeps the fact only
        audit_record(
            actor=user,
            action="rfq.question_asked",
            obj=question,
            partner=invitation.supplier,
            company=rfq.company,
            after={"rfq": rfq.number},
            request=request,
        )
        notify(
            recipients=[rfq.created_by],
            kind=kinds.QUESTION_ASKED,
            params={"supplier": invitation.supplier.name, "rfq": rfq.number, "title": rfq.title},
            url=_buyer_url(rfq),
            company=rfq.company,
        )
    return question


def _buyer_url(rfq: Rfq) -> str:
    """The RFQ in the back office, when the buyer's screens are installed."""
    try:
        return reverse("sourcing_admin:rfq_detail", kwargs={"rfq_id": rfq.uuid})
    except NoReverseMatch:
        return ""
