"""Bids: drafts, submissions, revisions, withdrawal, declining, envelopes — all sealed until the round is opened.

The deadline is checked here, where the bid arrives, with the RFQ row held `FOR SHARE` (PostgreSQL): an opening
takes the same row `FOR UPDATE`, so it waits for every submission that passed the check before the deadline and no
submission can pass the check after it. Whatever a timer did or did not do, a bid after the deadline is refused.

Nothing a supplier types reaches an audit row, an outbox event, a log line or a task argument: those carry the
version, the time and the commitment only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.documents.services import clean_original_name, inspect_file
from portal.integration.outbox import emit
from portal.notifications.services import notify

from . import notifications as kinds
from . import sealing
from .access import may_bid, may_manage_rfq, may_open
from .models import (
    Bid,
    BidAttachment,
    BidStatus,
    BidSubmission,
    Envelope,
    Invitation,
    InvitationStatus,
    Rfq,
    RfqStatus,
    Round,
    RoundStatus,
)
from .payloads import bid_status_payload
from .selectors import supplier_round

TAX_RATES = (Decimal("13"), Decimal("9"), Decimal("6"), Decimal("3"), Decimal("1"), Decimal("0"))
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_PRICE = Decimal("10") ** 15


class InvoiceType:
    """The invoice a supplier will issue: only a special VAT invoice's VAT is deductible for the buyer."""

    VAT_SPECIAL = "vat_special"
    VAT_GENERAL = "vat_general"
    NONE = "none"
    choices = [
        (VAT_SPECIAL, gettext_lazy("Special VAT invoice (deductible)")),
        (VAT_GENERAL, gettext_lazy("General VAT invoice")),
        (NONE, gettext_lazy("No VAT invoice")),
    ]
    values = (VAT_SPECIAL, VAT_GENERAL, NONE)
    deductible = frozenset({VAT_SPECIAL})

    @classmethod
    def label(cls, value: str) -> str:
        return str(dict(cls.choices).get(value, value))


FIELDS = ("unit_price", "tax_rate", "invoice_type", "lead_time_days", "moq", "price_valid_until", "comment")
# a row counts as an offer once any of these is filled
OFFER_FIELDS = ("unit_price", "lead_time_days", "moq", "price_valid_until")


@dataclass
class OfferRow:
    line: str  # the RfqLine's uuid
    alternative: bool
    unit_price: Decimal  # net of VAT, in the RFQ's currency, per the line's unit
    tax_rate: Decimal  # percent
    invoice_type: str
    lead_time_days: int
    moq: Decimal | None = None
    price_valid_until: date | None = None
    comment: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unit_price"] = format(self.unit_price.normalize(), "f")
        data["tax_rate"] = format(self.tax_rate.normalize(), "f")
        data["moq"] = format(self.moq.normalize(), "f") if self.moq is not None else None
        data["price_valid_until"] = self.price_valid_until.isoformat() if self.price_valid_until else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfferRow:
        return cls(
            line=data["line"],
            alternative=bool(data["alternative"]),
            unit_price=Decimal(data["unit_price"]),
            tax_rate=Decimal(data["tax_rate"]),
            invoice_type=data["invoice_type"],
            lead_time_days=int(data["lead_time_days"]),
            moq=Decimal(data["moq"]) if data.get("moq") is not None else None,
            price_valid_until=date.fromisoformat(data["price_valid_until"]) if data.get("price_valid_until") else None,
            comment=data.get("comment") or "",
        )

    @property
    def gross_unit_price(self) -> Decimal:
        return self.unit_price * (1 + self.tax_rate / 100)


@dataclass
class BidContent:
    rows: list[OfferRow] = field(default_factory=list)
    comment: str = ""
    # filled by the services: [{"id", "envelope", "sha256", "size"}] of the envelopes' files at submission
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [row.as_dict() for row in self.rows],
            "comment": self.comment,
            "attachments": list(self.attachments),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BidContent:
        return cls(
            rows=[OfferRow.from_dict(row) for row in data.get("rows", [])],
            comment=data.get("comment", ""),
            attachments=list(data.get("attachments", [])),
        )

    def row_for(self, line_uuid: Any, *, alternative: bool = False) -> OfferRow | None:
        for row in self.rows:
            if row.line == str(line_uuid) and row.alternative == alternative:
                return row
        return None


# --- parsing what a supplier typed (the form and the XLSX upload) ---------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    number = Decimal(_text(value).replace(",", ""))
    if not number.is_finite():
        raise InvalidOperation
    return number


def _parse_row(raw: dict[str, Any], prefix: str, errors: dict[str, str], *, alternative: bool) -> OfferRow | None:
    def fail(name: str, message: str) -> None:
        errors.setdefault(prefix + name, message)

    values = {name: raw.get(name) for name in FIELDS}
    unit_price = tax_rate = None
    lead_time = None
    moq = valid_until = None
    try:
        unit_price = _decimal(values["unit_price"])
        if unit_price <= 0:
            fail("unit_price", _("Enter a price greater than zero."))
        elif unit_price >= MAX_PRICE or unit_price.as_tuple().exponent < -4:
            fail("unit_price", _("Enter a price with at most 4 decimal places."))
    except (InvalidOperation, ValueError):
        typed = _text(values["unit_price"])
        fail(
            "unit_price", _("Enter the unit price as a number, e.g. 1250.50.") if typed else _("Enter the unit price.")
        )
    try:
        tax_rate = _decimal(values["tax_rate"])
        if tax_rate not in TAX_RATES:
            raise ValueError
    except (InvalidOperation, ValueError):
        fail("tax_rate", _("Choose a VAT rate: 13, 9, 6, 3, 1 or 0 %."))
    invoice_type = _text(values["invoice_type"])
    if invoice_type not in InvoiceType.values:
        fail("invoice_type", _("Choose the invoice you will issue."))
    lead_text = _text(values["lead_time_days"])
    try:
        lead_number = _decimal(lead_text)
        if lead_number != lead_number.to_integral_value() or lead_number < 0 or lead_number > 3650:
            raise ValueError
        lead_time = int(lead_number)
    except (InvalidOperation, ValueError):
        fail(
            "lead_time_days",
            _("Enter the lead time as a whole number of days (0 to 3650).")
            if lead_text
            else _("Enter the lead time in days."),
        )
    if _text(values["moq"]):
        try:
            moq = _decimal(values["moq"])
            if moq <= 0 or moq.as_tuple().exponent < -4:
                raise ValueError
        except (InvalidOperation, ValueError):
            fail("moq", _("Enter the minimum order quantity as a number greater than zero, or leave it empty."))
    raw_valid = values["price_valid_until"]
    if isinstance(raw_valid, datetime):
        valid_until = raw_valid.date()
    elif isinstance(raw_valid, date):
        valid_until = raw_valid
    elif _text(raw_valid):
        try:
            valid_until = date.fromisoformat(_text(raw_valid))
        except ValueError:
            fail("price_valid_until", _("Enter a date as YYYY-MM-DD."))
    if valid_until is not None and valid_until < timezone.localdate():
        fail("price_valid_until", _("The price must be valid until today or later."))
    comment = _text(values["comment"])
    if len(comment) > 1000:
        fail("comment", _("Keep the comment under 1000 characters."))
    if alternative and not comment:
        fail("comment", _("Describe the alternative (e.g. the other material or make)."))
    if any(key.startswith(prefix) for key in errors):
        return None
    return OfferRow(
        line=raw["line"],
        alternative=alternative,
        unit_price=unit_price,
        tax_rate=tax_rate,
        invoice_type=invoice_type,
        lead_time_days=lead_time,
        moq=moq,
        price_valid_until=valid_until,
        comment=comment,
    )


def parse_bid(rfq: Rfq, rows: list[dict[str, Any]], comment: str = "") -> BidContent:
    """What the supplier typed as a bid, or ValidationError keyed "<line uuid>.<field>" ("<line uuid>.alt.<field>"
    for the alternative offer), "comment" or "__all__". A row with none of price, lead time, MOQ and validity
    filled is no offer for that line."""
    lines = {str(line.uuid): line for line in rfq.lines.all()}
    errors: dict[str, str] = {}
    offers: list[OfferRow] = []
    seen: set[tuple[str, bool]] = set()
    for raw in rows:
        line_id = _text(raw.get("line"))
        alternative = raw.get("alternative") in (True, "1", "true", "on", "yes")
        if line_id not in lines:
            errors.setdefault("__all__", _("The bid names a line this RFQ does not have. Download the lines again."))
            continue
        if (line_id, alternative) in seen:
            errors.setdefault("__all__", _("A line is quoted twice. Give each line one offer (and one alternative)."))
            continue
        seen.add((line_id, alternative))
        if not any(_text(raw.get(name)) for name in OFFER_FIELDS):
            continue
        prefix = f"{line_id}.alt." if alternative else f"{line_id}."
        offer = _parse_row(raw, prefix, errors, alternative=alternative)
        if offer is not None:
            offers.append(offer)
    for line_id in lines:
        attempted = any(key.startswith(f"{line_id}.") and not key.startswith(f"{line_id}.alt.") for key in errors)
        has_main = attempted or any(row.line == line_id and not row.alternative for row in offers)
        if not has_main and any(row.line == line_id and row.alternative for row in offers):
            errors.setdefault(f"{line_id}.unit_price", _("Quote the line itself before an alternative."))
        elif not has_main and rfq.all_lines_required:
            errors.setdefault(f"{line_id}.unit_price", _("This RFQ asks for a price for every line."))
    if not offers and not errors:
        errors["__all__"] = _("Quote at least one line.")
    comment = _text(comment)
    if len(comment) > 4000:
        errors["comment"] = _("Keep the comment under 4000 characters.")
    if errors:
        raise ValidationError(errors)
    order = {line_id: index for index, line_id in enumerate(lines)}
    offers.sort(key=lambda row: (order[row.line], row.alternative))
    return BidContent(rows=offers, comment=comment)


# --- the state checks -------------------------------------------------------------------------------------------


def _lock_rfq(rfq_id: int, *, mode: str) -> Rfq:
    """Hold the RFQ row: FOR SHARE (submissions, many at once) or FOR UPDATE (opening, amendments). SQLite has no
    row locks; its single writer serialises the same way."""
    if mode == "share" and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Rfq._meta.db_table} WHERE id = %s FOR SHARE", [rfq_id])
        return Rfq.objects.select_related("company").get(pk=rfq_id)
    return Rfq.objects.select_for_update(of=("self",)).select_related("company").get(pk=rfq_id)


def lock_rfq_for_update(rfq_id: int) -> Rfq:
    return _lock_rfq(rfq_id, mode="update")


def format_deadline(deadline: datetime) -> str:
    local = timezone.localtime(deadline)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _bidding_round(invitation: Invitation, rfq: Rfq, now: datetime) -> Round:
    """The round this invitation may bid in right now, or DomainError saying why not."""
    if invitation.status == InvitationStatus.DECLINED:
        raise DomainError(_("You declined this RFQ."))
    if invitation.status == InvitationStatus.REMOVED or rfq.status in (RfqStatus.DRAFT,):
        raise DomainError(_("This RFQ is not open to you."))
    if rfq.status == RfqStatus.CANCELLED:
        raise DomainError(_("This RFQ was cancelled."))
    round = supplier_round(invitation)
    if round is None or round.rfq_id != rfq.pk:
        raise DomainError(_("This RFQ is not open to you."))
    if round.status == RoundStatus.OPENED or rfq.status != RfqStatus.PUBLISHED:
        raise DomainError(_("The bids of this round were opened. Bids are no longer accepted."))
    if now >= round.deadline:
        raise DomainError(
            _("The deadline for bids passed at %(deadline)s. Bids are no longer accepted.")
            % {"deadline": format_deadline(round.deadline)}
        )
    return round


def _check_bidder(user: Any, invitation: Invitation) -> None:
    if not may_bid(user, invitation.supplier_id):
        raise PermissionDenied(_("Only your company's administrators and sales people may bid."))


def _bid_row(invitation: Invitation, round: Round) -> Bid:
    """The supplier's bid of the round, created on first use, locked for this transaction."""
    bid, _created = Bid.objects.get_or_create(
        round=round, supplier_id=invitation.supplier_id, defaults={"invitation": invitation}
    )
    return Bid.objects.select_for_update(of=("self",)).get(pk=bid.pk)


@dataclass
class _Open:
    """The bid being worked on, with what was locked and checked to reach it."""

    rfq: Rfq
    invitation: Invitation
    round: Round
    bid: Bid
    now: datetime


def _enter(invitation: Invitation) -> _Open:
    """Inside the caller's transaction: hold the RFQ FOR SHARE, read the clock, check the round still takes bids
    from this invitation, and lock the supplier's bid row (created on first use)."""
    rfq = _lock_rfq(invitation.rfq_id, mode="share")
    now = timezone.now()
    invitation = Invitation.objects.select_related("supplier").get(pk=invitation.pk)
    round = _bidding_round(invitation, rfq, now)
    return _Open(rfq=rfq, invitation=invitation, round=round, bid=_bid_row(invitation, round), now=now)


def _key(rfq: Rfq, round: Round) -> bytes:
    return sealing.round_key(rfq.uuid, round.number)


def _draft_context(bid: Bid) -> str:
    return f"draft:{bid.uuid}"


def submission_context(submission: BidSubmission) -> str:
    return f"submission:{submission.bid.uuid}:{submission.version}"


def _attachment_context(attachment: BidAttachment) -> str:
    return f"attachment:{attachment.uuid}"


def commitment_header(*, rfq: Rfq, round: Round, supplier: Any, version: int, rfq_version: int) -> dict[str, Any]:
    """What the commitment binds besides the content: which RFQ, round, supplier, bid version and RFQ version."""
    return {
        "rfq": str(rfq.uuid),
        "round": round.number,
        "supplier": str(supplier.uuid),
        "version": version,
        "rfq_version": rfq_version,
    }


def canonical_submission(header: dict[str, Any], content: dict[str, Any]) -> bytes:
    return sealing.canonical({**header, "content": content})


# --- services -------------------------------------------------------------------------------------------------


def bid_of(invitation: Invitation, round: Round | None = None) -> Bid | None:
    round = round or supplier_round(invitation)
    if round is None:
        return None
    return Bid.objects.filter(round=round, supplier_id=invitation.supplier_id).select_related("current").first()


def bid_save_draft(*, user: Any, invitation: Invitation, content: BidContent, request: Any = None) -> Bid:
    """Keep what the supplier typed so far, sealed; does not count as a bid."""
    _check_bidder(user, invitation)
    with transaction.atomic():
        opened = _enter(invitation)
        rfq, round, bid = opened.rfq, opened.round, opened.bid
        data = content.as_dict()
        data["attachments"] = []
        bid.draft_sealed = sealing.seal_json(_key(rfq, round), data, context=_draft_context(bid))
        bid.draft_saved_at = timezone.now()
        bid.save(update_fields=["draft_sealed", "draft_saved_at", "updated_at"])
    return bid


def _supplier_bid(user: Any, bid: Bid) -> Bid:
    if not Bid.objects.visible_to(user).filter(pk=bid.pk).exists():
        raise PermissionDenied
    return bid


def bid_draft_content(*, user: Any, bid: Bid) -> BidContent | None:
    """The supplier's own saved draft (never staff: their scope does not reach bids)."""
    _supplier_bid(user, bid)
    if not bid.draft_sealed:
        return None
    round = bid.round
    data = sealing.unseal_json(_key(round.rfq, round), bid.draft_sealed, context=_draft_context(bid))
    return BidContent.from_dict(data)


def _open_submission(submission: BidSubmission) -> dict[str, Any]:
    round = submission.bid.round
    return sealing.unseal_json(_key(round.rfq, round), submission.sealed, context=submission_context(submission))


def submission_content(*, user: Any, submission: BidSubmission) -> BidContent:
    """A submitted version, for the supplier that submitted it."""
    if not BidSubmission.objects.visible_to(user).filter(pk=submission.pk).exists():
        raise PermissionDenied
    return BidContent.from_dict(_open_submission(submission)["content"])


def _live_attachments(bid: Bid) -> list[dict[str, Any]]:
    return [
        {"id": str(item.uuid), "envelope": item.envelope, "sha256": item.sha256, "size": item.size}
        for item in bid.attachments.filter(removed_at__isnull=True).order_by("id")
    ]


def bid_submit(*, user: Any, invitation: Invitation, content: BidContent, request: Any = None) -> BidSubmission:
    """Submit (or revise: each submission is a new version) before the deadline; returns the receipt's
    submission with its commitment. The envelopes' current files are part of the submission."""
    _check_bidder(user, invitation)
    with transaction.atomic():
        opened = _enter(invitation)
        rfq, invitation, round, bid, now = opened.rfq, opened.invitation, opened.round, opened.bid, opened.now
        version = (bid.submissions.aggregate(last=Max("version"))["last"] or 0) + 1
        data = content.as_dict()
        data["attachments"] = _live_attachments(bid)
        header = commitment_header(
            rfq=rfq, round=round, supplier=invitation.supplier, version=version, rfq_version=rfq.version
        )
        nonce = sealing.new_commitment_nonce()
        digest = sealing.commitment(canonical_submission(header, data), nonce)
        submission = BidSubmission(
            bid=bid,
            version=version,
            rfq_version=rfq.version,
            submitted_at=now,
            submitted_by=user,
            commitment=digest,
            sealed=b"",
        )
        submission.sealed = sealing.seal_json(
            _key(rfq, round), {"content": data, "nonce": nonce}, context=submission_context(submission)
        )
        submission.save()
        bid.current = submission
        bid.status = BidStatus.SUBMITTED
        bid.draft_sealed = b""
        bid.draft_saved_at = None
        bid.save(update_fields=["current", "status", "draft_sealed", "draft_saved_at", "updated_at"])
        audit_record(
            actor=user,
            action="bid.submitted",
            obj=bid,
            partner=invitation.supplier,
            company=rfq.company,
            after={"rfq": rfq.number, "round": round.number, "version": version, "commitment": digest},
            request=request,
        )
        emit("bid.submitted", bid_status_payload(bid), company=rfq.company, obj=bid)
    return submission


def bid_withdraw(*, user: Any, invitation: Invitation, request: Any = None) -> Bid:
    """Take the submitted bid back before the deadline (the supplier may submit again while the round is open)."""
    _check_bidder(user, invitation)
    with transaction.atomic():
        opened = _enter(invitation)
        rfq, invitation, round, bid, now = opened.rfq, opened.invitation, opened.round, opened.bid, opened.now
        if bid.status != BidStatus.SUBMITTED or bid.current_id is None:
            raise DomainError(_("There is no submitted bid to withdraw."))
        BidSubmission.objects.filter(pk=bid.current_id).update(withdrawn_at=now)
        version = bid.current.version
        bid.status = BidStatus.WITHDRAWN
        bid.current = None
        bid.save(update_fields=["status", "current", "updated_at"])
        audit_record(
            actor=user,
            action="bid.withdrawn",
            obj=bid,
            partner=invitation.supplier,
            company=rfq.company,
            after={"rfq": rfq.number, "round": round.number, "version": version},
            request=request,
        )
        emit("bid.withdrawn", bid_status_payload(bid), company=rfq.company, obj=bid)
    return bid


def invitation_decline(*, user: Any, invitation: Invitation, reason: str, request: Any = None) -> Invitation:
    """Decline to quote, with a reason the buyer reads; a submitted bid of the open round is withdrawn."""
    _check_bidder(user, invitation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the buyer why you decline.")})
    with transaction.atomic():
        opened = _enter(invitation)
        rfq, invitation, round, bid, now = opened.rfq, opened.invitation, opened.round, opened.bid, opened.now
        if bid.current_id:
            BidSubmission.objects.filter(pk=bid.current_id).update(withdrawn_at=now)
        bid.status = BidStatus.DECLINED
        bid.current = None
        bid.draft_sealed = b""
        bid.save(update_fields=["status", "current", "draft_sealed", "updated_at"])
        invitation.status = InvitationStatus.DECLINED
        invitation.decline_reason = reason[:2000]
        invitation.save(update_fields=["status", "decline_reason"])
        audit_record(
            actor=user,
            action="rfq.declined",
            obj=invitation,
            partner=invitation.supplier,
            company=rfq.company,
            after={"rfq": rfq.number, "round": round.number, "reason": invitation.decline_reason},
            request=request,
        )
        emit("bid.declined", bid_status_payload(bid), company=rfq.company, obj=bid)
        notify(
            recipients=[rfq.created_by],
            kind=kinds.INVITATION_DECLINED,
            params={"supplier": invitation.supplier.name, "rfq": rfq.number, "reason": invitation.decline_reason},
            company=rfq.company,
        )
    return invitation


def bid_attachment_add(
    *, user: Any, invitation: Invitation, envelope: str, uploaded_file: Any, request: Any = None
) -> BidAttachment:
    """Put a file into the technical or commercial envelope of the open round's bid, sealed. It becomes part of the
    bid at the next submission."""
    _check_bidder(user, invitation)
    if envelope not in Envelope.values:
        raise ValidationError({"envelope": _("Choose the technical or the commercial envelope.")})
    name = clean_original_name(getattr(uploaded_file, "name", "") or "")
    inspection = inspect_file(uploaded_file, name, max_bytes=MAX_ATTACHMENT_BYTES)  # DomainError when refused
    uploaded_file.seek(0)
    content = uploaded_file.read()
    with transaction.atomic():
        opened = _enter(invitation)
        rfq, round, bid = opened.rfq, opened.round, opened.bid
        attachment = BidAttachment(
            bid=bid, envelope=envelope, size=len(content), sha256=hashlib.sha256(content).hexdigest()
        )
        header = json.dumps({"name": inspection.name, "content_type": inspection.content_type}).encode()
        attachment.sealed = sealing.seal(
            _key(rfq, round), header + b"\n" + content, context=_attachment_context(attachment)
        )
        attachment.save()
    return attachment


def bid_attachment_remove(*, user: Any, attachment: BidAttachment) -> BidAttachment:
    """Take a file out of the envelope (a version already submitted keeps it until the next submission)."""
    bid = attachment.bid
    invitation = bid.invitation
    _check_bidder(user, invitation)
    _supplier_bid(user, bid)
    with transaction.atomic():
        _enter(invitation)
        BidAttachment.objects.filter(pk=attachment.pk, removed_at__isnull=True).update(removed_at=timezone.now())
    attachment.refresh_from_db()
    return attachment


def unseal_attachment(attachment: BidAttachment) -> tuple[str, str, bytes]:
    round = attachment.bid.round
    plain = sealing.unseal(_key(round.rfq, round), attachment.sealed, context=_attachment_context(attachment))
    header, _newline, content = plain.partition(b"\n")
    meta = json.loads(header)
    return meta["name"], meta["content_type"], content


def _compared_attachment_ids(bid: Bid) -> set[str]:
    """The envelope files the bid's current submission listed, if that submission was opened and verified."""
    submission = bid.current
    if submission is None or not submission.commitment_verified:
        return set()
    submission.bid = bid
    return {entry["id"] for entry in _open_submission(submission)["content"].get("attachments", [])}


def bid_attachment_open(*, user: Any, attachment: BidAttachment) -> tuple[str, str, bytes]:
    """The file: for the supplier that uploaded it; for the buyers and sourcing managers of the RFQ's company only
    once its round is opened, and only a file of the submission that was opened (never a file the supplier kept
    in a draft)."""
    if not BidAttachment.objects.visible_to(user).filter(pk=attachment.pk).exists():
        bid = Bid.objects.select_related("current", "round__rfq__company").get(pk=attachment.bid_id)
        rfq = bid.round.rfq
        staff_may = (
            bid.round.status == RoundStatus.OPENED
            and Rfq.objects.visible_to(user).filter(pk=rfq.pk).exists()
            and (may_manage_rfq(user, rfq.company_id) or may_open(user, rfq.company_id))
            and str(attachment.uuid) in _compared_attachment_ids(bid)
        )
        if not staff_may:
            raise PermissionDenied
    return unseal_attachment(attachment)


@dataclass(frozen=True)
class OpenedFile:
    attachment: BidAttachment
    name: str


def opened_envelopes(round: Round) -> dict[int, list[OpenedFile]]:
    """After the opening, for staff: per bid id, the envelope files of its opened (verified) submission."""
    if round.status != RoundStatus.OPENED:
        return {}
    bids = Bid.objects.filter(round=round, current__commitment_verified=True).select_related("current", "round__rfq")
    listed: set[str] = set()
    for bid in bids:
        listed |= _compared_attachment_ids(bid)
    files: dict[int, list[OpenedFile]] = {}
    attachments = BidAttachment.objects.filter(uuid__in=listed).select_related("bid__round__rfq").order_by("id")
    for attachment in attachments:
        name, _content_type, _content = unseal_attachment(attachment)
        files.setdefault(attachment.bid_id, []).append(OpenedFile(attachment=attachment, name=name))
    return files
