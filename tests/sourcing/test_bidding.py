"""Bids: parsing, sealing at rest, versions, withdrawal, declining, envelopes, the deadline, and the opening."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from rfq.sourcing import sealing
from rfq.sourcing.bidding import (
    bid_attachment_add,
    bid_attachment_open,
    bid_draft_content,
    bid_save_draft,
    bid_submit,
    bid_withdraw,
    invitation_decline,
    parse_bid,
    submission_content,
)
from rfq.sourcing.models import (
    Bid,
    BidStatus,
    BidSubmission,
    InvitationStatus,
    OpenedBidLine,
    OpeningSignature,
    RfqStatus,
    RoundStatus,
)
from rfq.sourcing.opening import ReauthenticationRequired, round_open_sign
from tests.factories.sourcing import (
    fresh_mfa_request,
    invitation_of,
    make_published_rfq,
    offer_rows,
    open_round,
    pass_deadline,
    second_sourcing_manager,
    submit_bid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def errors_of(rfq, rows, comment=""):
    with pytest.raises(ValidationError) as caught:
        parse_bid(rfq, rows, comment)
    return caught.value.message_dict


def test_parse_bid_reads_every_field(cast):
    rfq = make_published_rfq(cast, lines=2)
    line1, line2 = rfq.lines.order_by("position")
    rows = offer_rows(rfq, ["1250.50", "99"], lead_time=21)
    rows[0]["moq"] = "5"
    rows[0]["price_valid_until"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    rows.append({**rows[1], "alternative": "1", "unit_price": "80", "comment": "Q235B instead of Q345B"})
    content = parse_bid(rfq, rows, comment="  Delivery by truck  ")
    assert [(r.line, r.alternative, r.unit_price, r.lead_time_days) for r in content.rows] == [
        (str(line1.uuid), False, Decimal("1250.50"), 21),
        (str(line2.uuid), False, Decimal("99"), 21),
        (str(line2.uuid), True, Decimal("80"), 21),
    ]
    assert content.rows[0].moq == Decimal("5")
    assert content.rows[0].gross_unit_price == Decimal("1413.0650")
    assert content.comment == "Delivery by truck"


def test_parse_bid_refuses_bad_input_next_to_the_field(cast):
    rfq = make_published_rfq(cast, lines=3)
    line1, line2, line3 = (str(line.uuid) for line in rfq.lines.order_by("position"))
    rows = offer_rows(rfq, ["-5", "abc", None])
    rows[0]["lead_time_days"] = "2.5"
    rows[1]["invoice_type"] = "bogus"
    errors = errors_of(rfq, rows)
    assert errors == {
        f"{line1}.unit_price": ["Enter a price greater than zero."],
        f"{line1}.lead_time_days": ["Enter the lead time as a whole number of days (0 to 3650)."],
        f"{line2}.unit_price": ["Enter the unit price as a number, e.g. 1250.50."],
        f"{line2}.invoice_type": ["Choose the invoice you will issue."],
        f"{line3}.unit_price": ["This RFQ asks for a price for every line."],
    }


def test_parse_bid_allows_missing_lines_when_the_rfq_does(cast):
    rfq = make_published_rfq(cast, lines=2, all_lines_required=False)
    content = parse_bid(rfq, offer_rows(rfq, ["10", None]))
    assert len(content.rows) == 1
    assert errors_of(rfq, offer_rows(rfq, [None, None])) == {"__all__": ["Quote at least one line."]}


def test_submission_is_sealed_and_returns_a_commitment(cast):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["98765.4321", "12"], comment="秘密备注")
    assert submission.version == 1 and len(submission.commitment) == 64
    raw = bytes(submission.sealed)
    assert b"98765" not in raw and "秘密".encode() not in raw
    bid = Bid.objects.get()
    assert bid.status == BidStatus.SUBMITTED and bid.current == submission
    # the supplier reads its own bid back; staff cannot
    content = submission_content(user=cast.supplier_a_admin, submission=submission)
    assert content.rows[0].unit_price == Decimal("98765.4321")
    for staff in (cast.buyer, cast.sourcing_manager, cast.group_admin):
        with pytest.raises(PermissionDenied):
            submission_content(user=staff, submission=submission)
    with pytest.raises(PermissionDenied):
        submission_content(user=cast.supplier_b_admin, submission=submission)
    # nothing a supplier typed reaches the audit log or the outbox
    audit = AuditEvent.objects.get(action="bid.submitted")
    assert audit.after == {"rfq": rfq.number, "round": 1, "version": 1, "commitment": submission.commitment}
    event = OutboxEvent.objects.get(topic="bid.submitted")
    assert "98765" not in str(event.payload) and "秘密" not in str(event.payload)


def test_the_commitment_needs_the_secret_nonce(cast):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["10", "20"])
    key = sealing.round_key(rfq.uuid, 1)
    opened = sealing.unseal_json(key, submission.sealed, context=f"submission:{submission.bid.uuid}:1")
    assert len(opened["nonce"]) == 64
    # the same content with a guessed nonce does not give the digest
    from rfq.sourcing.bidding import canonical_submission, commitment_header

    header = commitment_header(rfq=rfq, round=rfq.rounds.get(), supplier=cast.supplier_a, version=1, rfq_version=1)
    canonical = canonical_submission(header, opened["content"])
    assert sealing.commitment(canonical, opened["nonce"]) == submission.commitment
    assert sealing.commitment(canonical, "00" * 32) != submission.commitment
    # a sealed blob moved onto another row does not open
    with pytest.raises(sealing.SealBroken):
        sealing.unseal_json(key, submission.sealed, context="submission:other:1")


def test_revisions_are_new_versions_and_drafts_are_sealed(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    draft = parse_bid(rfq, offer_rows(rfq, ["11", "22"]))
    bid = bid_save_draft(user=cast.supplier_a_sales, invitation=invitation, content=draft)
    assert b"22" not in bytes(bid.draft_sealed)[13:14] and bid.status == BidStatus.DRAFT
    assert bid_draft_content(user=cast.supplier_a_sales, bid=bid).rows[1].unit_price == Decimal("22")
    with pytest.raises(PermissionDenied):
        bid_draft_content(user=cast.buyer, bid=bid)
    first = bid_submit(user=cast.supplier_a_sales, invitation=invitation, content=draft)
    second = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["10", "21"])
    assert (first.version, second.version) == (1, 2)
    bid.refresh_from_db()
    assert bid.current == second and bid.draft_sealed in (b"", memoryview(b""))
    assert first.commitment != second.commitment


def test_finance_member_may_not_bid_and_nothing_changes(cast):
    rfq = make_published_rfq(cast)
    content = parse_bid(rfq, offer_rows(rfq, ["1", "2"]))
    with pytest.raises(PermissionDenied):
        bid_submit(user=cast.supplier_a_finance, invitation=invitation_of(rfq, cast.supplier_a), content=content)
    assert not Bid.objects.exists() and not BidSubmission.objects.exists()


def test_a_bid_after_the_deadline_is_refused(cast):
    rfq = make_published_rfq(cast)
    pass_deadline(rfq)
    content = parse_bid(rfq, offer_rows(rfq, ["1", "2"]))
    with pytest.raises(DomainError) as refused:
        bid_submit(user=cast.supplier_a_admin, invitation=invitation_of(rfq, cast.supplier_a), content=content)
    assert refused.value.message.startswith("The deadline for bids passed at ")
    assert not BidSubmission.objects.exists()


def test_withdraw_and_decline(cast):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["1", "2"])
    bid = bid_withdraw(user=cast.supplier_a_admin, invitation=invitation_of(rfq, cast.supplier_a))
    assert bid.status == BidStatus.WITHDRAWN and bid.current is None
    assert BidSubmission.objects.get().withdrawn_at is not None
    with pytest.raises(ValidationError):
        invitation_decline(user=cast.supplier_b_admin, invitation=invitation_of(rfq, cast.supplier_b), reason=" ")
    invitation = invitation_decline(
        user=cast.supplier_b_admin, invitation=invitation_of(rfq, cast.supplier_b), reason="Capacity full"
    )
    assert invitation.status == InvitationStatus.DECLINED
    with pytest.raises(DomainError):
        submit_bid(cast.supplier_b_admin, rfq, cast.supplier_b, ["1", "2"])


def test_envelopes_are_sealed_and_opened_only_after_opening(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    upload = SimpleUploadedFile("技术方案.txt", "独特的技术方案内容".encode(), content_type="text/plain")
    attachment = bid_attachment_add(
        user=cast.supplier_a_admin, invitation=invitation, envelope="technical", uploaded_file=upload
    )
    assert "独特".encode() not in bytes(attachment.sealed)
    with pytest.raises(DomainError):
        bid_attachment_add(
            user=cast.supplier_a_admin,
            invitation=invitation,
            envelope="technical",
            uploaded_file=SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        )
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["1", "2"])
    assert submission_content(user=cast.supplier_a_admin, submission=submission).attachments[0]["id"] == str(
        attachment.uuid
    )
    assert bid_attachment_open(user=cast.supplier_a_admin, attachment=attachment)[0] == "技术方案.txt"
    with pytest.raises(PermissionDenied):
        bid_attachment_open(user=cast.buyer, attachment=attachment)
    pass_deadline(rfq)
    open_round(rfq, [cast.sourcing_manager, second_sourcing_manager(cast.company_a)])
    name, content_type, content = bid_attachment_open(user=cast.buyer, attachment=attachment)
    assert (name, content_type, content.decode()) == ("技术方案.txt", "text/plain", "独特的技术方案内容")
    with pytest.raises(PermissionDenied):
        bid_attachment_open(user=cast.staff_b, attachment=attachment)


def test_opening_needs_two_distinct_managers_after_the_deadline(cast):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["100", "200"])
    submit_bid(cast.supplier_b_admin, rfq, cast.supplier_b, ["90", "210"])
    round = rfq.rounds.get()
    manager, second = cast.sourcing_manager, second_sourcing_manager(cast.company_a)
    with pytest.raises(DomainError) as early:
        round_open_sign(user=manager, round=round, request=fresh_mfa_request(manager))
    assert early.value.message.startswith("The bids stay sealed until the deadline")
    pass_deadline(rfq)
    for not_a_manager in (cast.buyer, cast.group_admin, cast.staff_b):
        with pytest.raises(PermissionDenied):
            round_open_sign(user=not_a_manager, round=round, request=fresh_mfa_request(not_a_manager))
    stale = fresh_mfa_request(manager)
    stale.session["account_authentication_methods"] = [
        {**record, "at": record["at"] - 3600} for record in stale.session["account_authentication_methods"]
    ]
    with pytest.raises(ReauthenticationRequired):
        round_open_sign(user=manager, round=round, request=stale)
    assert not OpeningSignature.objects.exists()
    round_open_sign(user=manager, round=round, request=fresh_mfa_request(manager))
    with pytest.raises(DomainError):
        round_open_sign(user=manager, round=round, request=fresh_mfa_request(manager))
    round.refresh_from_db()
    assert round.status == RoundStatus.OPEN and not OpenedBidLine.objects.exists()
    round_open_sign(user=second, round=round, request=fresh_mfa_request(second))
    round.refresh_from_db()
    rfq.refresh_from_db()
    assert round.status == RoundStatus.OPENED and rfq.status == RfqStatus.OPENED
    assert set(BidSubmission.objects.values_list("commitment_verified", flat=True)) == {True}
    prices = sorted(OpenedBidLine.objects.values_list("unit_price", flat=True))
    assert prices == [Decimal("90"), Decimal("100"), Decimal("200"), Decimal("210")]
    audit = AuditEvent.objects.get(action="rfq.round_opened")
    assert audit.after["openers"] == [manager.email, second.email]
    assert audit.after["verified"] == 2
    assert OutboxEvent.objects.filter(topic="rfq.round_opened").count() == 1


def test_a_tampered_submission_is_not_compared(cast):
    rfq = make_published_rfq(cast)
    good = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["100", "200"])
    bad = submit_bid(cast.supplier_b_admin, rfq, cast.supplier_b, ["90", "210"])
    BidSubmission.objects.filter(pk=bad.pk).update(commitment="0" * 64)
    pass_deadline(rfq)
    open_round(rfq, [cast.sourcing_manager, second_sourcing_manager(cast.company_a)])
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.commitment_verified, bad.commitment_verified) == (True, False)
    assert set(OpenedBidLine.objects.values_list("submission_id", flat=True)) == {good.pk}
