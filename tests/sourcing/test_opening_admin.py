"""The opening ceremony page: the deadline, who submitted (never what), the signatures; sourcing managers open with
a second factor used just now (else allauth's re-authentication first); two distinct managers unseal the round."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.account import app_settings as account_settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from rfq.banking.reauth import reauthenticate_url
from rfq.sourcing.models import OpenedBidLine, OpeningSignature, Rfq, RfqStatus, RoundStatus
from tests.conftest import login
from tests.factories.sourcing import make_published_rfq, pass_deadline, second_sourcing_manager, submit_bid

pytestmark = pytest.mark.django_db
STALE = account_settings.REAUTHENTICATION_TIMEOUT + 1


def english(user):
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user


def urls(rfq):
    round = rfq.rounds.get(number=1)
    base = f"/cms/sourcing/{rfq.uuid}/rounds/{round.uuid}/"
    return base + "opening/", base + "open/"


def snapshot(rfq):
    round = rfq.rounds.get(number=1)
    return (
        Rfq.objects.get(pk=rfq.pk).status,
        round.status,
        OpeningSignature.objects.count(),
        OpenedBidLine.objects.count(),
        AuditEvent.objects.filter(action__startswith="rfq.").count(),
    )


@pytest.fixture
def bid_rfq(cast):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["8765.4321", "5432.1987"], comment="秘密备注")
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["8765.4322", "5432.1988"])
    return rfq


def test_before_the_deadline_the_button_is_disabled_with_the_reason(client, cast, bid_rfq):
    page, action = urls(bid_rfq)
    login(client, english(cast.sourcing_manager))
    response = client.get(page)
    content = response.content.decode()
    assert response.status_code == 200
    assert "disabled" in content and "the round can be opened only after that." in content
    # who submitted and how many versions, never what
    assert cast.supplier_a.name in content and cast.supplier_b.name not in content
    assert [bid.versions for bid in response.context["bids"]] == [2]
    assert "8765" not in content and "5432" not in content and "秘密备注" not in content
    before = snapshot(bid_rfq)
    response = client.post(action)
    assert response.status_code == 302 and response["Location"] == page
    assert snapshot(bid_rfq) == before


def test_a_stale_second_factor_is_asked_again_first(client, cast, bid_rfq):
    pass_deadline(bid_rfq)
    page, action = urls(bid_rfq)
    login(client, cast.sourcing_manager)
    before = snapshot(bid_rfq)
    with time_machine.travel(time.time() + STALE, tick=False):
        response = client.post(action)
    assert response.status_code == 302
    assert response["Location"] == reauthenticate_url(page)
    assert snapshot(bid_rfq) == before


def test_two_distinct_managers_open_the_round(client, cast, bid_rfq):
    pass_deadline(bid_rfq)
    page, action = urls(bid_rfq)
    second = second_sourcing_manager(cast.company_a)
    login(client, english(cast.sourcing_manager))
    assert client.post(action).status_code == 302
    round = bid_rfq.rounds.get(number=1)
    assert (round.status, list(round.signatures.values_list("user", flat=True))) == (
        RoundStatus.OPEN,
        [cast.sourcing_manager.pk],
    )
    response = client.get(page)
    assert "You have signed. A second sourcing manager must open it too." in response.content.decode()
    # the same manager again changes nothing
    before = snapshot(bid_rfq)
    client.post(action)
    assert snapshot(bid_rfq) == before
    login(client, english(second))
    assert client.post(action).status_code == 302
    round.refresh_from_db()
    assert round.status == RoundStatus.OPENED
    assert Rfq.objects.get(pk=bid_rfq.pk).status == RfqStatus.OPENED
    assert OpenedBidLine.objects.count() == 2
    response = client.get(page)
    assert [signature.user for signature in response.context["signatures"]] == [cast.sourcing_manager, second]


@pytest.mark.parametrize("who, status", [("buyer", 403), ("sales", 403), ("staff_b", 404)])
def test_only_sourcing_managers_of_the_company_open(client, cast, bid_rfq, who, status):
    pass_deadline(bid_rfq)
    page, action = urls(bid_rfq)
    before = snapshot(bid_rfq)
    response = login(client, getattr(cast, who)).post(action)
    assert response.status_code == status
    assert snapshot(bid_rfq) == before
    if who != "staff_b":
        # colleagues see the ceremony, with the button disabled for them
        assert "disabled" in client.get(page).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, cast, bid_rfq):
    pass_deadline(bid_rfq)
    page, action = urls(bid_rfq)
    before = snapshot(bid_rfq)
    response = client.post(action)
    assert response.status_code == 302 and "login" in response["Location"]
    assert snapshot(bid_rfq) == before
    assert bid_rfq.rounds.get().deadline < timezone.now() + timedelta(seconds=1)


def test_opened_envelopes_are_listed_and_served_to_buyers_only_after_opening(cast, client, login_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rfq.sourcing.bidding import bid_attachment_add, bid_attachment_open
    from tests.factories.sourcing import invitation_of, open_round, second_sourcing_manager, submit_bid

    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    submitted = bid_attachment_add(
        user=cast.supplier_a_admin, invitation=invitation, envelope="technical",
        uploaded_file=SimpleUploadedFile("方案.txt", "技术方案正文".encode()),
    )  # fmt: skip
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["10", "20"])
    kept_in_draft = bid_attachment_add(
        user=cast.supplier_a_admin, invitation=invitation, envelope="commercial",
        uploaded_file=SimpleUploadedFile("草稿.txt", "未提交的文件".encode()),
    )  # fmt: skip
    round = pass_deadline(rfq)
    url = reverse(
        "sourcing_admin:envelope_download",
        kwargs={"rfq_id": rfq.uuid, "round_id": round.uuid, "attachment_id": submitted.uuid},
    )
    login_as(cast.buyer)
    assert client.get(url).status_code == 404  # sealed until the opening
    open_round(rfq, [cast.sourcing_manager, second_sourcing_manager(cast.company_a)])
    page = client.get(reverse("sourcing_admin:opening", kwargs={"rfq_id": rfq.uuid, "round_id": round.uuid}))
    assert "方案.txt" in page.content.decode() and "草稿.txt" not in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode() == "技术方案正文"
    # a file the supplier kept in its draft after submitting is never revealed
    draft_url = url.replace(str(submitted.uuid), str(kept_in_draft.uuid))
    assert client.get(draft_url).status_code == 404
    with pytest.raises(PermissionDenied):
        bid_attachment_open(user=cast.buyer, attachment=kept_in_draft)
    # sales staff of the company see the RFQ but not the envelopes
    login_as(cast.sales)
    assert client.get(url).status_code == 403
