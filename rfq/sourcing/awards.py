"""Awards (定标): per line one or more suppliers with a quantity split, approval above the company's threshold,
award letters and regret notices, and `award.approved` for the ERP.

Choices written down here:
- An award is built on the latest opened round; each allocation names an offer of that round (a supplier's main
  offer for the line, or its alternative). The quantities of a line add up to the line's quantity exactly; a line
  may be left out (not awarded this time), but an award has at least one line.
- "Best score" of a line: the best per-line weighted score among the suppliers that quoted it (price and delivery
  measured on that line, quality from the AVL; rfq.sourcing.comparison). Awarding a line (or part of it) to any
  other supplier, or to an alternative offer, needs a written reason on that allocation.
- The award's value is net (before VAT) in the company currency at the comparison's rate; without a rate there is
  no award (the ERP must send one first). Above SourcingPolicy.award_approval_threshold (the model's default when
  the company has no policy row) it waits for a sourcing manager; at or below it is approved on submission.
- The approver is a sourcing manager of the company other than the award's creator (four eyes; a company with a
  single sourcing manager needs a group-wide one). Sending an award back may be done by any sourcing manager,
  its creator included (withdrawing one's own proposal hurts nobody).
- On approval: the RFQ becomes "awarded"; each supplier with a current bid in the round gets one AwardLetter row
  (winner or regret) in the approval's transaction, and its PDF is rendered after the commit
  (rfq.sourcing.award_letters, idempotent: a retry stores nothing twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import celery_app
from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.models import Membership, PartnerRole, StaffRole, StaffRoleName

from . import notifications as kinds
from .access import may_approve_award, may_manage_rfq
from .award_letters import award_letters_render_by_id
from .comparison import Matrix, comparison_matrix, money
from .models import (
    Award,
    AwardLetter,
    AwardLine,
    AwardStatus,
    Bid,
    BidStatus,
    Invitation,
    InvitationStatus,
    Rfq,
    RfqLine,
    RfqStatus,
    RoundStatus,
    SourcingPolicy,
)
from .payloads import award_payload
from .selectors import supplier_rfq_url

TOPIC_AWARD_APPROVED = "award.approved"
# rfq/sourcing/tasks.py registers it (calling award_letters.award_letters_render_by_id)
LETTERS_TASK = "rfq.sourcing.tasks.award_letters_render"

# The award's states and who moves it: the buyer submits a draft (→ pending above the threshold, else approved);
# a sourcing manager approves or sends back a pending one. Approved and rejected are final (a new award follows a
# rejected one).
TRANSITIONS: dict[str, frozenset[str]] = {
    AwardStatus.DRAFT: frozenset({AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED}),
    AwardStatus.PENDING_APPROVAL: frozenset({AwardStatus.APPROVED, AwardStatus.REJECTED}),
    AwardStatus.APPROVED: frozenset(),
    AwardStatus.REJECTED: frozenset(),
}
SUPPLIER_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)
QUANTITY_PLACES = 4  # AwardLine.quantity's decimal places


@dataclass(frozen=True)
class Allocation:
    rfq_line: RfqLine
    invitation: Invitation
    quantity: Decimal
    reason: str = ""
    alternative: bool = False

    @property
    def key(self) -> str:
        return allocation_key(self.rfq_line, self.invitation, self.alternative)


def allocation_key(rfq_line: Any, invitation: Any, alternative: bool = False) -> str:
    """How an allocation is named in a ValidationError's message_dict (and in the award form): "<line uuid>.<invitation
    uuid>[.alt]", followed by ".quantity" or ".reason"; a line's own errors are keyed by the line's uuid."""
    return f"{rfq_line.uuid}.{invitation.uuid}" + (".alt" if alternative else "")


def _allocation(value: Allocation | dict) -> Allocation:
    if isinstance(value, Allocation):
        return value
    return Allocation(
        rfq_line=value["rfq_line"],
        invitation=value["invitation"],
        quantity=value["quantity"],
        reason=(value.get("reason") or "").strip(),
        alternative=bool(value.get("alternative", False)),
    )


def approval_threshold(company: Any) -> Decimal:
    """The company's threshold, or the model's default when the company has no policy."""
    threshold = SourcingPolicy.objects.filter(company=company).values_list("award_approval_threshold", flat=True)
    found = threshold.first()
    if found is None:
        return Decimal(SourcingPolicy._meta.get_field("award_approval_threshold").default)
    return found


# --- helpers ---------------------------------------------------------------------------------------------------


def _lock_rfq(rfq: Rfq) -> Rfq:
    return Rfq.objects.select_for_update(of=("self",)).select_related("company").get(pk=rfq.pk)


def _lock_award(award: Award) -> Award:
    return Award.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=award.pk)


def _set_status(award: Award, new_status: str, **fields: Any) -> None:
    if new_status not in TRANSITIONS[award.status]:
        raise DomainError(
            _("An award that is “%(status)s” cannot become “%(new)s”.")
            % {"status": award.get_status_display(), "new": AwardStatus(new_status).label}
        )
    updated = Award.objects.filter(pk=award.pk, status=award.status).update(status=new_status, **fields)
    if updated != 1:
        raise DomainError(_("This award was changed by someone else meanwhile. Reload the page."))
    award.status = new_status
    for name, value in fields.items():
        setattr(award, name, value)


def _require_opened(rfq: Rfq) -> None:
    if rfq.status != RfqStatus.OPENED:
        raise DomainError(
            _("Only an opened RFQ can be awarded; this one is “%(status)s”.") % {"status": rfq.get_status_display()}
        )


def _require_latest_round(award: Award, rfq: Rfq) -> None:
    """An award stands on the round it was made from; once a later round is opened it must be made again."""
    award_round = award.lines.values_list("opened_line__submission__bid__round__number", flat=True).first()
    latest = rfq.rounds.filter(status=RoundStatus.OPENED).order_by("-number").values_list("number", flat=True).first()
    if award_round != latest:
        raise DomainError(
            _("Round %(round)s was opened after this award was made: make the award again from its comparison.")
            % {"round": latest}
        )


def _managers(company: Any, *, exclude: Any = None) -> list[Any]:
    roles = (
        StaffRole.objects.filter(role=StaffRoleName.SOURCING_MANAGER, user__is_active=True)
        .filter(Q(company=company) | Q(company__isnull=True))
        .select_related("user")
        .order_by("user_id")
    )
    return [role.user for role in roles if exclude is None or role.user_id != exclude.pk]


def _supplier_people(partner_ids: Iterable[int]) -> dict[int, list[Any]]:
    people: dict[int, list[Any]] = defaultdict(list)
    memberships = Membership.objects.filter(partner_id__in=list(partner_ids), is_active=True, user__is_active=True)
    for membership in memberships.select_related("user").order_by("user_id"):
        if any(role in (membership.roles or []) for role in SUPPLIER_ROLES):
            people[membership.partner_id].append(membership.user)
    return people


def _actor_name(user: Any) -> str:
    return user.get_full_name() or user.email


def _params(rfq: Rfq, **extra: Any) -> dict[str, Any]:
    return {"rfq": rfq.number, "title": rfq.title, "company": rfq.company.name, **extra}


# --- creating ----------------------------------------------------------------------------------------------------


def award_validate(matrix: Matrix, allocations: list[Allocation]) -> dict[str, list[str]]:
    """Every problem of the allocations, keyed for the form (see allocation_key); empty when there is none."""
    errors: dict[str, list[str]] = defaultdict(list)
    rows = {row.line.pk: row for row in matrix.lines}
    if not allocations:
        errors["__all__"].append(_("Award at least one line: enter a quantity for a supplier."))
    seen: set[str] = set()
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for allocation in allocations:
        row = rows.get(allocation.rfq_line.pk)
        if row is None:
            errors["__all__"].append(_("A line of another RFQ cannot be awarded here."))
            continue
        key = allocation.key
        if key in seen:
            errors[f"{key}.quantity"].append(_("This offer is allocated twice."))
            continue
        seen.add(key)
        offers = row.alternatives if allocation.alternative else row.offers
        if allocation.invitation.pk not in offers:
            errors[f"{key}.quantity"].append(
                _("This supplier did not quote this line in round %(round)s.") % {"round": matrix.round.number}
            )
            continue
        if allocation.quantity is None or not allocation.quantity.is_finite() or allocation.quantity <= 0:
            errors[f"{key}.quantity"].append(_("Enter a quantity greater than zero."))
            continue
        if allocation.quantity.as_tuple().exponent < -QUANTITY_PLACES:
            errors[f"{key}.quantity"].append(_("Use at most four decimal places."))
            continue
        sums[row.line.pk] += allocation.quantity
        is_best = not allocation.alternative and allocation.invitation.pk in row.best_invitation_ids
        if not is_best and not allocation.reason:
            errors[f"{key}.reason"].append(
                _("This offer does not have the line's best score: give the reason for choosing it.")
                if not allocation.alternative
                else _("An alternative offer departs from the request: give the reason for choosing it.")
            )
    for line_pk, total in sums.items():
        line = rows[line_pk].line
        if total != line.quantity:
            errors[str(line.uuid)].append(
                _("The quantities add up to %(sum)s %(unit)s; the line asks for %(quantity)s %(unit)s.")
                % {"sum": _number(total), "quantity": _number(line.quantity), "unit": line.unit.code}
            )
    return dict(errors)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def award_create(
    *, user: Any, rfq: Rfq, allocations: list[Allocation | dict], reason: str = "", request: Any = None
) -> Award:
    """A draft award of the latest opened round; ValidationError (keyed per allocation) when the split is wrong."""
    if not may_manage_rfq(user, rfq.company):
        raise PermissionDenied
    wanted = [_allocation(value) for value in allocations]
    with transaction.atomic():
        rfq = _lock_rfq(rfq)
        _require_opened(rfq)
        try:
            matrix = comparison_matrix(rfq)
        except DomainError as error:
            raise DomainError(_("No round of this RFQ is opened yet.")) from error
        errors = award_validate(matrix, wanted)
        if errors:
            raise ValidationError(errors)
        if matrix.rate.is_missing:
            raise DomainError(
                _(
                    "There is no exchange rate from %(base)s to %(quote)s on or before %(day)s: the ERP must send "
                    "one before the award's value can be known."
                )
                % {"base": matrix.rate.base, "quote": matrix.rate.quote, "day": matrix.opening_day.isoformat()}
            )
        rows = {row.line.pk: row for row in matrix.lines}
        lines = []
        total = Decimal(0)
        for allocation in wanted:
            row = rows[allocation.rfq_line.pk]
            offer = (row.alternatives if allocation.alternative else row.offers)[allocation.invitation.pk]
            total += money(offer["unit_price"] * allocation.quantity * matrix.rate.rate)
            lines.append(
                AwardLine(
                    rfq_line=row.line,
                    invitation=allocation.invitation,
                    opened_line_id=offer["opened_line_id"],
                    quantity=allocation.quantity,
                    unit_price=offer["unit_price"],
                    reason=allocation.reason,
                )
            )
        award = Award.objects.create(
            rfq=rfq,
            status=AwardStatus.DRAFT,
            total=total,
            currency=matrix.rate.quote,
            reason=(reason or "").strip(),
            created_by=user,
        )
        for line in lines:
            line.award = award
        AwardLine.objects.bulk_create(lines)
        audit_record(
            actor=user,
            action="award.created",
            obj=award,
            company=rfq.company,
            after={"rfq": rfq.number, "round": matrix.round.number, "lines": len(lines), "status": award.status},
            request=request,
        )
    return award


# --- deciding ------------------------------------------------------------------------------------------------------


def award_submit(*, user: Any, award: Award, request: Any = None) -> Award:
    """Submit a draft: above the company's threshold it waits for a sourcing manager, else it is approved now."""
    if not may_manage_rfq(user, award.rfq.company):
        raise PermissionDenied
    with transaction.atomic():
        rfq = _lock_rfq(award.rfq)
        award = _lock_award(award)
        award.rfq = rfq
        if award.status != AwardStatus.DRAFT:
            raise DomainError(
                _("This award was already submitted (%(status)s).") % {"status": award.get_status_display()}
            )
        _require_opened(rfq)
        _require_latest_round(award, rfq)
        if Award.objects.filter(rfq=rfq, status__in=(AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED)).exists():
            raise DomainError(_("Another award of this RFQ is already waiting for approval or approved."))
        now = timezone.now()
        if award.total > approval_threshold(rfq.company):
            _set_status(award, AwardStatus.PENDING_APPROVAL, submitted_at=now)
            audit_record(
                actor=user,
                action="award.submitted",
                obj=award,
                company=rfq.company,
                before={"status": AwardStatus.DRAFT},
                after={"status": award.status},
                request=request,
            )
            notify(
                recipients=_managers(rfq.company, exclude=award.created_by),
                kind=kinds.AWARD_PENDING,
                params=_params(rfq, actor=_actor_name(user), amount=f"{award.total:,.2f} {award.currency}"),
                url=_award_url(award),
                company=rfq.company,
            )
            return award
        award.submitted_at = now
        _approve(rfq=rfq, award=award, approver=user, note="", request=request, fields={"submitted_at": now})
    return award


def award_approve(*, user: Any, award: Award, note: str = "", request: Any = None) -> Award:
    """A sourcing manager other than its creator approves a pending award."""
    if not may_approve_award(user, award.rfq.company):
        raise PermissionDenied
    with transaction.atomic():
        rfq = _lock_rfq(award.rfq)
        award = _lock_award(award)
        award.rfq = rfq
        if award.created_by_id == user.pk:
            raise DomainError(_("Another sourcing manager must approve an award you proposed yourself."))
        if award.status != AwardStatus.PENDING_APPROVAL:
            raise DomainError(
                _("Only an award awaiting approval can be approved; this one is “%(status)s”.")
                % {"status": award.get_status_display()}
            )
        _require_opened(rfq)
        _require_latest_round(award, rfq)
        _approve(rfq=rfq, award=award, approver=user, note=(note or "").strip(), request=request)
    return award


def award_reject(*, user: Any, award: Award, note: str, request: Any = None) -> Award:
    """A sourcing manager sends a pending award back with a reason; the buyer may propose another."""
    if not may_approve_award(user, award.rfq.company):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Give a reason: the buyer reads it.")]})
    with transaction.atomic():
        rfq = _lock_rfq(award.rfq)
        award = _lock_award(award)
        award.rfq = rfq
        if award.status != AwardStatus.PENDING_APPROVAL:
            raise DomainError(
                _("Only an award awaiting approval can be sent back; this one is “%(status)s”.")
                % {"status": award.get_status_display()}
            )
        _set_status(award, AwardStatus.REJECTED, decision_note=note)
        audit_record(
            actor=user,
            action="award.rejected",
            obj=award,
            company=rfq.company,
            before={"status": AwardStatus.PENDING_APPROVAL},
            after={"status": award.status, "note": note},
            request=request,
        )
        notify(
            recipients=[award.created_by],
            kind=kinds.AWARD_REJECTED,
            params=_params(rfq, actor=_actor_name(user), reason=note),
            url=_award_url(award),
            company=rfq.company,
        )
    return award


def _award_url(award: Award) -> str:
    return reverse("sourcing_admin:award_detail", kwargs={"award_id": award.uuid})


def _bidders(award: Award) -> list[Invitation]:
    """The invited suppliers with a current submitted bid in the round the award was made on."""
    round_id = award.lines.values_list("opened_line__submission__bid__round_id", flat=True).first()
    bids = (
        Bid.objects.filter(round_id=round_id, status=BidStatus.SUBMITTED, current__isnull=False)
        .exclude(invitation__status=InvitationStatus.REMOVED)
        .select_related("invitation__supplier")
        .order_by("invitation_id")
    )
    return [bid.invitation for bid in bids]


def _approve(*, rfq: Rfq, award: Award, approver: Any, note: str, request: Any, fields: dict | None = None) -> None:
    now = timezone.now()
    before = award.status
    _set_status(
        award, AwardStatus.APPROVED, approved_by=approver, approved_at=now, decision_note=note, **(fields or {})
    )
    if Rfq.objects.filter(pk=rfq.pk, status=RfqStatus.OPENED).update(status=RfqStatus.AWARDED, updated_at=now) != 1:
        raise DomainError(_("Only an opened RFQ can be awarded."))
    rfq.status = RfqStatus.AWARDED
    winners = set(award.lines.values_list("invitation_id", flat=True))
    bidders = _bidders(award)
    existing = set(AwardLetter.objects.filter(award=award).values_list("invitation_id", flat=True))
    AwardLetter.objects.bulk_create(
        AwardLetter(award=award, invitation=invitation, is_winner=invitation.pk in winners)
        for invitation in bidders
        if invitation.pk not in existing
    )
    audit_record(
        actor=approver,
        action="award.approved",
        obj=award,
        company=rfq.company,
        before={"status": before},
        after={"status": award.status, "winners": len(winners), "letters": len(bidders)},
        request=request,
    )
    emit(TOPIC_AWARD_APPROVED, award_payload(award), company=rfq.company, obj=award)
    people = _supplier_people(invitation.supplier_id for invitation in bidders)
    for invitation in bidders:
        notify(
            recipients=people.get(invitation.supplier_id, []),
            kind=kinds.AWARDED if invitation.pk in winners else kinds.REGRET,
            params=_params(rfq),
            url=supplier_rfq_url(invitation),
            partner=invitation.supplier,
            company=rfq.company,
        )
    # WeasyPrint takes a while per letter: render after the commit, outside the RFQ's lock, in a worker when the
    # task is registered. Idempotent: letters that already have their document are skipped, so a retry stores
    # nothing new.
    transaction.on_commit(lambda award_id=award.pk: _render_letters_later(award_id), robust=True)


def _render_letters_later(award_id: int) -> None:
    task = celery_app.tasks.get(LETTERS_TASK)
    if task is not None:
        task.delay(award_id)
    else:  # the task module does not offer it (yet): render here
        award_letters_render_by_id(award_id)
