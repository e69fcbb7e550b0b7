"""Public tenders: the notices anyone may read (never invitees, counts or staff prices), and joining one when the AVL
allows the supplier for every category of the lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.sourcing.models import Invitation, InvitationSource, RfqLine, RfqStatus, Round, RoundStatus
from tests.conftest import login
from tests.factories.catalog import UnitFactory
from tests.factories.sourcing import make_published_rfq

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    return login(client, user) if user is not None else client


def public_tender(cast, **fields):
    rfq = make_published_rfq(cast, suppliers=(cast.supplier_b,), is_public=True, **fields)
    rfq.lines.update(last_price=Decimal("777.1234"), target_price=Decimal("666.4321"))
    return rfq


def approve(cast, rfq, partner, status=AvlStatus.APPROVED, reason=""):
    for line in rfq.lines.filter(item__isnull=False).select_related("item"):
        ApprovedSupplier.objects.update_or_create(
            company=cast.company_a,
            category=line.item.category,
            partner=partner,
            defaults={"status": status, "reason": reason},
        )


def join_url(rfq):
    return reverse("tenders:join", kwargs={"rfq_id": rfq.uuid})


def detail_url(rfq):
    return reverse("tenders:detail", kwargs={"rfq_id": rfq.uuid})


def test_the_list_shows_open_public_tenders_to_anyone(cast):
    open_tender = public_tender(cast, title="Public: bearings")
    private = make_published_rfq(cast, title="Private RFQ")
    closed = public_tender(cast, title="Public but closed", deadline=timezone.now() - timedelta(minutes=1))
    cancelled = public_tender(cast, title="Public but cancelled")
    cancelled.status = RfqStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    second_round = public_tender(cast, title="Public in round two")
    Round.objects.create(rfq=second_round, number=2, deadline=timezone.now() + timedelta(days=3))

    response = client_for().get(reverse("tenders:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-tender=") == 1
    assert "Public: bearings" in html
    for absent in (private.title, closed.title, cancelled.title, second_round.title):
        assert absent not in html
    line = open_tender.lines.select_related("item__category").first()
    assert line.item.category.display_name in html
    assert cast.company_a.name in html or cast.company_a.name_en in html
    for secret in ("777.1234", "666.4321", cast.supplier_b.name, cast.supplier_b.name_en):
        assert secret not in html


def test_the_list_runs_a_constant_number_of_queries(cast):
    client = client_for()
    public_tender(cast)
    client.get(reverse("tenders:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("tenders:list"))
    for _ in range(4):
        public_tender(cast, lines=3)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("tenders:list"))
    assert response.content.decode().count("data-tender=") == 5
    # the tenders with their company, and their lines with items and categories
    assert len(five) == len(one)


def test_the_detail_shows_lines_without_prices_invitees_or_counts(cast):
    rfq = public_tender(cast, title="Public: gear blanks")
    RfqLine.objects.create(
        rfq=rfq, position=9, description="Machining service", quantity=Decimal("1"), unit=UnitFactory()
    )

    response = client_for().get(detail_url(rfq))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Public: gear blanks" in html
    assert "Machining service" in html
    for secret in ("777.1234", "666.4321", cast.supplier_b.name, cast.supplier_b.name_en, "invited"):
        assert secret not in html
    assert "Log in with your supplier account to ask to join." in html


def test_a_private_or_draft_rfq_is_no_tender(cast):
    private = make_published_rfq(cast)
    draft = public_tender(cast)
    draft.status = RfqStatus.DRAFT
    draft.save(update_fields=["status"])
    assert client_for().get(detail_url(private)).status_code == 404
    assert client_for(cast.supplier_a_sales).get(detail_url(draft)).status_code == 404


def test_an_approved_supplier_joins_and_goes_to_the_bid_form(cast):
    rfq = public_tender(cast)
    approve(cast, rfq, cast.supplier_a, status=AvlStatus.CONDITIONAL, reason="Trial order first")
    client = client_for(cast.supplier_a_sales)
    assert "Ask to join" in client.get(detail_url(rfq)).content.decode()

    response = client.post(join_url(rfq))

    invitation = Invitation.objects.get(rfq=rfq, supplier=cast.supplier_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid})
    assert (invitation.source, invitation.avl_status, invitation.invited_by) == (
        InvitationSource.TENDER,
        "conditional",
        cast.supplier_a_sales,
    )
    assert invitation.avl_reasons == ["Approved with conditions: Trial order first"] * rfq.lines.count()
    event = AuditEvent.objects.get(action="rfq.tender_joined")
    assert event.after == {"rfq": rfq.number, "avl_status": "conditional"}
    assert client.get(response["Location"]).status_code == 200
    # joining again is harmless: the same invitation
    assert client.post(join_url(rfq))["Location"] == response["Location"]
    assert Invitation.objects.filter(rfq=rfq, supplier=cast.supplier_a).count() == 1
    assert "Your company takes part in this RFQ." in client.get(detail_url(rfq)).content.decode()


def test_joining_is_refused_with_the_avl_reasons(cast):
    rfq = public_tender(cast)
    lines = list(rfq.lines.select_related("item__category").order_by("position"))
    ApprovedSupplier.objects.create(
        company=cast.company_a, category=lines[0].item.category, partner=cast.supplier_a, status=AvlStatus.APPROVED
    )
    ApprovedSupplier.objects.create(
        company=cast.company_a,
        category=lines[1].item.category,
        partner=cast.supplier_a,
        status=AvlStatus.BLOCKED,
        reason="late deliveries",
    )
    invitations = Invitation.objects.count()
    events = AuditEvent.objects.count()

    response = client_for(cast.supplier_a_sales).post(join_url(rfq))

    assert response.status_code == 400
    html = response.content.decode()
    assert "You cannot join this tender yet: the approved vendor list does not allow it." in html
    assert (
        f"{lines[1].item.category.display_name}: Blocked: late deliveries. Resolve this and ask the buyer of "
        f"{cast.company_a.name} to lift the block."
    ) in html
    assert (Invitation.objects.count(), AuditEvent.objects.count()) == (invitations, events)


def test_joining_needs_the_sales_role_a_supplier_and_an_open_tender(cast):
    rfq = public_tender(cast)
    approve(cast, rfq, cast.supplier_a)
    invitations = Invitation.objects.count()

    assert client_for(cast.supplier_a_finance).post(join_url(rfq)).status_code == 403
    assert client_for(cast.buyer).post(join_url(rfq)).status_code == 404
    assert client_for(cast.customer_c_admin).post(join_url(rfq)).status_code == 404
    anonymous = client_for().post(join_url(rfq))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    Round.objects.filter(rfq=rfq).update(deadline=timezone.now() - timedelta(seconds=1))
    closed = client_for(cast.supplier_a_sales).post(join_url(rfq), follow=True)
    assert "This tender is closed to new suppliers." in closed.content.decode()
    Round.objects.filter(rfq=rfq).update(deadline=timezone.now() + timedelta(days=1), status=RoundStatus.OPEN)
    rfq.is_public = False
    rfq.save(update_fields=["is_public"])
    assert client_for(cast.supplier_a_sales).post(join_url(rfq)).status_code == 404

    assert Invitation.objects.count() == invitations
