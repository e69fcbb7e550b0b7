"""The supplier's RFQ inbox and RFQ page: only its own invitations, never another supplier's or any count, never a
last or target price; questions, declining, documents, the rank after an opening, the award letter; the panel."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from rfq.sourcing import notifications as kinds
from rfq.sourcing.bidding import bid_save_draft, bid_withdraw, parse_bid
from rfq.sourcing.models import (
    Amendment,
    Award,
    AwardLetter,
    AwardStatus,
    Bid,
    Invitation,
    InvitationStatus,
    Question,
    Rfq,
    RfqAttachment,
    RfqStatus,
)
from tests.conftest import login
from tests.factories.documents import DocumentFactory
from tests.factories.sourcing import invitation_of, make_published_rfq, offer_rows, opened_rfq, submit_bid

pytestmark = pytest.mark.django_db

LAST_PRICE = Decimal("777.1234")
TARGET_PRICE = Decimal("666.4321")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def login_as():
    """A fresh English-speaking client per person (the pages follow the browser's language)."""
    return lambda user: login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def detail_url(invitation):
    return reverse("sourcing:rfq_detail", kwargs={"invitation_id": invitation.uuid})


def secret_prices(rfq):
    rfq.lines.update(last_price=LAST_PRICE, target_price=TARGET_PRICE)


def assert_no_staff_prices(html: str):
    for value in ("777.1234", "777,1234", "666.4321", "666,4321"):
        assert value not in html


def snapshot():
    return (
        list(Invitation.objects.values_list("pk", "status", "decline_reason").order_by("pk")),
        Question.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
        Bid.objects.count(),
    )


# --- inbox ----------------------------------------------------------------------------------------------------------


def test_inbox_shows_only_the_partners_live_invitations_without_counts(cast, login_as):
    mine = make_published_rfq(cast, title="Steel plates for line 3")
    others = make_published_rfq(cast, title="Gearboxes for Wuhan", suppliers=(cast.supplier_b,))
    draft = make_published_rfq(cast, title="A draft nobody may see", suppliers=(cast.supplier_a,))
    Rfq.objects.filter(pk=draft.pk).update(status=RfqStatus.DRAFT)
    removed = make_published_rfq(cast, title="Withdrawn invitation", suppliers=(cast.supplier_a,))
    Invitation.objects.filter(rfq=removed).update(status=InvitationStatus.REMOVED)

    response = login_as(cast.supplier_a_sales).get(reverse("sourcing:inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Steel plates for line 3" in html
    assert html.count("data-invitation=") == 1
    assert f'data-invitation="{invitation_of(mine, cast.supplier_a).uuid}"' in html
    for absent in (others.title, draft.title, removed.title, cast.supplier_b.name, cast.supplier_b.name_en):
        assert absent not in html
    assert "closes in 1 day 23 h" in html
    assert "Not started" in html


def test_inbox_status_of_each_invitation(cast, login_as):
    submitted = make_published_rfq(cast, title="Submitted one", suppliers=(cast.supplier_a,))
    submit_bid(cast.supplier_a_admin, submitted, cast.supplier_a, [100, 200])
    amended = make_published_rfq(cast, title="Amended one", suppliers=(cast.supplier_a,))
    submit_bid(cast.supplier_a_admin, amended, cast.supplier_a, [100, 200])
    submit_bid(cast.supplier_a_admin, amended, cast.supplier_a, [101, 200])
    Rfq.objects.filter(pk=amended.pk).update(version=2)
    declined = make_published_rfq(cast, title="Declined one", suppliers=(cast.supplier_a,))
    client = login_as(cast.supplier_a_admin)
    client.post(
        reverse("sourcing:decline", kwargs={"invitation_id": invitation_of(declined, cast.supplier_a).uuid}),
        {"reason": "No capacity"},
    )

    drafted = make_published_rfq(cast, title="Drafted one", suppliers=(cast.supplier_a,))
    bid_save_draft(
        user=cast.supplier_a_admin,
        invitation=invitation_of(drafted, cast.supplier_a),
        content=parse_bid(drafted, offer_rows(drafted, [100, 200])),
    )
    withdrawn = make_published_rfq(cast, title="Withdrawn one", suppliers=(cast.supplier_a,))
    submit_bid(cast.supplier_a_admin, withdrawn, cast.supplier_a, [100, 200])
    bid_withdraw(user=cast.supplier_a_admin, invitation=invitation_of(withdrawn, cast.supplier_a))
    make_published_rfq(cast, title="Untouched one", suppliers=(cast.supplier_a,))

    html = client.get(reverse("sourcing:inbox")).content.decode()

    def status_of(rfq_title):
        row = html[html.index(rfq_title) :]
        return re.search(r"data-status>([^<]+)<", row[: row.index("</tr>")]).group(1)

    assert status_of("Submitted one") == "Submitted v1"
    assert status_of("Amended one") == "Needs re-confirmation after an amendment"
    assert status_of("Declined one") == "Declined"
    assert status_of("Drafted one") == "Draft saved"
    assert status_of("Withdrawn one") == "Withdrawn"
    assert status_of("Untouched one") == "Not started"


def test_inbox_runs_a_constant_number_of_queries(cast, login_as):
    client = login_as(cast.supplier_a_sales)
    make_published_rfq(cast, suppliers=(cast.supplier_a,))
    client.get(reverse("sourcing:inbox"))  # warm the session and the user's caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("sourcing:inbox")).status_code == 200
    for _ in range(5):
        rfq = make_published_rfq(cast, suppliers=(cast.supplier_a,))
        submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [10, 20])
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("sourcing:inbox"))
    assert response.content.decode().count("data-invitation=") == 6
    # session, user, membership, scope (2) + invitations, the RFQs' rounds, chosen later rounds, bids
    assert len(six) == len(one)


def test_inbox_is_for_supplier_members_only(cast, client, login_as):
    assert client.get(reverse("sourcing:inbox")).status_code == 302
    assert login_as(cast.buyer).get(reverse("sourcing:inbox")).status_code == 404
    assert login_as(cast.customer_c_admin).get(reverse("sourcing:inbox")).status_code == 404


# --- detail ---------------------------------------------------------------------------------------------------------


def test_detail_shows_the_rfq_without_staff_prices(cast, login_as):
    rfq = make_published_rfq(cast, title="Cold rolled coil", payment_terms="60 days net", incoterm_place="Shanghai")
    secret_prices(rfq)
    invitation = invitation_of(rfq, cast.supplier_a)

    response = login_as(cast.supplier_a_sales).get(detail_url(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cold rolled coil" in html
    assert "60 days net" in html
    assert "DAP Shanghai" in html
    assert "(Asia/Shanghai)" in html
    local = timezone.localtime(rfq.rounds.get().deadline, timezone.get_fixed_timezone(8 * 60))
    assert local.strftime("%Y-%m-%d %H:%M") in html
    for line in rfq.lines.all():
        assert line.item.code in html
    assert_no_staff_prices(html)
    assert cast.supplier_b.name not in html


def test_detail_is_404_for_another_supplier_and_for_staff(cast, login_as, client):
    invitation = invitation_of(make_published_rfq(cast), cast.supplier_a)
    assert login_as(cast.supplier_b_admin).get(detail_url(invitation)).status_code == 404
    assert login_as(cast.staff_b).get(detail_url(invitation)).status_code == 404
    assert login_as(cast.buyer).get(detail_url(invitation)).status_code == 404
    response = client.get(detail_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_detail_of_a_draft_rfq_is_404(cast, login_as):
    rfq = make_published_rfq(cast, suppliers=(cast.supplier_a,))
    Rfq.objects.filter(pk=rfq.pk).update(status=RfqStatus.DRAFT)
    response = login_as(cast.supplier_a_sales).get(detail_url(invitation_of(rfq, cast.supplier_a)))
    assert response.status_code == 404


def test_questions_answered_for_everyone_and_my_own_open_ones(cast, login_as):
    rfq = make_published_rfq(cast)
    mine = invitation_of(rfq, cast.supplier_a)
    theirs = invitation_of(rfq, cast.supplier_b)
    Question.objects.create(
        rfq=rfq,
        invitation=theirs,
        text="Is galvanised steel acceptable?",
        asked_by=cast.supplier_b_admin,
        answer="Yes, Z275.",
        answered_by=cast.buyer,
        answered_at=timezone.now(),
    )
    Question.objects.create(rfq=rfq, invitation=theirs, text="Their open question", asked_by=cast.supplier_b_admin)
    Question.objects.create(rfq=rfq, invitation=mine, text="My open question", asked_by=cast.supplier_a_sales)

    html = login_as(cast.supplier_a_sales).get(detail_url(mine)).content.decode()

    assert "Is galvanised steel acceptable?" in html
    assert "Yes, Z275." in html
    assert "My open question" in html
    assert "Their open question" not in html
    assert cast.supplier_b_admin.email not in html
    assert cast.supplier_b.name not in html


def test_asking_a_question_notifies_the_buyer(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)

    response = login_as(cast.supplier_a_sales).post(
        reverse("sourcing:question_create", kwargs={"invitation_id": invitation.uuid}),
        {"text": "May we quote S355 instead of Q355?"},
    )

    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.invitation, question.text, question.asked_by) == (
        invitation,
        "May we quote S355 instead of Q355?",
        cast.supplier_a_sales,
    )
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (cast.buyer, kinds.QUESTION_ASKED)
    assert notification.params["rfq"] == rfq.number
    assert notification.url == reverse("sourcing_admin:rfq_detail", kwargs={"rfq_id": rfq.uuid})
    assert AuditEvent.objects.filter(action="rfq.question_asked").count() == 1


def test_question_refused_for_finance_member_outsider_and_empty_text(cast, login_as, client):
    invitation = invitation_of(make_published_rfq(cast), cast.supplier_a)
    url = reverse("sourcing:question_create", kwargs={"invitation_id": invitation.uuid})
    before = snapshot()

    assert login_as(cast.supplier_a_finance).post(url, {"text": "Hello"}).status_code == 403
    assert login_as(cast.supplier_b_admin).post(url, {"text": "Hello"}).status_code == 404
    response = login_as(cast.supplier_a_sales).post(url, {"text": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert client.post(url, {"text": "Hello"}).status_code == 302

    assert snapshot() == before


def test_finance_member_sees_the_rfq_but_no_bid_actions(cast, login_as):
    invitation = invitation_of(make_published_rfq(cast), cast.supplier_a)
    html = login_as(cast.supplier_a_finance).get(detail_url(invitation)).content.decode()
    assert reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid}) not in html
    assert reverse("sourcing:decline", kwargs={"invitation_id": invitation.uuid}) not in html


def test_decline_with_a_reason(cast, login_as):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)

    response = login_as(cast.supplier_a_sales).post(
        reverse("sourcing:decline", kwargs={"invitation_id": invitation.uuid}), {"reason": "No capacity in Q3"}
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decline_reason) == (InvitationStatus.DECLINED, "No capacity in Q3")
    notification = Notification.objects.get(kind=kinds.INVITATION_DECLINED)
    assert notification.recipient == cast.buyer
    html = login_as(cast.supplier_a_sales).get(detail_url(invitation)).content.decode()
    assert "No capacity in Q3" in html
    bid_page = login_as(cast.supplier_a_sales).get(reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid}))
    assert "You declined this RFQ, so you cannot bid on it." in bid_page.content.decode()


def test_decline_refused_without_reason_for_finance_and_for_another_supplier(cast, login_as):
    invitation = invitation_of(make_published_rfq(cast), cast.supplier_a)
    url = reverse("sourcing:decline", kwargs={"invitation_id": invitation.uuid})
    before = snapshot()

    response = login_as(cast.supplier_a_sales).post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert login_as(cast.supplier_a_finance).post(url, {"reason": "x"}).status_code == 403
    assert login_as(cast.supplier_b_admin).post(url, {"reason": "x"}).status_code == 404

    assert snapshot() == before


def test_rfq_documents_download_for_the_invited_supplier_only(cast, login_as):
    rfq = make_published_rfq(cast)
    document = DocumentFactory(owner_partner=None, owner_company=cast.company_a, original_name="drawing.pdf")
    RfqAttachment.objects.create(rfq=rfq, document=document)
    other = DocumentFactory(owner_partner=None, owner_company=cast.company_a, original_name="other.pdf")
    invitation = invitation_of(rfq, cast.supplier_a)
    url = reverse("sourcing:rfq_document", kwargs={"invitation_id": invitation.uuid, "document_id": document.uuid})

    page = login_as(cast.supplier_a_sales).get(detail_url(invitation)).content.decode()
    assert "drawing.pdf" in page
    response = login_as(cast.supplier_a_sales).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="drawing.pdf"' in response["Content-Disposition"]

    assert login_as(cast.supplier_b_admin).get(url).status_code == 404
    not_attached = reverse(
        "sourcing:rfq_document", kwargs={"invitation_id": invitation.uuid, "document_id": other.uuid}
    )
    assert login_as(cast.supplier_a_sales).get(not_attached).status_code == 404


def test_amendments_listed(cast, login_as):
    rfq = make_published_rfq(cast)
    Amendment.objects.create(rfq=rfq, version=2, summary="Line 2 quantity is now 20 t.", created_by=cast.buyer)
    html = login_as(cast.supplier_a_sales).get(detail_url(invitation_of(rfq, cast.supplier_a))).content.decode()
    assert "Version 2" in html
    assert "Line 2 quantity is now 20 t." in html


def test_my_bid_history_and_rank_after_opening_without_the_number_of_bidders(cast, login_as):
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [90, 150]}, show_rank=True)
    invitation = invitation_of(opened.rfq, cast.supplier_a)
    submission = opened.submissions[cast.supplier_a.pk]

    html = login_as(cast.supplier_a_sales).get(detail_url(invitation)).content.decode()

    assert "Your rank: 2" in html
    assert "v1" in html
    assert submission.commitment[:14] in html
    for counting in ("of 2", "2 bids", "2 suppliers", "/ 2", cast.supplier_b.name):
        assert counting not in html
    html_b = login_as(cast.supplier_b_admin).get(detail_url(invitation_of(opened.rfq, cast.supplier_b)))
    assert "Your rank: 1" in html_b.content.decode()


def test_no_rank_when_the_rfq_does_not_show_it(cast, login_as):
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [90, 150]})
    html = login_as(cast.supplier_a_sales).get(detail_url(invitation_of(opened.rfq, cast.supplier_a)))
    assert "Your rank" not in html.content.decode()


def test_award_letter_download(cast, login_as):
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [90, 150]})
    rfq = opened.rfq
    award = Award.objects.create(rfq=rfq, status=AwardStatus.APPROVED, currency="CNY", created_by=cast.buyer)
    mine = invitation_of(rfq, cast.supplier_a)
    document = DocumentFactory(owner_partner=cast.supplier_a, original_name="regret.pdf")
    letter = AwardLetter.objects.create(award=award, invitation=mine, is_winner=False, document=document)
    url = reverse("sourcing:award_letter", kwargs={"invitation_id": mine.uuid, "letter_id": letter.uuid})

    html = login_as(cast.supplier_a_sales).get(detail_url(mine)).content.decode()
    assert "Regret notice (PDF)" in html
    assert login_as(cast.supplier_a_sales).get(url).status_code == 200
    assert login_as(cast.supplier_b_admin).get(url).status_code == 404


# --- the dashboard panel ------------------------------------------------------------------------------------------


def test_dashboard_panel_counts_open_invitations_and_the_nearest_deadline(cast, login_as):
    soon = timezone.now() + timedelta(hours=5)
    make_published_rfq(cast, suppliers=(cast.supplier_a,), deadline=soon)
    make_published_rfq(cast, suppliers=(cast.supplier_a,), deadline=timezone.now() + timedelta(days=3))
    make_published_rfq(cast, suppliers=(cast.supplier_a,), deadline=timezone.now() - timedelta(hours=1))
    make_published_rfq(cast, suppliers=(cast.supplier_b,), deadline=timezone.now() + timedelta(hours=1))

    html = login_as(cast.supplier_a_sales).get("/supplier/").content.decode()

    assert "Open invitations" in html
    assert "2 RFQs wait for your bid." in html
    assert timezone.localtime(soon, timezone.get_fixed_timezone(8 * 60)).strftime("%Y-%m-%d %H:%M") in html


def test_open_invitations_are_listed_by_how_soon_they_close(cast, login_as):
    later = make_published_rfq(cast, title="Closes later", deadline=timezone.now() + timedelta(days=5))
    sooner = make_published_rfq(cast, title="Closes sooner", deadline=timezone.now() + timedelta(hours=2))
    html = login_as(cast.supplier_a_sales).get(reverse("sourcing:inbox")).content.decode()
    assert html.index(sooner.title) < html.index(later.title)
    assert "closes in 1 h 59 min" in html


def test_no_panel_when_nothing_waits(cast, login_as):
    make_published_rfq(cast, suppliers=(cast.supplier_a,), deadline=timezone.now() - timedelta(hours=1))
    html = login_as(cast.supplier_a_sales).get("/supplier/").content.decode()
    assert "Open invitations" not in html
    assert "Nothing waits for you." in html
