"""Reads of the supplier's side of sourcing: the partner's invitations, where its bid stands, its rank after an
opening. Every read starts from the access layer (`visible_to`) narrowed to the partner the person acts for; none
ever counts or names the other invited suppliers (PRC Bidding Law art. 22)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    Bid,
    BidStatus,
    BidSubmission,
    Invitation,
    InvitationStatus,
    OpenedBidLine,
    Rfq,
    RfqStatus,
    Round,
    RoundStatus,
)
from .selectors import rfq_phase

# What a supplier ever sees of an RFQ: never a draft or a cancelled one's invitation list.
SUPPLIER_VISIBLE_STATUSES = (RfqStatus.PUBLISHED, RfqStatus.CLOSED, RfqStatus.OPENED, RfqStatus.AWARDED)

# My status on an invitation (the inbox's and the detail page's badge)
NOT_STARTED, DRAFT_SAVED, SUBMITTED, DECLINED, WITHDRAWN, RECONFIRM = (
    "not_started",
    "draft_saved",
    "submitted",
    "declined",
    "withdrawn",
    "reconfirm",
)


def invitations_of(user: Any, partner: Any):
    """The partner's live invitations to RFQs that suppliers may see, newest first."""
    return (
        Invitation.objects.visible_to(user)
        .filter(supplier=partner, rfq__status__in=SUPPLIER_VISIBLE_STATUSES)
        .exclude(status=InvitationStatus.REMOVED)
    )


def inbox_rows(user: Any, partner: Any) -> list[Invitation]:
    """The inbox: each invitation with its round (`supplier_round`), its bid there (`my_bid`), status and phase.

    Four queries whatever the number of invitations: the invitations with their RFQ and company, the RFQs'
    rounds, the later rounds each invitation was chosen for, and the partner's bids."""
    invitations = list(
        invitations_of(user, partner)
        .select_related("rfq", "rfq__company")
        .prefetch_related(
            Prefetch("rfq__rounds", queryset=Round.objects.order_by("number")),
            Prefetch("rounds", queryset=Round.objects.only("pk", "number")),
            Prefetch("bids", queryset=Bid.objects.select_related("current").order_by("round_id")),
        )
        .order_by("-rfq__published_at", "-id")
    )
    now = timezone.now()
    for invitation in invitations:
        annotate_invitation(invitation, now=now)
    return invitations


def annotate_invitation(invitation: Invitation, *, now: datetime | None = None) -> Invitation:
    """Set `supplier_round`, `my_bid`, `my_status`, `phase` on an invitation whose rounds and bids are loaded (or
    loads them)."""
    now = now or timezone.now()
    rounds = list(invitation.rfq.rounds.all())
    chosen = {round.pk for round in invitation.rounds.all()}
    later = [round for round in rounds if round.number > 1 and round.pk in chosen]
    first = [round for round in rounds if round.number == 1]
    supplier_round = max(later, key=lambda round: round.number) if later else (first[0] if first else None)
    bids = {bid.round_id: bid for bid in invitation.bids.all()}
    bid = bids.get(supplier_round.pk) if supplier_round else None
    invitation.supplier_round = supplier_round
    invitation.my_bid = bid
    invitation.my_status = bid_status_of(invitation, bid)
    invitation.phase = rfq_phase(invitation.rfq, now, round=supplier_round) if supplier_round else "draft"
    invitation.deadline = supplier_round.deadline if supplier_round else None
    invitation.is_open = invitation.phase == "open"
    return invitation


def bid_status_of(invitation: Invitation, bid: Bid | None) -> str:
    if invitation.status == InvitationStatus.DECLINED or (bid is not None and bid.status == BidStatus.DECLINED):
        return DECLINED
    if bid is None:
        return NOT_STARTED
    if bid.status == BidStatus.WITHDRAWN:
        return WITHDRAWN
    if bid.status == BidStatus.SUBMITTED and bid.current is not None:
        if bid.current.rfq_version < invitation.rfq.version:
            return RECONFIRM
        return SUBMITTED
    if bid.draft_saved_at is not None:
        return DRAFT_SAVED
    return NOT_STARTED


STATUS_BADGES = {
    NOT_STARTED: "",
    DRAFT_SAVED: "badge-info",
    SUBMITTED: "badge-ok",
    DECLINED: "badge-danger",
    WITHDRAWN: "badge-warn",
    RECONFIRM: "badge-warn",
}


def status_label(invitation: Invitation) -> str:
    status = invitation.my_status
    if status == NOT_STARTED:
        return _("Not started")
    if status == DRAFT_SAVED:
        return _("Draft saved")
    if status == SUBMITTED:
        return _("Submitted v%(version)s") % {"version": invitation.my_bid.current.version}
    if status == DECLINED:
        return _("Declined")
    if status == WITHDRAWN:
        return _("Withdrawn")
    return _("Needs re-confirmation after an amendment")


def countdown(deadline: datetime | None, now: datetime | None = None) -> str:
    """ "closes in 2 days 4 h" (or "closed"), from the server's clock."""
    if deadline is None:
        return ""
    left = deadline - (now or timezone.now())
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return _("closed")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        if hours:
            text += " " + _("%(count)d h") % {"count": hours}
    elif hours:
        text = _("%(count)d h") % {"count": hours}
        if minutes:
            text += " " + _("%(count)d min") % {"count": minutes}
    else:
        text = _("%(count)d min") % {"count": max(minutes, 1)}
    return _("closes in %(time)s") % {"time": text}


def my_bids(invitation: Invitation) -> list[Bid]:
    """The partner's bids on this invitation, per round, each with its submissions (the version history)."""
    return list(
        Bid.objects.filter(invitation=invitation, supplier_id=invitation.supplier_id)
        .select_related("round", "current")
        .prefetch_related(Prefetch("submissions", queryset=BidSubmission.objects.order_by("version")))
        .order_by("round__number")
    )


def my_rank(bid: Bid) -> int | None:
    """The bid's rank among the round's opened bids by total net price (1 = lowest), or None. Only the rank:
    never the number of bids."""
    round = bid.round
    if round.status != RoundStatus.OPENED or bid.current_id is None or bid.status != BidStatus.SUBMITTED:
        return None
    current = Bid.objects.filter(round=round, status=BidStatus.SUBMITTED, current__isnull=False).values("current_id")
    line_total = ExpressionWrapper(
        F("unit_price") * F("rfq_line__quantity"), output_field=DecimalField(max_digits=40, decimal_places=8)
    )
    totals = dict(
        OpenedBidLine.objects.filter(submission_id__in=Subquery(current), is_alternative=False)
        .values("submission_id")
        .annotate(total=Sum(line_total))
        .values_list("submission_id", "total")
    )
    mine = totals.get(bid.current_id)
    if mine is None:
        return None
    return 1 + sum(1 for total in totals.values() if total < mine)


@dataclass(frozen=True)
class OpenInvitations:
    count: int
    nearest_deadline: datetime | None


def open_invitations(partner: Any, now: datetime | None = None) -> OpenInvitations:
    """The partner's invitations whose round still takes bids, and the nearest deadline: one query."""
    now = now or timezone.now()
    deadline = (
        Round.objects.filter(rfq=OuterRef("rfq"), status=RoundStatus.OPEN)
        .filter(Q(number=1) | Q(participants=OuterRef("pk")))
        .order_by("-number")
        .values("deadline")[:1]
    )
    summary = (
        Invitation.objects.filter(supplier=partner, status=InvitationStatus.INVITED, rfq__status=RfqStatus.PUBLISHED)
        .annotate(round_deadline=Subquery(deadline))
        .filter(round_deadline__gt=now)
        .aggregate(count=Count("pk"), nearest=Min("round_deadline"))
    )
    return OpenInvitations(count=summary["count"] or 0, nearest_deadline=summary["nearest"])


def public_tenders(now: datetime | None = None):
    """Published public RFQs whose first round still takes bids (a later round is for chosen suppliers only)."""
    now = now or timezone.now()
    open_round = Round.objects.filter(rfq=OuterRef("pk"), number=1, status=RoundStatus.OPEN).values("deadline")[:1]
    later = Round.objects.filter(rfq=OuterRef("pk"), number__gt=1).values("pk")[:1]
    return (
        Rfq.objects.filter(status=RfqStatus.PUBLISHED, is_public=True)
        .annotate(deadline=Subquery(open_round), later_round=Subquery(later))
        .filter(deadline__gt=now, later_round__isnull=True)
    )
