"""The buyer's writes on RFQs: create (by hand, as a copy, from requisitions), edit a draft, attachments,
invitations (from the AVL, or despite it with a written reason), publish, amend, answer questions, start another
round, cancel; and the reminders before a deadline.

Every service is keyword-only, takes the acting user first, checks the role (rfq.sourcing.access), owns its
transaction, locks the RFQ row, and writes its audit event and outbox event in that transaction. Audit rows and
events never carry a bid's content (none is read here) nor the staff-only last and target prices.

States (RfqStatus) and who moves them:
- draft → published (rfq_publish) or cancelled (rfq_cancel)
- published → closed / opened (the opening, rfq.sourcing.opening) or cancelled
- closed → opened or cancelled
- opened → published (round_start: another round), awarded (the award) or cancelled
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.users.models import UserProfile

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.documents.services import document_store
from portal.integration.outbox import emit
from portal.notifications.kinds import register_kind
from portal.notifications.services import notify
from portal.organisations.models import Membership, PartnerRole, PartnerStatus
from rfq.avl.decision import avl_decision, avl_suppliers_for, company_today, status_label

from . import notifications as kinds
from .access import may_manage_rfq
from .models import (
    Amendment,
    Bid,
    BidStatus,
    Invitation,
    InvitationSource,
    InvitationStatus,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Rfq,
    RfqAttachment,
    RfqLine,
    RfqStatus,
    Round,
    RoundStatus,
)
from .payloads import rfq_payload
from .rfq_pdf import RFQ_PDF_KIND, plain, rfq_pdf_store
from .selectors import supplier_rfq_url

CANCELLED = "sourcing.cancelled"
register_kind(
    CANCELLED,
    title=gettext_lazy("%(rfq)s was cancelled"),
    body=gettext_lazy("%(company)s cancelled %(rfq)s “%(title)s”: %(reason)s"),
    group=kinds.GROUP,
)

TOPIC_PUBLISHED = "rfq.published"
TOPIC_AMENDED = "rfq.amended"
TOPIC_ROUND_STARTED = "rfq.round_started"
TOPIC_CANCELLED = "rfq.cancelled"

ATTACHMENT_KIND = "rfq_attachment"
NUMBER_ATTEMPTS = 20

TRANSITIONS: dict[str, set[str]] = {
    RfqStatus.DRAFT: {RfqStatus.PUBLISHED, RfqStatus.CANCELLED},
    RfqStatus.PUBLISHED: {RfqStatus.CLOSED, RfqStatus.OPENED, RfqStatus.CANCELLED},
    RfqStatus.CLOSED: {RfqStatus.OPENED, RfqStatus.CANCELLED},
    RfqStatus.OPENED: {RfqStatus.PUBLISHED, RfqStatus.AWARDED, RfqStatus.CANCELLED},
    RfqStatus.AWARDED: set(),
    RfqStatus.CANCELLED: set(),
}

# what the buyer edits on a draft (and the terms an amendment may change)
RFQ_FIELDS = (
    "title",
    "description",
    "currency",
    "payment_terms",
    "incoterm",
    "incoterm_place",
    "freight_paid_by",
    "weight_price",
    "weight_delivery",
    "weight_quality",
    "all_lines_required",
    "show_rank",
    "is_public",
)
AMENDABLE_FIELDS = ("description", "payment_terms", "incoterm", "incoterm_place", "freight_paid_by")
LINE_FIELDS = ("item", "description", "quantity", "unit", "need_by", "site", "last_price", "target_price")
# reminder stages before the deadline, latest last
REMINDER_STAGES = (("48h", dt.timedelta(hours=48)), ("4h", dt.timedelta(hours=4)))
BIDDER_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)


# --- helpers ---------------------------------------------------------------------------------------------------


def _require_role(user: Any, rfq_or_company: Any) -> None:
    company = getattr(rfq_or_company, "company", rfq_or_company)
    if not may_manage_rfq(user, company):
        raise PermissionDenied


def _lock(rfq: Rfq) -> Rfq:
    return Rfq.objects.select_for_update(of=("self",)).select_related("company").get(pk=rfq.pk)


def _transition(rfq: Rfq, new_status: str) -> None:
    if new_status not in TRANSITIONS[rfq.status]:
        raise DomainError(
            _("An RFQ that is “%(status)s” cannot become “%(new)s”.")
            % {"status": rfq.get_status_display(), "new": RfqStatus(new_status).label}
        )
    rfq.status = new_status


def _current_round(rfq: Rfq) -> Round | None:
    return rfq.rounds.order_by("-number").first()


def _check_deadline(deadline: dt.datetime, now: dt.datetime, field: str = "deadline") -> None:
    if deadline is None or timezone.is_naive(deadline):
        raise ValidationError({field: _("Give the deadline as a date and time.")})
    if deadline <= now:
        raise ValidationError({field: _("The deadline must be in the future.")})


def check_weights(fields: dict[str, Any]) -> None:
    """The scoring weights are percentages that add up to exactly 100."""
    total = sum(int(fields.get(name) or 0) for name in ("weight_price", "weight_delivery", "weight_quality"))
    if total != 100:
        raise ValidationError(
            {"weight_price": _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}}
        )


def _check_lines(company: Any, lines: list[dict[str, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        if line.get("item") is None and not (line.get("description") or "").strip():
            errors.setdefault("lines", []).append(
                _("Line %(number)s: choose an item or describe the service.") % {"number": index + 1}
            )
        if line.get("quantity") is None or line["quantity"] <= 0:
            errors.setdefault("lines", []).append(
                _("Line %(number)s: the quantity must be more than zero.") % {"number": index + 1}
            )
        site = line.get("site")
        if site is not None and site.company_id != company.pk:
            errors.setdefault("lines", []).append(
                _("Line %(number)s: the delivery site belongs to another company.") % {"number": index + 1}
            )
    if errors:
        raise ValidationError(errors)


def _write_lines(rfq: Rfq, lines: list[dict[str, Any]], requisition_lines: set[int] | None = None) -> None:
    """Insert the lines at positions 1..n. A line keeps its requisition line only when that is one of the RFQ's
    requisitions' (`requisition_lines`), never one named in a form for another company."""
    rows = []
    for position, line in enumerate(lines, start=1):
        source = line.get("requisition_line")
        source_id = source.pk if source is not None else line.get("requisition_line_id")
        if requisition_lines is not None and source_id not in requisition_lines:
            source_id = None
        rows.append(
            RfqLine(
                rfq=rfq,
                position=position,
                requisition_line_id=source_id,
                **{name: line.get(name) for name in LINE_FIELDS if name != "description"},
                description=(line.get("description") or "").strip(),
            )
        )
    RfqLine.objects.bulk_create(rows)


def _insert_numbered(rfq: Rfq) -> None:
    """Give the RFQ the next number of its company's year (RFQ-2026-00001) and insert it. Numbers are unique in
    the database: a concurrent insert of the same number fails inside a savepoint and we take the next one."""
    prefix = f"RFQ-{company_today(rfq.company).year}-"
    for _attempt in range(NUMBER_ATTEMPTS):
        last = (
            Rfq.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
        )
        sequence = int(last.removeprefix(prefix)) + 1 if last else 1
        rfq.number = f"{prefix}{sequence:05d}"
        try:
            with transaction.atomic():
                rfq.save(force_insert=True)
            return
        except IntegrityError:
            rfq.pk = None
            continue
    raise DomainError(_("Too many RFQs were created at the same moment. Try again."))


def _summary(rfq: Rfq) -> dict[str, Any]:
    """What the audit keeps of an RFQ's terms (no prices)."""
    return {name: getattr(rfq, name) for name in RFQ_FIELDS} | {"lines": rfq.lines.count()}


def bidders_of(partner_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The active admin and sales people of each supplier: who hears about its RFQs."""
    found: dict[int, list[Any]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(partner_id__in=list(partner_ids), is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        if any(role in (membership.roles or []) for role in BIDDER_ROLES):
            found[membership.partner_id].append(membership.user)
    return found


def _zones(users: list[Any]) -> dict[str, list[Any]]:
    """People grouped by the time zone they chose (the portal's by default)."""
    chosen = dict(
        UserProfile.objects.filter(user__in=[user.pk for user in users]).values_list("user_id", "current_time_zone")
    )
    grouped: dict[str, list[Any]] = defaultdict(list)
    for user in users:
        grouped[chosen.get(user.pk) or settings.TIME_ZONE].append(user)
    return grouped


def format_instant(instant: dt.datetime | None, zone_name: str) -> str:
    """An instant as people read it in their zone: "2026-12-01 17:00 (Asia/Shanghai)"."""
    if instant is None:
        return ""
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
        zone_name = settings.TIME_ZONE
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M} ({zone_name})"


BID_FORM_KINDS = frozenset({kinds.INVITED, kinds.NEW_ROUND, kinds.REMINDER})


def _notify_invitations(
    invitations: Iterable[Invitation], kind: str, params: dict[str, Any], deadline: dt.datetime | None
) -> None:
    """Tell each invited supplier's admin and sales people, with the deadline in each person's zone (each reads
    the text in their own language: notify keeps the kind and its parameters)."""
    invitations = list(invitations)
    people = bidders_of({invitation.supplier_id for invitation in invitations})
    for invitation in invitations:
        recipients = people.get(invitation.supplier_id, [])
        for zone_name, users in _zones(recipients).items():
            notify(
                recipients=users,
                kind=kind,
                params={
                    **params,
                    "deadline": format_instant(deadline, zone_name),
                    "deadline_iso": deadline.isoformat() if deadline else "",
                },
                # invitations, new rounds and reminders lead straight to the bid form
                url=supplier_rfq_url(invitation, bid_form=kind in BID_FORM_KINDS),
                partner=invitation.supplier,
                company=invitation.rfq.company,
            )


def _rfq_params(rfq: Rfq) -> dict[str, Any]:
    return {"rfq": rfq.number, "title": rfq.title, "company": rfq.company.name, "version": rfq.version}


def _round_invitations(rfq: Rfq, round: Round) -> list[Invitation]:
    """The suppliers taking part in a round (round 1: every live invitation) who have not declined."""
    invitations = rfq.invitations.filter(status=InvitationStatus.INVITED).select_related("supplier", "rfq__company")
    if round.number > 1:
        invitations = invitations.filter(rounds=round)
    return list(invitations.order_by("pk"))


# --- create, copy, edit ------------------------------------------------------------------------------------------


def rfq_create(
    *, user: Any, company: Any, fields: dict[str, Any], lines: list[dict[str, Any]], request: Any = None
) -> Rfq:
    """A new draft RFQ with its lines, numbered RFQ-<year>-<sequence>."""
    _require_role(user, company)
    check_weights(fields)
    _check_lines(company, lines)
    with transaction.atomic():
        rfq = Rfq(company=company, created_by=user, status=RfqStatus.DRAFT, **fields)
        rfq.full_clean(exclude=["number"], validate_unique=False, validate_constraints=False)
        _insert_numbered(rfq)
        _write_lines(rfq, lines, set())
        audit_record(actor=user, action="rfq.created", obj=rfq, company=company, after=_summary(rfq), request=request)
    return rfq


def rfq_copy(*, user: Any, rfq: Rfq, request: Any = None) -> Rfq:
    """A new draft with the terms, lines and uploaded documents of another RFQ (not its invitations)."""
    _require_role(user, rfq)
    fields = {name: getattr(rfq, name) for name in RFQ_FIELDS}
    lines = [
        {name: getattr(line, name) for name in LINE_FIELDS}
        for line in rfq.lines.select_related("item", "unit", "site").order_by("position")
    ]
    with transaction.atomic():
        copy = Rfq(company=rfq.company, created_by=user, status=RfqStatus.DRAFT, **fields)
        _insert_numbered(copy)
        _write_lines(copy, lines, set())
        documents = rfq.attachments.exclude(document__kind=RFQ_PDF_KIND).order_by("pk")
        RfqAttachment.objects.bulk_create(
            RfqAttachment(rfq=copy, document_id=attachment.document_id, version=1) for attachment in documents
        )
        audit_record(
            actor=user,
            action="rfq.created",
            obj=copy,
            company=copy.company,
            after={**_summary(copy), "copied_from": rfq.number},
            request=request,
        )
    return copy


def rfq_from_requisitions(
    *, user: Any, company: Any, requisitions: Iterable[Requisition], title: str = "", request: Any = None
) -> Rfq:
    """A draft RFQ whose lines are the open requisitions' lines; the requisitions are then being sourced."""
    _require_role(user, company)
    chosen = sorted({requisition.pk for requisition in requisitions})
    if not chosen:
        raise ValidationError({"requisitions": _("Choose at least one open requisition.")})
    with transaction.atomic():
        locked = list(
            Requisition.objects.select_for_update(of=("self",)).filter(pk__in=chosen, company=company).order_by("pk")
        )
        if len(locked) != len(chosen) or any(row.status != RequisitionStatus.OPEN for row in locked):
            raise DomainError(_("A chosen requisition is no longer open. Reload the list and choose again."))
        lines = [
            {**{name: getattr(line, name) for name in LINE_FIELDS}, "requisition_line": line}
            for requisition in locked
            for line in requisition.lines.order_by("position")
        ]
        if not lines:
            raise ValidationError({"requisitions": _("The chosen requisitions have no lines.")})
        title = title.strip() or " / ".join(row.title or row.external_id for row in locked)[:200]
        rfq = Rfq(company=company, created_by=user, status=RfqStatus.DRAFT, title=title, currency=company.currency)
        _insert_numbered(rfq)
        _write_lines(rfq, lines)
        rfq.requisitions.set(locked)
        Requisition.objects.filter(pk__in=chosen).update(status=RequisitionStatus.SOURCING, updated_at=timezone.now())
        audit_record(
            actor=user,
            action="rfq.created",
            obj=rfq,
            company=company,
            after={**_summary(rfq), "requisitions": [row.external_id for row in locked]},
            request=request,
        )
    return rfq


def rfq_update(*, user: Any, rfq: Rfq, fields: dict[str, Any], lines: list[dict[str, Any]], request: Any = None) -> Rfq:
    """Change a draft's terms and lines (the lines are written anew)."""
    _require_role(user, rfq)
    check_weights(fields)
    _check_lines(rfq.company, lines)
    with transaction.atomic():
        locked = _lock(rfq)
        if locked.status != RfqStatus.DRAFT:
            raise DomainError(_("Only a draft can be edited; amend a published RFQ instead."))
        before = _summary(locked)
        for name, value in fields.items():
            if name not in RFQ_FIELDS:
                raise ValueError(f"Not an editable RFQ field: {name}")
            setattr(locked, name, value)
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(update_fields=[*fields, "updated_at"])
        locked.lines.all().delete()
        sources = set(RequisitionLine.objects.filter(requisition__rfqs=locked).values_list("pk", flat=True))
        _write_lines(locked, lines, sources)
        audit_record(
            actor=user,
            action="rfq.updated",
            obj=locked,
            company=locked.company,
            before=before,
            after=_summary(locked),
            request=request,
        )
    return locked


def rfq_attachment_add(*, user: Any, rfq: Rfq, uploaded_file: Any, request: Any = None) -> RfqAttachment:
    """A document for the suppliers (drawing, specification) on a draft; DomainError when the file is refused."""
    _require_role(user, rfq)
    with transaction.atomic():
        locked = _lock(rfq)
        if locked.status != RfqStatus.DRAFT:
            raise DomainError(_("Documents of a published RFQ are added with an amendment."))
        document = document_store(
            actor=user,
            uploaded_file=uploaded_file,
            kind=ATTACHMENT_KIND,
            owner_company=locked.company,
            obj=locked,
            version=locked.version,
            request=request,
        )
        attachment = RfqAttachment.objects.create(rfq=locked, document=document, version=locked.version)
        audit_record(
            actor=user,
            action="rfq.attachment_added",
            obj=locked,
            company=locked.company,
            after={"file_name": document.original_name, "sha256": document.sha256},
            request=request,
        )
    return attachment


def rfq_attachment_remove(*, user: Any, attachment: RfqAttachment, request: Any = None) -> None:
    """Take a document off a draft (the stored file stays for the audit trail)."""
    _require_role(user, attachment.rfq)
    with transaction.atomic():
        locked = _lock(attachment.rfq)
        if locked.status != RfqStatus.DRAFT:
            raise DomainError(_("Documents of a published RFQ cannot be removed."))
        name = attachment.document.original_name
        deleted, _rows = RfqAttachment.objects.filter(pk=attachment.pk, rfq=locked).delete()
        if not deleted:
            raise DomainError(_("The document was already removed."))
        audit_record(
            actor=user,
            action="rfq.attachment_removed",
            obj=locked,
            company=locked.company,
            before={"file_name": name},
            request=request,
        )


# --- invitations ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvlVerdict:
    """The AVL's answer for a supplier over every item category of the RFQ's lines."""

    allowed: bool
    status: str  # the least favourable status over the categories; "" when no line has a category
    reasons: list[str]


# least favourable first
STATUS_ORDER = ("blocked", "expired", "not_approved", "conditional", "approved")


def _categories(rfq: Rfq) -> list[Any]:
    seen: dict[int, Any] = {}
    for line in rfq.lines.select_related("item__category").filter(item__isnull=False).order_by("position"):
        seen.setdefault(line.item.category_id, line.item.category)
    return list(seen.values())


def avl_verdict(rfq: Rfq, supplier: Any, categories: list[Any] | None = None) -> AvlVerdict:
    """Allowed when the AVL allows the supplier in every category of the lines (service lines have none: then
    only a supplier the group approved is allowed)."""
    categories = _categories(rfq) if categories is None else categories
    if not categories:
        allowed = supplier.status == PartnerStatus.APPROVED and supplier.is_supplier
        reasons = [] if allowed else [_("The supplier's registration is not yet approved by the group.")]
        return AvlVerdict(allowed=allowed, status="", reasons=reasons)
    on = company_today(rfq.company)
    decisions = [avl_decision(supplier, rfq.company, category, on) for category in categories]
    reasons: list[str] = []
    for category, decision in zip(categories, decisions, strict=True):
        reasons += [f"{category.code}: {reason}" for reason in decision.reasons]
    status = min((decision.status for decision in decisions), key=STATUS_ORDER.index)
    return AvlVerdict(allowed=all(decision.allowed for decision in decisions), status=status, reasons=reasons)


@dataclass(frozen=True)
class Suggestion:
    supplier: Any
    status: str  # least favourable AVL status over the categories
    conditional: bool
    reasons: list[str]

    @property
    def label(self) -> str:
        return avl_label(self.status)


def avl_label(status: str) -> str:
    """The AVL status as people read it ("" when no line has a category)."""
    if not status:
        return ""
    try:
        return status_label(status)
    except ValueError:  # a status this version of the AVL does not know: shown as stored
        return status


def invitation_suggestions(rfq: Rfq) -> list[Suggestion]:
    """Suppliers the AVL allows in every category of the lines, not yet invited: blocked, expired and not approved
    ones are left out (they can still be invited with a written reason)."""
    categories = _categories(rfq)
    if not categories:
        return []
    on = company_today(rfq.company)
    per_supplier: dict[int, list[Any]] = defaultdict(list)
    partners: dict[int, Any] = {}
    for category in categories:
        for partner, decision in avl_suppliers_for(rfq.company, category, on):
            per_supplier[partner.pk].append(decision)
            partners[partner.pk] = partner
    invited = set(rfq.invitations.live().values_list("supplier_id", flat=True))
    suggestions = []
    for partner_id, decisions in per_supplier.items():
        if partner_id in invited or len(decisions) != len(categories):
            continue
        if not all(decision.allowed for decision in decisions):
            continue
        reasons = [reason for decision in decisions for reason in decision.reasons]
        suggestions.append(
            Suggestion(
                supplier=partners[partner_id],
                status=min((decision.status for decision in decisions), key=STATUS_ORDER.index),
                conditional=any(decision.conditional for decision in decisions),
                reasons=reasons,
            )
        )
    return sorted(suggestions, key=lambda suggestion: suggestion.supplier.name)


def invitation_add(*, user: Any, rfq: Rfq, supplier: Any, override_reason: str = "", request: Any = None) -> Invitation:
    """Invite a supplier to a draft (or to round 1 of a published RFQ still taking bids). A supplier the AVL does
    not allow needs a written reason, kept on the invitation and in the audit log."""
    _require_role(user, rfq)
    override_reason = (override_reason or "").strip()
    if not supplier.is_supplier:
        raise ValidationError({"supplier": _("This partner is not a supplier.")})
    verdict = avl_verdict(rfq, supplier)
    if not verdict.allowed and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "The approved vendor list does not allow this supplier (%(status)s). Write why you invite it."
                )
                % {"status": avl_label(verdict.status) or _("not approved")}
            }
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(rfq)
        round = _current_round(locked)
        if locked.status == RfqStatus.PUBLISHED:
            if round is None or round.number != 1 or round.status != RoundStatus.OPEN or round.deadline <= now:
                raise DomainError(_("Suppliers can join only while the first round takes bids."))
        elif locked.status != RfqStatus.DRAFT:
            raise DomainError(_("Suppliers can be invited only to a draft or an RFQ taking bids."))
        fields = {
            "source": InvitationSource.AVL if verdict.allowed else InvitationSource.OVERRIDE,
            "avl_status": verdict.status,
            "avl_reasons": verdict.reasons,
            "override_reason": "" if verdict.allowed else override_reason,
            "status": InvitationStatus.INVITED,
            "invited_by": user,
        }
        existing = Invitation.objects.select_for_update().filter(rfq=locked, supplier=supplier).first()
        if existing is not None and existing.status != InvitationStatus.REMOVED:
            raise DomainError(_("%(supplier)s is already invited.") % {"supplier": supplier.name})
        if existing is not None:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save(update_fields=list(fields))
            invitation = existing
        else:
            invitation = Invitation.objects.create(rfq=locked, supplier=supplier, **fields)
        audit_record(
            actor=user,
            action="rfq.invitation_added",
            obj=locked,
            company=locked.company,
            partner=supplier,
            after={
                "supplier": supplier.name,
                "tax_id": supplier.tax_id,
                "source": fields["source"],
                "avl_status": verdict.status,
                "override_reason": fields["override_reason"],
            },
            request=request,
        )
        if locked.status == RfqStatus.PUBLISHED and round is not None:
            invitation.rfq = locked
            _notify_invitations([invitation], kinds.INVITED, _rfq_params(locked), round.deadline)
    return invitation


def invitation_remove(*, user: Any, invitation: Invitation, request: Any = None) -> Invitation:
    """Withdraw an invitation before publishing (kept as removed for the record)."""
    _require_role(user, invitation.rfq)
    with transaction.atomic():
        locked = _lock(invitation.rfq)
        if locked.status != RfqStatus.DRAFT:
            raise DomainError(_("An invitation can be removed only before the RFQ is published."))
        updated = Invitation.objects.filter(pk=invitation.pk, rfq=locked, status=InvitationStatus.INVITED).update(
            status=InvitationStatus.REMOVED
        )
        if updated != 1:
            raise DomainError(_("The invitation was already removed."))
        invitation.status = InvitationStatus.REMOVED
        audit_record(
            actor=user,
            action="rfq.invitation_removed",
            obj=locked,
            company=locked.company,
            partner=invitation.supplier,
            before={"supplier": invitation.supplier.name, "status": InvitationStatus.INVITED},
            after={"status": InvitationStatus.REMOVED},
            request=request,
        )
    return invitation


# --- publish, amend, answer ----------------------------------------------------------------------------------------


def rfq_publish(*, user: Any, rfq: Rfq, deadline: dt.datetime, request: Any = None) -> Rfq:
    """Open round 1 until the deadline: the RFQ PDF is stored, invited suppliers are told, the ERP hears of it."""
    _require_role(user, rfq)
    now = timezone.now()
    _check_deadline(deadline, now)
    with transaction.atomic():
        locked = _lock(rfq)
        if locked.status != RfqStatus.DRAFT:
            raise DomainError(_("Only a draft can be published."))
        problems = []
        if not locked.lines.exists():
            problems.append(_("Add at least one line."))
        invitations = list(
            locked.invitations.filter(status=InvitationStatus.INVITED).select_related("supplier").order_by("pk")
        )
        if not invitations and not locked.is_public:
            problems.append(_("Invite at least one supplier, or make it a public tender."))
        if problems:
            raise DomainError(" ".join(problems))
        _transition(locked, RfqStatus.PUBLISHED)
        locked.published_at = now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        Round.objects.create(rfq=locked, number=1, deadline=deadline)
        rfq_pdf_store(rfq=locked, actor=user)
        audit_record(
            actor=user,
            action="rfq.published",
            obj=locked,
            company=locked.company,
            before={"status": RfqStatus.DRAFT},
            after={
                "status": RfqStatus.PUBLISHED,
                "deadline": deadline.isoformat(),
                "invitations": [invitation.supplier.name for invitation in invitations],
                "public": locked.is_public,
            },
            request=request,
        )
        emit(TOPIC_PUBLISHED, rfq_payload(locked), company=locked.company, obj=locked)
        for invitation in invitations:
            invitation.rfq = locked
        _notify_invitations(invitations, kinds.INVITED, _rfq_params(locked), deadline)
    return locked


def rfq_amend(
    *,
    user: Any,
    rfq: Rfq,
    summary: str,
    deadline: dt.datetime | None = None,
    fields: dict[str, Any] | None = None,
    lines: dict[str, dict[str, Any]] | None = None,
    uploaded_file: Any = None,
    request: Any = None,
) -> Amendment:
    """Publish a change while the round takes bids: a new version, maybe a later (never an earlier) deadline, new
    terms, new quantities or need-by dates of lines (`lines`: {line uuid: {"quantity", "need_by"}}), a document;
    everyone invited is told, and bids on an earlier version must be confirmed again."""
    _require_role(user, rfq)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what changed: the suppliers read it.")})
    fields = fields or {}
    unknown = set(fields) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not amendable: {sorted(unknown)}")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(rfq)
        round = _current_round(locked)
        if (
            locked.status != RfqStatus.PUBLISHED
            or round is None
            or round.status != RoundStatus.OPEN
            or round.deadline <= now
        ):
            raise DomainError(_("Only an RFQ whose round still takes bids can be amended."))
        old_deadline = round.deadline
        if deadline is not None:
            _check_deadline(deadline, now)
            if deadline < old_deadline:
                raise ValidationError(
                    {"deadline": _("The deadline can be extended, never brought forward: bidders rely on it.")}
                )
        changes = {
            name: [getattr(locked, name), value] for name, value in fields.items() if getattr(locked, name) != value
        }
        if deadline is not None and deadline != old_deadline:
            changes["deadline"] = [old_deadline.isoformat(), deadline.isoformat()]
            Round.objects.filter(pk=round.pk).update(deadline=deadline)
            round.deadline = deadline
        for name, (_old, new) in changes.items():
            if name != "deadline":
                setattr(locked, name, new)
        changes.update(_amend_lines(locked, lines or {}))
        locked.version += 1
        locked.save(update_fields=["version", "updated_at", *(name for name in changes if name in AMENDABLE_FIELDS)])
        amendment = Amendment.objects.create(
            rfq=locked,
            version=locked.version,
            summary=summary,
            old_deadline=old_deadline,
            new_deadline=round.deadline,
            changes=changes,
            created_by=user,
        )
        if uploaded_file is not None:
            document = document_store(
                actor=user,
                uploaded_file=uploaded_file,
                kind=ATTACHMENT_KIND,
                owner_company=locked.company,
                obj=locked,
                version=locked.version,
                request=request,
            )
            RfqAttachment.objects.create(rfq=locked, document=document, version=locked.version)
            changes["attachment"] = [None, document.original_name]
            Amendment.objects.filter(pk=amendment.pk).update(changes=changes)
        rfq_pdf_store(rfq=locked, actor=user)
        audit_record(
            actor=user,
            action="rfq.amended",
            obj=locked,
            company=locked.company,
            before={"version": locked.version - 1, "deadline": old_deadline.isoformat()},
            after={"version": locked.version, "deadline": round.deadline.isoformat(), "summary": summary, **changes},
            request=request,
        )
        emit(
            TOPIC_AMENDED,
            {**rfq_payload(locked), "amendment": {"version": locked.version, "summary": summary}},
            company=locked.company,
            obj=locked,
        )
        _notify_invitations(
            _round_invitations(locked, round),
            kinds.AMENDED,
            {**_rfq_params(locked), "summary": summary},
            round.deadline,
        )
    return amendment


def _amend_lines(rfq: Rfq, lines: dict[str, dict[str, Any]]) -> dict[str, list[str | None]]:
    """Apply new quantities and need-by dates; answer the changes as {"line 2 quantity": [old, new], ...}."""
    changes: dict[str, list[str | None]] = {}
    errors: list[str] = []
    for line in rfq.lines.select_for_update().order_by("position"):
        wanted = lines.get(str(line.uuid))
        if not wanted:
            continue
        quantity, need_by = wanted.get("quantity", line.quantity), wanted.get("need_by", line.need_by)
        if quantity is None or quantity <= 0:
            errors.append(_("Line %(number)s: the quantity must be more than zero.") % {"number": line.position})
            continue
        if quantity != line.quantity:
            changes[f"line {line.position} quantity"] = [plain(line.quantity), plain(quantity)]
        if need_by != line.need_by:
            changes[f"line {line.position} need_by"] = [
                line.need_by.isoformat() if line.need_by else None,
                need_by.isoformat() if need_by else None,
            ]
        if quantity != line.quantity or need_by != line.need_by:
            RfqLine.objects.filter(pk=line.pk).update(quantity=quantity, need_by=need_by)
    if errors:
        raise ValidationError({"lines": errors})
    return changes


def question_answer(*, user: Any, question: Any, answer: str, request: Any = None) -> Any:
    """Answer a supplier's question; every invited supplier sees it (never who asked) and is told."""
    _require_role(user, question.rfq)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(question.rfq)
        if locked.status in (RfqStatus.CANCELLED, RfqStatus.AWARDED):
            raise DomainError(_("The RFQ is closed: questions are no longer answered."))
        updated = (
            type(question)
            .objects.filter(pk=question.pk, rfq=locked, answered_at__isnull=True)
            .update(answer=answer, answered_by=user, answered_at=now)
        )
        if updated != 1:
            raise DomainError(_("This question was already answered."))
        question.answer, question.answered_by, question.answered_at = answer, user, now
        audit_record(
            actor=user,
            action="rfq.question_answered",
            obj=locked,
            company=locked.company,
            after={"question": question.text[:500], "answer": answer[:2000]},
            request=request,
        )
        round = _current_round(locked)
        invitations = _round_invitations(locked, round) if round else []
        _notify_invitations(invitations, kinds.ANSWERED, _rfq_params(locked), round.deadline if round else None)
    return question


# --- rounds and cancelling ---------------------------------------------------------------------------------------


def round_start(
    *,
    user: Any,
    rfq: Rfq,
    invitations: Iterable[Invitation],
    deadline: dt.datetime,
    note: str = "",
    request: Any = None,
) -> Round:
    """Another round (best and final offer) for chosen suppliers that bid in the opened round."""
    _require_role(user, rfq)
    now = timezone.now()
    _check_deadline(deadline, now)
    chosen = sorted({invitation.pk for invitation in invitations})
    if not chosen:
        raise ValidationError({"invitations": _("Choose at least one supplier.")})
    with transaction.atomic():
        locked = _lock(rfq)
        current = _current_round(locked)
        if locked.status != RfqStatus.OPENED or current is None or current.status != RoundStatus.OPENED:
            raise DomainError(_("Another round can start only after the current round was opened."))
        bidders = set(
            Bid.objects.filter(round=current, status=BidStatus.SUBMITTED, invitation__status=InvitationStatus.INVITED)
            .filter(invitation_id__in=chosen)
            .values_list("invitation_id", flat=True)
        )
        if bidders != set(chosen):
            raise ValidationError({"invitations": _("Only suppliers who bid in the opened round can be chosen.")})
        _transition(locked, RfqStatus.PUBLISHED)
        locked.save(update_fields=["status", "updated_at"])
        round = Round.objects.create(rfq=locked, number=current.number + 1, deadline=deadline, note=note.strip())
        participants = list(locked.invitations.filter(pk__in=chosen).select_related("supplier").order_by("pk"))
        round.participants.set(participants)
        audit_record(
            actor=user,
            action="rfq.round_started",
            obj=locked,
            company=locked.company,
            before={"status": RfqStatus.OPENED, "round": current.number},
            after={
                "status": RfqStatus.PUBLISHED,
                "round": round.number,
                "deadline": deadline.isoformat(),
                "suppliers": [invitation.supplier.name for invitation in participants],
            },
            request=request,
        )
        emit(TOPIC_ROUND_STARTED, rfq_payload(locked), company=locked.company, obj=locked)
        for invitation in participants:
            invitation.rfq = locked
        _notify_invitations(participants, kinds.NEW_ROUND, {**_rfq_params(locked), "round": round.number}, deadline)
    return round


def rfq_cancel(*, user: Any, rfq: Rfq, reason: str, request: Any = None) -> Rfq:
    """Cancel an RFQ before it is awarded; its requisitions can be sourced again and the invited are told."""
    _require_role(user, rfq)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: the invited suppliers read it.")})
    with transaction.atomic():
        locked = _lock(rfq)
        before = locked.status
        _transition(locked, RfqStatus.CANCELLED)
        locked.save(update_fields=["status", "updated_at"])
        locked.requisitions.filter(status=RequisitionStatus.SOURCING).update(
            status=RequisitionStatus.OPEN, updated_at=timezone.now()
        )
        audit_record(
            actor=user,
            action="rfq.cancelled",
            obj=locked,
            company=locked.company,
            before={"status": before},
            after={"status": RfqStatus.CANCELLED, "reason": reason},
            request=request,
        )
        if before != RfqStatus.DRAFT:
            emit(TOPIC_CANCELLED, {**rfq_payload(locked), "reason": reason}, company=locked.company, obj=locked)
            invitations = list(
                locked.invitations.filter(status=InvitationStatus.INVITED).select_related("supplier").order_by("pk")
            )
            for invitation in invitations:
                invitation.rfq = locked
            _notify_invitations(invitations, CANCELLED, {**_rfq_params(locked), "reason": reason}, None)
    return locked


# --- reminders ---------------------------------------------------------------------------------------------------


def _reminder_stage(round: Round, now: dt.datetime) -> str | None:
    left = round.deadline - now
    stage = None
    for key, before in REMINDER_STAGES:
        if left <= before:
            stage = key
    return stage


def reminders_send(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind invited suppliers who neither submitted nor declined, 48 h and 4 h before their round's deadline,
    once each (Invitation.reminders_sent keeps "r<round>:<stage>"). Safe to run as often as wanted; a stage that
    began before the supplier was invited is skipped (the invitation itself told them)."""
    now = now or timezone.now()
    counts = {"reminded": 0}
    rounds = (
        Round.objects.filter(
            status=RoundStatus.OPEN,
            rfq__status=RfqStatus.PUBLISHED,
            deadline__gt=now,
            deadline__lte=now + REMINDER_STAGES[0][1],
        )
        .select_related("rfq__company")
        .order_by("deadline", "pk")
    )
    for round in rounds:
        stage = _reminder_stage(round, now)
        if stage is None:
            continue
        stage_begins = round.deadline - dict(REMINDER_STAGES)[stage]
        key = f"r{round.number}:{stage}"
        answered = set(
            Bid.objects.filter(round=round, status__in=(BidStatus.SUBMITTED, BidStatus.DECLINED)).values_list(
                "invitation_id", flat=True
            )
        )
        for invitation in _round_invitations(round.rfq, round):
            if invitation.pk in answered or key in (invitation.reminders_sent or []):
                continue
            told_at = max(filter(None, (invitation.created_at, round.created_at, round.rfq.published_at)))
            if told_at >= stage_begins:
                continue
            if _remind(invitation, round, key):
                counts["reminded"] += 1
    return counts


def _remind(invitation: Invitation, round: Round, key: str) -> bool:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        sent = list(locked.reminders_sent or [])
        if key in sent or locked.status != InvitationStatus.INVITED:
            return False
        Invitation.objects.filter(pk=locked.pk).update(reminders_sent=[*sent, key])
        invitation.rfq = round.rfq
        _notify_invitations([invitation], kinds.REMINDER, _rfq_params(round.rfq), round.deadline)
    return True


def rfq_history_filter(rfq: Rfq) -> Q:
    """The audit events of the RFQ, its rounds and its invitations (what the history tab lists)."""
    rounds = [str(value) for value in rfq.rounds.values_list("uuid", flat=True)]
    return Q(object_type="sourcing.rfq", object_id=str(rfq.uuid)) | Q(
        object_type="sourcing.round", object_id__in=rounds
    )
