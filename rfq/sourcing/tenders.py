"""Public tenders (/tenders/): an approved supplier of the lines' categories asks to join and is invited at once.

Allowed when the AVL (`avl_decision`, for the RFQ's company, on the company's today) allows the supplier for every
category of the RFQ's item lines; free-text lines do not constrain. The invitation records the AVL's status and
reasons as an AVL invitation does, so the comparison shows them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.organisations.models import PartnerStatus
from rfq.avl.decision import avl_decision, company_today

from .access import may_bid
from .models import Invitation, InvitationSource, InvitationStatus, Rfq, RfqStatus, RoundStatus


class TenderRefused(DomainError):
    """The AVL does not allow the supplier for one or more of the tender's categories; `reasons` say why."""

    def __init__(self, message: str, reasons: list[str]):
        super().__init__(message)
        self.reasons = reasons


def tender_join(*, user: Any, rfq: Rfq, partner: Any, request: Any = None) -> Invitation:
    """Invite `partner` to the public tender `rfq` (its first round, before the deadline) if the AVL allows it for
    every line's category; returns the invitation (the existing one when the supplier is already invited)."""
    if not may_bid(user, partner):
        raise PermissionDenied
    if not partner.is_supplier or partner.status != PartnerStatus.APPROVED:
        raise DomainError(_("Only suppliers approved by the group may join a tender."))
    with transaction.atomic():
        rfq = Rfq.objects.select_for_update(of=("self",)).select_related("company").get(pk=rfq.pk)
        if not rfq.is_public or rfq.status != RfqStatus.PUBLISHED:
            raise DomainError(_("This tender does not take new suppliers."))
        rounds = list(rfq.rounds.order_by("number"))
        if len(rounds) != 1 or rounds[0].status != RoundStatus.OPEN or timezone.now() >= rounds[0].deadline:
            raise DomainError(_("This tender is closed to new suppliers."))
        existing = Invitation.objects.filter(rfq=rfq, supplier=partner).first()
        if existing is not None:
            if existing.status == InvitationStatus.REMOVED:
                raise DomainError(_("The buyer withdrew your invitation to this tender."))
            return existing
        categories = {}
        for line in rfq.lines.select_related("item__category").order_by("position"):
            if line.item_id:
                categories.setdefault(line.item.category_id, line.item.category)
        today = company_today(rfq.company)
        decisions = [
            (category, avl_decision(partner, rfq.company, category, today)) for category in categories.values()
        ]
        refused = [(category, decision) for category, decision in decisions if not decision.allowed]
        if refused:
            reasons = [
                f"{category.display_name}: {reason}" for category, decision in refused for reason in decision.reasons
            ]
            raise TenderRefused(
                _("You cannot join this tender yet: the approved vendor list does not allow it."), reasons
            )
        conditional = [decision for _category, decision in decisions if decision.conditional]
        try:
            invitation = Invitation.objects.create(
                rfq=rfq,
                supplier=partner,
                source=InvitationSource.TENDER,
                avl_status="conditional" if conditional else "approved",
                avl_reasons=[reason for _category, decision in decisions for reason in decision.reasons],
                invited_by=user,
            )
        except IntegrityError as error:  # a colleague joined at the same instant
            raise DomainError(_("Your company has just joined this tender. Open it from your RFQ inbox.")) from error
        audit_record(
            actor=user,
            action="rfq.tender_joined",
            obj=invitation,
            partner=partner,
            company=rfq.company,
            after={"rfq": rfq.number, "avl_status": invitation.avl_status},
            request=request,
        )
    return invitation
