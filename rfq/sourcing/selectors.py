"""Reads of sourcing shared by the buyer's and the supplier's screens."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, InvitationStatus, Rfq, RfqStatus, Round, RoundStatus

DRAFT, OPEN, CLOSED, OPENED, AWARDED, CANCELLED = "draft", "open", "closed", "opened", "awarded", "cancelled"


def rounds_of(rfq: Rfq) -> QuerySet[Round]:
    return rfq.rounds.order_by("number")


def current_round(rfq: Rfq) -> Round | None:
    return rfq.rounds.order_by("-number").first()


def rfq_phase(rfq: Rfq, now: datetime | None = None, *, round: Round | None = None) -> str:
    """Where the RFQ stands, with the clock read now: a published RFQ whose current round's deadline has passed is
    "closed" (awaiting opening) whether or not any task ran. Pass `round` when already loaded."""
    if rfq.status in (RfqStatus.DRAFT, RfqStatus.AWARDED, RfqStatus.CANCELLED):
        return rfq.status
    round = round or current_round(rfq)
    if round is None:
        return DRAFT
    if round.status == RoundStatus.OPENED:
        return OPENED
    return OPEN if (now or timezone.now()) < round.deadline else CLOSED


def takes_part(invitation: Invitation, round: Round) -> bool:
    """Round 1 is every live invitation's; a later round only its chosen participants'."""
    if invitation.status == InvitationStatus.REMOVED:
        return False
    if round.number == 1:
        return True
    return round.participants.filter(pk=invitation.pk).exists()


def supplier_round(invitation: Invitation) -> Round | None:
    """The latest round this invitation takes part in (the one its bid form is for)."""
    if invitation.status == InvitationStatus.REMOVED:
        return None
    rounds = invitation.rfq.rounds.order_by("-number")
    later = rounds.filter(number__gt=1, participants=invitation).first()
    return later or rounds.filter(number=1).first()


def supplier_rfq_url(invitation: Invitation, *, bid_form: bool = False) -> str:
    """Where a supplier's notification leads: its page of the RFQ, or straight to the bid form."""
    return reverse("sourcing:bid" if bid_form else "sourcing:rfq_detail", kwargs={"invitation_id": invitation.uuid})
