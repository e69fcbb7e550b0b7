"""The opening ceremony (开标): after a round's deadline, two distinct sourcing managers of the RFQ's company each
open it right after using their second factor. The first signature waits; the second opens: every current
submission is decrypted, its commitment recomputed and compared, and the `OpenedBidLine` rows the comparison reads
are written. Both openers enter the audit log; the ERP hears `rfq.round_opened`; the bidders are told.

The RFQ row is taken FOR UPDATE: an opening waits for every submission still inside its FOR SHARE transaction,
so a bid that passed the deadline check is never left out."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.models import Membership, PartnerRole, StaffRole
from rfq.banking.reauth import second_factor_recently_used

from . import notifications as kinds
from . import sealing
from .access import SOURCING_MANAGER, may_open
from .bidding import (
    BidContent,
    canonical_submission,
    commitment_header,
    format_deadline,
    lock_rfq_for_update,
    submission_context,
    unseal_attachment,
)
from .models import (
    Bid,
    BidAttachment,
    BidStatus,
    OpenedBidLine,
    OpeningSignature,
    RfqStatus,
    Round,
    RoundStatus,
)
from .payloads import bid_status_payload, rfq_payload
from .selectors import supplier_rfq_url

OPENERS_NEEDED = 2


class ReauthenticationRequired(DomainError):
    """The opener must use their second factor again first (the view sends them to allauth's page)."""


def _other_sourcing_managers(rfq: Any, user: Any) -> list[Any]:
    roles = StaffRole.objects.filter(role=SOURCING_MANAGER, user__is_active=True).select_related("user")
    company_roles = roles.filter(company=rfq.company) | roles.filter(company__isnull=True)
    return [role.user for role in company_roles.order_by("user_id") if role.user_id != user.pk]


def round_open_sign(*, user: Any, round: Round, request: Any) -> Round:
    """Sign the opening of a round; the second distinct signature opens it. Returns the round (status tells)."""
    rfq = round.rfq
    if not may_open(user, rfq.company_id):
        raise PermissionDenied(_("Only sourcing managers of the company open bids."))
    if not second_factor_recently_used(request):
        raise ReauthenticationRequired(_("Confirm it is you with your second factor, then open the bids."))
    with transaction.atomic():
        rfq = lock_rfq_for_update(rfq.pk)
        round = Round.objects.select_for_update().get(pk=round.pk)
        now = timezone.now()
        if rfq.status == RfqStatus.CANCELLED:
            raise DomainError(_("This RFQ was cancelled."))
        if round.status == RoundStatus.OPENED:
            raise DomainError(_("This round was already opened."))
        if round.number != rfq.rounds.order_by("-number").values_list("number", flat=True).first():
            raise DomainError(_("Only the latest round can be opened."))
        if now < round.deadline:
            raise DomainError(
                _("The bids stay sealed until the deadline, %(deadline)s.")
                % {"deadline": format_deadline(round.deadline)}
            )
        if round.signatures.filter(user=user).exists():
            raise DomainError(_("You have already signed this opening. A second sourcing manager must open it too."))
        OpeningSignature.objects.create(round=round, user=user)
        audit_record(
            actor=user,
            action="rfq.opening_signed",
            obj=rfq,
            company=rfq.company,
            after={"round": round.number},
            request=request,
        )
        signers = [signature.user for signature in round.signatures.select_related("user").order_by("signed_at", "id")]
        if len(signers) < OPENERS_NEEDED:
            notify(
                recipients=_other_sourcing_managers(rfq, user),
                kind=kinds.OPENING_SIGNED,
                params={"rfq": rfq.number, "round": round.number, "actor": user.get_full_name() or user.email},
                company=rfq.company,
            )
            return round
        _open(rfq=rfq, round=round, signers=signers, now=now, request=request)
    return round


def _verify_attachments(submission_content: dict[str, Any], bid: Bid) -> bool:
    listed = submission_content.get("attachments", [])
    if not listed:
        return True
    stored = {str(item.uuid): item for item in BidAttachment.objects.filter(bid=bid).select_related("bid__round")}
    for entry in listed:
        attachment = stored.get(entry["id"])
        if attachment is None:
            return False
        _name, _type, content = unseal_attachment(attachment)
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            return False
    return True


def _open(*, rfq: Any, round: Round, signers: list[Any], now: Any, request: Any) -> None:
    key = sealing.round_key(rfq.uuid, round.number)
    bids = list(
        Bid.objects.filter(round=round, status=BidStatus.SUBMITTED, current__isnull=False)
        .select_related("current", "supplier", "invitation", "round__rfq")
        .order_by("id")
    )
    lines = {str(line.uuid): line for line in rfq.lines.all()}
    opened_rows: list[OpenedBidLine] = []
    results = []
    for bid in bids:
        submission = bid.current
        submission.bid = bid
        try:
            sealed = sealing.unseal_json(key, submission.sealed, context=submission_context(submission))
            header = commitment_header(
                rfq=rfq,
                round=round,
                supplier=bid.supplier,
                version=submission.version,
                rfq_version=submission.rfq_version,
            )
            verified = sealing.commitment_matches(
                canonical_submission(header, sealed["content"]), sealed["nonce"], submission.commitment
            ) and _verify_attachments(sealed["content"], bid)
        except (sealing.SealBroken, KeyError, ValueError):
            sealed, verified = None, False
        submission.commitment_verified = verified
        submission.save(update_fields=["commitment_verified"])
        current_version = submission.rfq_version == rfq.version
        results.append((bid, verified, current_version))
        if not verified or not current_version:
            # a broken seal or a bid on an older version of the RFQ that was never re-confirmed is not compared
            continue
        content = BidContent.from_dict(sealed["content"])
        for row in content.rows:
            line = lines.get(row.line)
            if line is None:
                continue
            opened_rows.append(
                OpenedBidLine(
                    submission=submission,
                    rfq_line=line,
                    is_alternative=row.alternative,
                    unit_price=row.unit_price,
                    tax_rate=row.tax_rate,
                    invoice_type=row.invoice_type,
                    lead_time_days=row.lead_time_days,
                    moq=row.moq,
                    price_valid_until=row.price_valid_until,
                    comment=row.comment,
                )
            )
    OpenedBidLine.objects.bulk_create(opened_rows, batch_size=1000)
    round.status = RoundStatus.OPENED
    round.opened_at = now
    round.save(update_fields=["status", "opened_at"])
    rfq.status = RfqStatus.OPENED
    rfq.save(update_fields=["status", "updated_at"])
    summary = {
        "round": round.number,
        "openers": [signer.email for signer in signers[:OPENERS_NEEDED]],
        "bids": len(bids),
        "verified": sum(1 for _bid, verified, _current in results if verified),
        "not_reconfirmed": [bid.supplier.name for bid, _verified, current in results if not current],
        "broken_seals": [bid.supplier.name for bid, verified, _current in results if not verified],
    }
    audit_record(
        actor=signers[-1], action="rfq.round_opened", obj=rfq, company=rfq.company, after=summary, request=request
    )
    emit(
        "rfq.round_opened",
        {
            **rfq_payload(rfq),
            "opened_round": round.number,
            "opened_at": now,
            "openers": summary["openers"],
            "bids": [bid_status_payload(bid) for bid, _verified, _current in results],
        },
        company=rfq.company,
        obj=rfq,
    )
    memberships = Membership.objects.filter(
        partner_id__in=[bid.supplier_id for bid in bids], is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        if not {PartnerRole.ADMIN, PartnerRole.SALES} & set(membership.roles or ()):
            continue
        invitation = next(bid.invitation for bid in bids if bid.supplier_id == membership.partner_id)
        notify(
            recipients=[membership.user],
            kind=kinds.ROUND_OPENED,
            params={
                "rfq": rfq.number,
                "title": rfq.title,
                "round": round.number,
            },
            url=supplier_rfq_url(invitation),
            partner=membership.partner,
        )
