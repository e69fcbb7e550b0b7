"""A partner administrator accepts or declines requests to join; group administrators stand in for partners
without one."""

import pytest
from django.core import mail
from django.test import Client
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.organisations.models import Membership
from tests.conftest import login
from tests.factories import PartnerFactory, UserFactory

from .factories import make_join_request

pytestmark = pytest.mark.django_db


def as_user(user):
    return login(Client(headers={"Accept-Language": "en"}), user)


def snapshot(join_request):
    join_request.refresh_from_db()
    return join_request.status, Membership.objects.filter(user=join_request.user).count(), len(mail.outbox)


def test_the_admin_lists_the_active_partners_requests(cast):
    mine = make_join_request(partner=cast.supplier_a, user=UserFactory(email="wants-in@a.test"))
    make_join_request(partner=cast.supplier_b, user=UserFactory(email="wants-in@b.test"))
    page = as_user(cast.supplier_a_admin).get("/account/join-requests/").content.decode()
    assert "wants-in@a.test" in page
    assert "wants-in@b.test" not in page
    assert f"/account/join-requests/{mine.uuid}/" in page


def test_the_list_is_for_admins_only(cast):
    assert as_user(cast.supplier_a_sales).get("/account/join-requests/").status_code == 403
    assert as_user(cast.outsider).get("/account/join-requests/").status_code == 404
    assert Client().get("/account/join-requests/")["Location"] == "/accounts/login/?next=/account/join-requests/"


def test_accept_with_roles_makes_a_member_and_tells_them_in_their_language(cast, django_capture_on_commit_callbacks):
    join_request = make_join_request(partner=cast.supplier_a, user=UserFactory(email="wants-in@a.test"))
    UserProfile.objects.update_or_create(user=join_request.user, defaults={"preferred_language": "en"})
    url = f"/account/join-requests/{join_request.uuid}/"
    client = as_user(cast.supplier_a_admin)
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"roles": ["Choose at least one role."]}
    assert snapshot(join_request) == ("pending", 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "accept", "roles": ["logistics", "sales"]})
    assert response["Location"] == "/account/join-requests/"
    assert snapshot(join_request) == ("accepted", 1, 1)
    membership = Membership.objects.get(user=join_request.user)
    assert (membership.partner, membership.roles, membership.is_active) == (
        cast.supplier_a,
        ["sales", "logistics"],
        True,
    )
    assert (join_request.decided_by, join_request.roles) == (cast.supplier_a_admin, ["sales", "logistics"])
    assert mail.outbox[0].to == ["wants-in@a.test"]
    assert mail.outbox[0].subject == f"You are now a member of {cast.supplier_a.name}"
    assert AuditEvent.objects.filter(action="join_request.accepted", object_id=str(join_request.uuid)).count() == 1
    # decided once
    client.post(url, {"action": "decline", "reason": "late"})
    assert snapshot(join_request) == ("accepted", 1, 1)


def test_decline_needs_a_reason(cast, django_capture_on_commit_callbacks):
    join_request = make_join_request(partner=cast.supplier_a)
    UserProfile.objects.update_or_create(user=join_request.user, defaults={"preferred_language": "en"})
    url = f"/account/join-requests/{join_request.uuid}/"
    client = as_user(cast.supplier_a_admin)
    response = client.post(url, {"action": "decline", "reason": ""})
    assert response.context["form"].errors == {"reason": ["Give the reason; the applicant reads it."]}
    assert snapshot(join_request) == ("pending", 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "decline", "reason": "不认识此人"})
    assert snapshot(join_request) == ("declined", 0, 1)
    assert "Reason: 不认识此人" in mail.outbox[0].body


@pytest.mark.parametrize(
    "who, status",
    [("supplier_a_sales", 403), ("supplier_b_admin", 404), ("staff_b", 404), ("outsider", 404), ("buyer", 403)],
)
def test_others_cannot_decide(cast, who, status):
    join_request = make_join_request(partner=cast.supplier_a)
    url = f"/account/join-requests/{join_request.uuid}/"
    response = as_user(getattr(cast, who)).post(url, {"action": "accept", "roles": ["admin"]})
    assert response.status_code == status
    assert snapshot(join_request) == ("pending", 0, 0)


def test_anonymous_is_sent_to_log_in(cast):
    join_request = make_join_request(partner=cast.supplier_a)
    url = f"/account/join-requests/{join_request.uuid}/"
    assert Client().post(url, {"action": "accept", "roles": ["admin"]})["Location"] == f"/accounts/login/?next={url}"
    assert snapshot(join_request) == ("pending", 0, 0)


def test_group_admin_decides_for_a_partner_without_admin_in_the_back_office(cast, django_capture_on_commit_callbacks):
    orphan = PartnerFactory()
    join_request = make_join_request(partner=orphan)
    client = as_user(cast.group_admin)
    index = client.get("/cms/onboarding/registrations/").content.decode()
    assert "Group administrators (the partner has no administrator)" in index
    url = f"/cms/onboarding/join-requests/{join_request.uuid}/"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "accept", "roles": ["admin", "sales"]})
    assert response["Location"] == "/cms/onboarding/registrations/"
    assert snapshot(join_request) == ("accepted", 1, 1)
    assert Membership.objects.get(user=join_request.user).roles == ["admin", "sales"]


def test_back_office_join_requests_are_for_group_admins(cast):
    join_request = make_join_request(partner=cast.supplier_a)
    url = f"/cms/onboarding/join-requests/{join_request.uuid}/"
    assert as_user(cast.buyer).post(url, {"action": "accept", "roles": ["admin"]}).status_code == 403
    assert as_user(cast.staff_b).post(url, {"action": "accept", "roles": ["admin"]}).status_code == 404
    assert snapshot(join_request) == ("pending", 0, 0)


def test_the_admins_account_page_shows_the_requests_to_decide_in_constant_queries(cast, django_assert_max_num_queries):
    client = as_user(cast.supplier_a_admin)
    make_join_request(partner=cast.supplier_a)
    client.get("/account/")
    with django_assert_max_num_queries(60) as captured:
        page = client.get("/account/").content.decode()
    assert "1 person asks to join" in page
    for _index in range(3):
        make_join_request(partner=cast.supplier_a)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        page = client.get("/account/").content.decode()
    assert "4 people ask to join" in page
    assert "/account/join-requests/" in page
    assert "ask to join" not in as_user(cast.supplier_a_sales).get("/account/").content.decode()
