"""The bid form: drafts, submissions and their receipts, withdrawal, envelopes; bad input gets its message next to the
field with nothing saved; only the supplier's sales people and administrators bid, before the deadline; another
supplier can neither see nor change the bid."""

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from rfq.sourcing.bidding import bid_draft_content, bid_save_draft, parse_bid
from rfq.sourcing.models import Bid, BidAttachment, BidStatus, BidSubmission, Invitation, InvitationStatus
from rfq.sourcing.rfqs import round_start
from tests.conftest import login
from tests.factories.documents import PDF_BYTES
from tests.factories.sourcing import (
    invitation_of,
    make_published_rfq,
    offer_rows,
    opened_rfq,
    pass_deadline,
    submit_bid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def login_as():
    return lambda user: login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def bid_url(invitation):
    return reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid})


def form_data(rfq, prices, *, action="submit", lead_time="30", tax_rate="13", comment="", **alternatives):
    """What the browser posts: each line's fields named "<line uuid>.<field>"."""
    data = {"action": action, "comment": comment}
    for line, price in zip(rfq.lines.order_by("position"), prices, strict=True):
        prefix = str(line.uuid)
        data.update(
            {
                f"{prefix}.unit_price": price,
                f"{prefix}.tax_rate": tax_rate,
                f"{prefix}.invoice_type": "vat_special",
                f"{prefix}.lead_time_days": lead_time if price != "" else "",
                f"{prefix}.moq": "",
                f"{prefix}.price_valid_until": "",
                f"{prefix}.comment": "",
            }
        )
    data.update(alternatives)
    return data


def state():
    """Everything a refused request must leave as it was."""
    return (
        list(Bid.objects.values_list("pk", "status", "draft_sealed", "current_id").order_by("pk")),
        list(BidSubmission.objects.values_list("pk", "withdrawn_at").order_by("pk")),
        list(BidAttachment.objects.values_list("pk", "removed_at").order_by("pk")),
        list(Invitation.objects.values_list("pk", "status").order_by("pk")),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


def field_errors(html: str, name: str) -> list[str]:
    """The messages shown right under the field `name`."""
    match = re.search(rf'<ul class="errorlist" id="f-{re.escape(name)}-error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def test_the_form_shows_the_lines_without_staff_prices(cast, login_as):
    rfq = make_published_rfq(cast, quantities=("12.5", "3"))
    rfq.lines.update(last_price=Decimal("777.1234"), target_price=Decimal("666.4321"))
    html = login_as(cast.supplier_a_sales).get(bid_url(invitation_of(rfq, cast.supplier_a))).content.decode()
    line = rfq.lines.order_by("position").first()
    assert f"{line.item.code} {line.item.display_name}" in html
    assert "12.5" in html
    assert line.unit.display_name in html
    assert line.need_by.isoformat() in html
    for secret in ("777.1234", "666.4321", "777,1234", "666,4321"):
        assert secret not in html
    assert f'name="{line.uuid}.unit_price"' in html
    for rate in ("13", "9", "6", "3", "1", "0"):
        assert f'<option value="{rate}">{rate} %</option>' in html


def test_save_draft_then_the_form_shows_it(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)
    first = rfq.lines.order_by("position").first()

    response = client.post(bid_url(invitation), form_data(rfq, ["1250.50", ""], action="save", comment="Draft"))

    assert response.status_code == 302
    assert response["Location"] == bid_url(invitation)
    bid = Bid.objects.get()
    assert (bid.status, bid.current_id) == (BidStatus.DRAFT, None)
    assert BidSubmission.objects.count() == 0
    content = bid_draft_content(user=cast.supplier_a_sales, bid=bid)
    assert [(row.line, row.unit_price) for row in content.rows] == [(str(first.uuid), Decimal("1250.50"))]
    html = client.get(bid_url(invitation)).content.decode()
    assert f'name="{first.uuid}.unit_price" value="1250.5"' in html
    assert ">Draft</textarea>" in html


def test_submit_gives_a_receipt_with_the_commitment(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)

    response = client.post(bid_url(invitation), form_data(rfq, ["100", "200.5"]))

    submission = BidSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "sourcing:receipt", kwargs={"invitation_id": invitation.uuid, "submission_id": submission.uuid}
    )
    assert (submission.version, submission.bid.status, submission.submitted_by) == (
        1,
        BidStatus.SUBMITTED,
        cast.supplier_a_sales,
    )
    receipt = client.get(response["Location"]).content.decode()
    assert f'<code class="mono" data-commitment>{submission.commitment}</code>' in receipt
    assert len(submission.commitment) == 64
    assert "(Asia/Shanghai)" in receipt
    assert submission.submitted_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + " (UTC)" in receipt
    assert "200.5" in receipt  # the supplier's own copy
    # 10 × 200.5 net and 10 × 200.5 × 1.13 gross
    assert "2005.00" in receipt
    assert "2265.65" in receipt


def test_a_revision_is_a_new_version_prefilled_from_the_last_submission(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)
    client.post(bid_url(invitation), form_data(rfq, ["100", "200"]))
    html = client.get(bid_url(invitation)).content.decode()
    first = rfq.lines.order_by("position").first()
    assert f'name="{first.uuid}.unit_price" value="100"' in html
    assert "Submit new version" in html

    client.post(bid_url(invitation), form_data(rfq, ["99", "200"]))

    assert list(BidSubmission.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    bid = Bid.objects.get()
    assert bid.current.version == 2
    detail = client.get(reverse("sourcing:rfq_detail", kwargs={"invitation_id": invitation.uuid})).content.decode()
    assert "Submitted v2" in detail


@pytest.mark.parametrize(
    ("prices", "lead_time", "field", "message"),
    [
        (["-5", "200"], "30", "unit_price", "Enter a price greater than zero."),
        (["abc", "200"], "30", "unit_price", "Enter the unit price as a number, e.g. 1250.50."),
        (["", "200"], "30", "unit_price", "This RFQ asks for a price for every line."),
        (["100", "200"], "2.5", "lead_time_days", "Enter the lead time as a whole number of days (0 to 3650)."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(cast, login_as, prices, lead_time, field, message):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    before = state()

    response = login_as(cast.supplier_a_sales).post(bid_url(invitation), form_data(rfq, prices, lead_time=lead_time))

    assert response.status_code == 400
    html = response.content.decode()
    first = rfq.lines.order_by("position").first()
    assert field_errors(html, f"{first.uuid}.{field}") == [message]
    assert "Nothing was saved. Correct the values marked below and try again." in html
    # what was typed stays in the form
    assert f'name="{first.uuid}.unit_price" value="{prices[0]}"' in html
    assert state() == before


def test_a_draft_may_leave_lines_empty_but_bad_values_are_refused(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)
    before = state()
    response = client.post(bid_url(invitation), form_data(rfq, ["-1", ""], action="save"))
    assert response.status_code == 400
    assert state() == before
    assert client.post(bid_url(invitation), form_data(rfq, ["5", ""], action="save")).status_code == 302
    assert Bid.objects.get().draft_saved_at is not None


def test_an_alternative_offer_needs_a_description(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    first = rfq.lines.order_by("position").first()
    alternative = {
        f"{first.uuid}.alt.unit_price": "80",
        f"{first.uuid}.alt.tax_rate": "13",
        f"{first.uuid}.alt.invoice_type": "vat_special",
        f"{first.uuid}.alt.lead_time_days": "45",
    }
    client = login_as(cast.supplier_a_sales)
    before = state()

    response = client.post(bid_url(invitation), form_data(rfq, ["100", "200"], **alternative))

    assert response.status_code == 400
    assert field_errors(response.content.decode(), f"{first.uuid}.alt.comment") == [
        "Describe the alternative (e.g. the other material or make)."
    ]
    assert state() == before
    alternative[f"{first.uuid}.alt.comment"] = "Q235B instead of Q355B"
    assert client.post(bid_url(invitation), form_data(rfq, ["100", "200"], **alternative)).status_code == 302
    receipt = client.get(
        reverse(
            "sourcing:receipt",
            kwargs={"invitation_id": invitation.uuid, "submission_id": BidSubmission.objects.get().uuid},
        )
    )
    assert "Q235B instead of Q355B" in receipt.content.decode()


def test_finance_member_gets_403_and_nothing_changes(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    before = state()
    client = login_as(cast.supplier_a_finance)
    assert client.get(bid_url(invitation)).status_code == 403
    assert client.post(bid_url(invitation), form_data(rfq, ["100", "200"])).status_code == 403
    assert client.post(reverse("sourcing:bid_withdraw", kwargs={"invitation_id": invitation.uuid})).status_code == 403
    assert state() == before


def test_another_supplier_cannot_see_or_change_my_bid(cast, login_as):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    mine = invitation_of(rfq, cast.supplier_a)
    theirs = invitation_of(rfq, cast.supplier_b)
    before = state()
    other = login_as(cast.supplier_b_admin)
    receipt = reverse("sourcing:receipt", kwargs={"invitation_id": mine.uuid, "submission_id": submission.uuid})
    receipt_pdf = reverse("sourcing:receipt_pdf", kwargs={"invitation_id": mine.uuid, "submission_id": submission.uuid})
    # their own invitation with my submission's id is no way in either
    crossed = reverse("sourcing:receipt", kwargs={"invitation_id": theirs.uuid, "submission_id": submission.uuid})

    assert other.get(bid_url(mine)).status_code == 404
    assert other.post(bid_url(mine), form_data(rfq, ["1", "1"])).status_code == 404
    assert other.post(reverse("sourcing:bid_withdraw", kwargs={"invitation_id": mine.uuid})).status_code == 404
    assert other.get(receipt).status_code == 404
    assert other.get(receipt_pdf).status_code == 404
    assert other.get(crossed).status_code == 404
    assert other.get(reverse("sourcing:bid_xlsx", kwargs={"invitation_id": mine.uuid})).status_code == 404
    assert state() == before
    assert Bid.objects.get(supplier=cast.supplier_a).current == submission


def test_after_the_deadline_the_form_is_read_only_and_a_post_is_refused(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)
    client.get(bid_url(invitation))
    pass_deadline(rfq)
    before = state()

    page = client.get(bid_url(invitation)).content.decode()
    assert "The deadline for bids has passed. Your bid can no longer be changed." in page
    assert 'value="submit"' not in page
    assert "disabled" in page
    response = client.post(bid_url(invitation), form_data(rfq, ["100", "200"]))

    assert response.status_code == 400
    assert "The deadline for bids passed at" in response.content.decode()
    assert state() == before


def test_withdraw_before_the_deadline(cast, login_as):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)
    assert "Withdraw bid" in client.get(bid_url(invitation)).content.decode()

    response = client.post(reverse("sourcing:bid_withdraw", kwargs={"invitation_id": invitation.uuid}))

    assert response.status_code == 302
    bid = Bid.objects.get()
    assert (bid.status, bid.current) == (BidStatus.WITHDRAWN, None)
    assert BidSubmission.objects.get().withdrawn_at is not None
    detail = client.get(reverse("sourcing:rfq_detail", kwargs={"invitation_id": invitation.uuid})).content.decode()
    assert "Withdrawn" in detail


def test_envelope_files_added_listed_downloaded_and_removed(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = login_as(cast.supplier_a_sales)

    response = client.post(
        reverse("sourcing:attachment_add", kwargs={"invitation_id": invitation.uuid}),
        {"envelope": "technical", "file": SimpleUploadedFile("图纸.pdf", PDF_BYTES, content_type="application/pdf")},
    )

    assert response.status_code == 302
    attachment = BidAttachment.objects.get()
    assert (attachment.envelope, attachment.size) == ("technical", len(PDF_BYTES))
    html = client.get(bid_url(invitation)).content.decode()
    assert "图纸.pdf" in html
    download = client.get(
        reverse(
            "sourcing:attachment_download",
            kwargs={"invitation_id": invitation.uuid, "attachment_id": attachment.uuid},
        )
    )
    assert download.content == PDF_BYTES
    other = login_as(cast.supplier_b_admin)
    remove_url = reverse(
        "sourcing:attachment_remove", kwargs={"invitation_id": invitation.uuid, "attachment_id": attachment.uuid}
    )
    assert other.post(remove_url).status_code == 404
    assert BidAttachment.objects.get().removed_at is None
    assert client.post(remove_url).status_code == 302
    assert BidAttachment.objects.get().removed_at is not None


def test_a_wrong_file_type_is_refused_next_to_the_field(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    before = state()

    response = login_as(cast.supplier_a_sales).post(
        reverse("sourcing:attachment_add", kwargs={"invitation_id": invitation.uuid}),
        {"envelope": "commercial", "file": SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="text/plain")},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html.replace('id="id_file_error"', 'id="f-file-error"'), "file") == [
        "Files of type “.exe” cannot be uploaded. Allowed types: csv, docx, gif, jpeg, jpg, pdf, png, txt, webp, "
        "xlsx, zip."
    ]
    assert state() == before


def test_declined_invitation_has_a_read_only_form(cast, login_as):
    rfq = make_published_rfq(cast)
    Invitation.objects.filter(rfq=rfq, supplier=cast.supplier_a).update(status=InvitationStatus.DECLINED)
    invitation = invitation_of(rfq, cast.supplier_a)
    before = state()
    client = login_as(cast.supplier_a_sales)
    assert "You declined this RFQ, so you cannot bid on it." in client.get(bid_url(invitation)).content.decode()
    response = client.post(bid_url(invitation), form_data(rfq, ["100", "200"]))
    assert response.status_code == 400
    assert "You declined this RFQ." in response.content.decode()
    assert state() == before


def test_receipt_pdf_for_the_supplier(cast, login_as):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    invitation = invitation_of(rfq, cast.supplier_a)
    url = reverse("sourcing:receipt_pdf", kwargs={"invitation_id": invitation.uuid, "submission_id": submission.uuid})

    response = login_as(cast.supplier_a_sales).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"{rfq.number}-receipt-v1.pdf" in response["Content-Disposition"]
    # staff of the RFQ's own company never get it
    assert login_as(cast.buyer).get(url).status_code == 404
    assert login_as(cast.sourcing_manager).get(url).status_code == 404


def test_the_draft_prefill_prefers_a_newer_draft_over_the_submission(cast, login_as):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    invitation = invitation_of(rfq, cast.supplier_a)
    bid_save_draft(
        user=cast.supplier_a_admin,
        invitation=invitation,
        content=parse_bid(rfq, offer_rows(rfq, [95, 200])),
    )
    html = login_as(cast.supplier_a_sales).get(bid_url(invitation)).content.decode()
    first = rfq.lines.order_by("position").first()
    assert f'name="{first.uuid}.unit_price" value="95"' in html


def test_the_countdown_on_the_form(cast, login_as):
    rfq = make_published_rfq(cast, deadline=timezone.now() + timedelta(hours=3, minutes=30, seconds=30))
    html = login_as(cast.supplier_a_sales).get(bid_url(invitation_of(rfq, cast.supplier_a))).content.decode()
    assert "closes in 3 h 30 min" in html


def test_a_later_round_starts_from_the_last_offer_and_is_only_for_the_chosen(cast, login_as):
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [90, 150]})
    rfq = opened.rfq
    mine = invitation_of(rfq, cast.supplier_a)
    round_start(user=cast.buyer, rfq=rfq, invitations=[mine], deadline=timezone.now() + timedelta(days=1))
    client = login_as(cast.supplier_a_sales)

    html = client.get(bid_url(mine)).content.decode()

    first = rfq.lines.order_by("position").first()
    assert f'name="{first.uuid}.unit_price" value="100"' in html
    assert 'value="submit"' in html
    detail = client.get(reverse("sourcing:rfq_detail", kwargs={"invitation_id": mine.uuid})).content.decode()
    assert "You are invited to round 2 (best and final offer)." in detail
    assert client.post(bid_url(mine), form_data(rfq, ["95", "190"])).status_code == 302
    assert Bid.objects.get(round__number=2).current.version == 1
    theirs = login_as(cast.supplier_b_admin).get(bid_url(invitation_of(rfq, cast.supplier_b))).content.decode()
    assert "The bids of this round were opened. Your bid can no longer be changed." in theirs
