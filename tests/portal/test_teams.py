"""Teams: a partner's administrators and the staff who look after the partner invite colleagues, change their
roles and deactivate them (their sessions end at once); the people concerned are notified; /account/ lists
the person's sessions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from portal.onboarding.models import Invitation
from portal.onboarding.services import invitation_for_token
from portal.organisations.models import Membership
from tests.conftest import login
from tests.factories import MembershipFactory, StaffRoleFactory, UserFactory

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def english(user):
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user


def _state(partner, *watched):
    """Everything a team action may change: the team, its invitations, audit, outbox, notifications, e-mails, and
    the sessions of the watched people (whoever makes a refused request gets a session of their own)."""
    return (
        sorted(Membership.objects.filter(partner=partner).values_list("user__email", "roles", "is_active")),
        sorted(Invitation.objects.filter(partner=partner).values_list("email", "roles", "expires_at")),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
        sorted(UserSession.objects.filter(user__in=watched).values_list("session_key", flat=True)),
        len(mail.outbox),
    )


def _notifications():
    return sorted(Notification.objects.values_list("recipient__email", "kind", "params", "url"))


def _browse(user, user_agent=CHROME_WINDOWS):
    """A logged-in client that has made one request (its session is then recorded by user)."""
    client = login(Client(HTTP_USER_AGENT=user_agent), user)
    assert client.get("/account/").status_code == 200
    return client


# ------------------------------------------------------------------------------------------ deactivation


@pytest.mark.django_db
def test_deactivating_a_colleague_ends_their_sessions_at_once(cast, django_capture_on_commit_callbacks):
    english(cast.supplier_a_sales)
    member = Membership.objects.get(user=cast.supplier_a_sales)
    colleague_phone = _browse(cast.supplier_a_sales, SAFARI_IPHONE)
    colleague_desk = _browse(cast.supplier_a_sales)
    finance = _browse(cast.supplier_a_finance)
    admin = login(Client(), cast.supplier_a_admin)
    assert UserSession.objects.filter(user=cast.supplier_a_sales).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/account/team/{member.uuid}/", {"action": "deactivate"})
    assert (response.status_code, response["Location"]) == (302, "/account/team/")

    for client in (colleague_phone, colleague_desk):
        response = client.get("/account/")
        assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/account/")
    assert UserSession.objects.filter(user=cast.supplier_a_sales).count() == 0
    assert finance.get("/account/").status_code == 200  # nobody else is logged out
    member.refresh_from_db()
    assert member.is_active is False
    # the colleague is told; the admin made the change, so no other administrator is
    assert _notifications() == [
        (
            "sales@supplier-a.test",
            "team.deactivated",
            {"partner": "甲供应商有限公司", "actor": str(cast.supplier_a_admin), "person": str(cast.supplier_a_sales)},
            "/account/",
        )
    ]
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["sales@supplier-a.test"], "Your access to 甲供应商有限公司 was ended")
    ]


@pytest.mark.django_db
def test_a_rolled_back_deactivation_keeps_the_sessions(cast, django_capture_on_commit_callbacks):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    colleague = _browse(cast.supplier_a_sales)
    own = Membership.objects.get(user=cast.supplier_a_admin)
    admin = login(Client(), cast.supplier_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        # the last administrator cannot deactivate themselves: refused, nothing ends
        admin.post(f"/account/team/{own.uuid}/", {"action": "deactivate"})
    assert colleague.get("/account/").status_code == 200
    assert admin.get("/account/").status_code == 200
    member.refresh_from_db()
    assert member.is_active is True


@pytest.mark.django_db
def test_reactivation_restores_access_and_tells_the_colleague(cast, django_capture_on_commit_callbacks):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    admin = login(Client(), cast.supplier_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/account/team/{member.uuid}/", {"action": "reactivate"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active is True
    assert [(email, kind) for email, kind, _params, _url in _notifications()] == [
        ("sales@supplier-a.test", "team.reactivated")
    ]
    assert login(Client(), cast.supplier_a_sales).get("/account/team/").status_code == 200


@pytest.mark.django_db
def test_roles_changed_by_the_admin_are_told_to_the_colleague(cast, django_capture_on_commit_callbacks):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    admin = login(Client(), cast.supplier_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/account/team/{member.uuid}/", {"action": "roles", "roles": ["sales", "quality"]})
    member.refresh_from_db()
    assert member.roles == ["sales", "quality"]
    assert [(email, kind) for email, kind, _params, _url in _notifications()] == [
        ("sales@supplier-a.test", "team.roles_changed")
    ]
    # saving the same roles again changes and tells nothing
    before = _state(cast.supplier_a)
    admin.post(f"/account/team/{member.uuid}/", {"action": "roles", "roles": ["sales", "quality"]})
    assert _state(cast.supplier_a) == before


@pytest.mark.django_db
def test_team_denials_change_nothing(cast):
    member = Membership.objects.get(user=cast.supplier_a_finance)
    _browse(cast.supplier_a_finance)
    before = _state(cast.supplier_a, cast.supplier_a_finance)
    # a colleague without the admin role: 403
    colleague = login(Client(), cast.supplier_a_sales)
    assert colleague.post(f"/account/team/{member.uuid}/", {"action": "deactivate"}).status_code == 403
    assert colleague.post(f"/account/team/{member.uuid}/", {"action": "roles", "roles": ["admin"]}).status_code == 403
    # another partner's admin and another company's staff: 404
    for outsider in (cast.supplier_b_admin, cast.staff_b, cast.outsider):
        client = login(Client(), outsider)
        assert client.post(f"/account/team/{member.uuid}/", {"action": "deactivate"}).status_code == 404
    # anonymous: the login page
    response = Client().post(f"/account/team/{member.uuid}/", {"action": "deactivate"})
    assert response["Location"] == f"/accounts/login/?next=/account/team/{member.uuid}/"
    # a deactivated administrator has no say any more
    MembershipFactory(partner=cast.supplier_a, roles=["admin"], is_active=False, user=UserFactory(email="x@a.test"))
    before = _state(cast.supplier_a, cast.supplier_a_finance)
    former = login(Client(), Membership.objects.get(user__email="x@a.test").user)
    assert former.post(f"/account/team/{member.uuid}/", {"action": "deactivate"}).status_code == 404
    assert _state(cast.supplier_a, cast.supplier_a_finance) == before


# ----------------------------------------------------------------------------------------- invitations


@pytest.mark.django_db
def test_admin_invites_a_colleague_and_the_other_admins_are_told(cast, django_capture_on_commit_callbacks):
    second_admin = MembershipFactory(
        partner=cast.supplier_a, roles=["admin"], user=UserFactory(email="boss@supplier-a.test")
    ).user
    admin = login(Client(headers={"Accept-Language": "en"}), cast.supplier_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/account/team/invite/", {"email": " New.Colleague@Supplier-A.test ", "roles": ["logistics", "sales"]}
        )
    assert (response.status_code, response["Location"]) == (302, "/account/team/")
    invitation = Invitation.objects.get()
    assert (invitation.partner, invitation.email, invitation.roles, invitation.invited_by) == (
        cast.supplier_a,
        "new.colleague@supplier-a.test",
        ["sales", "logistics"],
        cast.supplier_a_admin,
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["boss@supplier-a.test", "new.colleague@supplier-a.test"]
    assert _notifications() == [
        (
            second_admin.email,
            "team.member_invited",
            {
                "partner": "甲供应商有限公司",
                "actor": str(cast.supplier_a_admin),
                "email": "new.colleague@supplier-a.test",
            },
            "/account/team/",
        )
    ]
    assert AuditEvent.objects.filter(action="invitation.created").count() == 1
    page = admin.get("/account/team/").content.decode()
    assert "new.colleague@supplier-a.test" in page
    assert f"/account/team/invitations/{invitation.uuid}/revoke/" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address", "roles": ["sales"]}, "email", "Enter a valid email address."),
        ({"email": "someone@supplier-a.test"}, "roles", "Choose at least one role."),
        ({"email": "someone@supplier-a.test", "roles": ["owner"]}, "roles", "Select a valid choice. owner is not one"),
        (
            {"email": "sales@supplier-a.test", "roles": ["sales"]},
            "email",
            "sales@supplier-a.test is already a member of 甲供应商有限公司.",
        ),
    ],
)
def test_bad_invitations_are_refused_next_to_the_field(cast, data, field, message):
    admin = login(Client(headers={"Accept-Language": "en"}), cast.supplier_a_admin)
    before = _state(cast.supplier_a)
    response = admin.post("/account/team/invite/", data)
    assert response.status_code == 200
    # the message sits with its field, in the field's error list
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode()).group(1)
    assert message in errors
    assert _state(cast.supplier_a) == before


@pytest.mark.django_db
def test_invitations_are_refused_to_non_admins_and_outsiders(cast):
    before = _state(cast.supplier_a)
    data = {"email": "someone@supplier-a.test", "roles": ["sales"]}
    assert login(Client(), cast.supplier_a_sales).post("/account/team/invite/", data).status_code == 403
    # people of no partner have no team to invite to
    assert login(Client(), cast.outsider).post("/account/team/invite/", data).status_code == 404
    assert login(Client(), cast.buyer).post("/account/team/invite/", data).status_code == 404
    assert Client().post("/account/team/invite/", data)["Location"] == "/accounts/login/?next=/account/team/invite/"
    assert _state(cast.supplier_a) == before
    # the invite form is only shown to administrators
    page = login(Client(), cast.supplier_a_sales).get("/account/team/").content.decode()
    assert 'action="/account/team/invite/"' not in page


def _invite(cast, email="new.colleague@supplier-a.test"):
    from portal.accounts.team_services import team_member_invite

    return team_member_invite(actor=cast.supplier_a_admin, partner=cast.supplier_a, email=email, roles=["sales"])


@pytest.mark.django_db
def test_admin_revokes_an_invitation_and_its_link_stops_working(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(cast)
    token = re.search(r"/accounts/invitation/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert invitation_for_token(token) == invitation
    # a colleague without the role: 403; another partner: 404; nothing changed
    before = _state(cast.supplier_a)
    url = f"/account/team/invitations/{invitation.uuid}/revoke/"
    assert login(Client(), cast.supplier_a_sales).post(url).status_code == 403
    assert login(Client(), cast.supplier_b_admin).post(url).status_code == 404
    assert _state(cast.supplier_a) == before
    response = login(Client(), cast.supplier_a_admin).post(url)
    assert (response.status_code, response["Location"]) == (302, "/account/team/")
    assert invitation_for_token(token) is None
    event = AuditEvent.objects.get(action="invitation.revoked")
    assert (event.actor, event.partner, event.before) == (
        cast.supplier_a_admin,
        cast.supplier_a,
        {"email": "new.colleague@supplier-a.test", "roles": ["sales"]},
    )
    page = login(Client(), cast.supplier_a_admin).get("/account/team/").content.decode()
    assert "new.colleague@supplier-a.test" not in page


# ------------------------------------------------------------------------------------------ back office


@pytest.mark.django_db
def test_staff_see_a_partners_team_in_the_back_office(cast):
    Membership.objects.filter(user=cast.supplier_a_finance).update(is_active=False)
    page = login(Client(headers={"Accept-Language": "en"}), cast.buyer).get(f"/cms/partners/{cast.supplier_a.uuid}/")
    text = page.content.decode()
    for member in Membership.objects.filter(partner=cast.supplier_a):
        assert f"/cms/memberships/{member.uuid}/" in text
    assert "Deactivated" in text
    assert f'action="/cms/partners/{cast.supplier_a.uuid}/invite/"' in text
    # staff whose role does not look after suppliers see the team but cannot manage it
    text = login(Client(), cast.sales).get(f"/cms/partners/{cast.supplier_a.uuid}/").content.decode()
    assert "admin@supplier-a.test" in text
    assert "/cms/memberships/" not in text
    assert "/invite/" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("staff", ["buyer", "sourcing_manager", "group_admin"])
def test_purchasing_staff_and_group_admins_manage_a_suppliers_team(cast, staff, django_capture_on_commit_callbacks):
    actor = getattr(cast, staff)
    member = Membership.objects.get(user=cast.supplier_a_sales)
    colleague = _browse(cast.supplier_a_sales)
    client = login(Client(), actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cms/memberships/{member.uuid}/", {"action": "roles", "roles": ["sales", "finance"]})
        assert (response.status_code, response["Location"]) == (302, f"/cms/partners/{cast.supplier_a.uuid}/")
        client.post(f"/cms/memberships/{member.uuid}/", {"action": "deactivate"})
    member.refresh_from_db()
    assert (member.roles, member.is_active) == (["sales", "finance"], False)
    assert colleague.get("/account/")["Location"] == "/accounts/login/?next=/account/"
    params = {"partner": "甲供应商有限公司", "actor": str(actor), "person": str(cast.supplier_a_sales)}
    # the colleague hears about their change, the partner's administrator that staff changed their team
    assert _notifications() == sorted(
        [
            ("admin@supplier-a.test", "team.deactivated_by_staff", params, "/account/team/"),
            ("admin@supplier-a.test", "team.roles_changed_by_staff", params, "/account/team/"),
            ("sales@supplier-a.test", "team.deactivated", params, "/account/"),
            ("sales@supplier-a.test", "team.roles_changed", params, "/account/"),
        ]
    )
    assert list(AuditEvent.objects.filter(partner=cast.supplier_a).order_by("pk").values_list("action", "actor")) == [
        ("membership.roles_changed", actor.pk),
        ("membership.deactivated", actor.pk),
    ]


@pytest.mark.django_db
def test_sales_staff_manage_a_customers_team_but_not_a_suppliers(cast, django_capture_on_commit_callbacks):
    customer_member = MembershipFactory(partner=cast.customer_c, roles=["sales"], user=UserFactory(email="c@c.test"))
    sales = login(Client(), cast.sales)
    with django_capture_on_commit_callbacks(execute=True):
        response = sales.post(f"/cms/memberships/{customer_member.uuid}/", {"action": "deactivate"})
    assert response.status_code == 302
    customer_member.refresh_from_db()
    assert customer_member.is_active is False
    # the supplier's team is the purchasing side's: refused with nothing changed
    supplier_member = Membership.objects.get(user=cast.supplier_a_sales)
    _browse(cast.supplier_a_sales)
    before = _state(cast.supplier_a, cast.supplier_a_sales)
    assert sales.post(f"/cms/memberships/{supplier_member.uuid}/", {"action": "deactivate"}).status_code == 403
    response = sales.post(f"/cms/memberships/{supplier_member.uuid}/", {"action": "roles", "roles": ["admin"]})
    assert response.status_code == 403
    data = {"email": "x@supplier-a.test", "roles": ["sales"]}
    assert sales.post(f"/cms/partners/{cast.supplier_a.uuid}/invite/", data).status_code == 403
    # a buyer does not manage a customer's team either
    customer_before = _state(cast.customer_c)
    buyer = login(Client(), cast.buyer)
    assert buyer.post(f"/cms/memberships/{customer_member.uuid}/", {"action": "reactivate"}).status_code == 403
    assert _state(cast.supplier_a, cast.supplier_a_sales) == before
    assert _state(cast.customer_c) == customer_before


@pytest.mark.django_db
def test_back_office_team_actions_are_404_for_other_companies_and_403_for_partner_users(cast):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    _browse(cast.supplier_a_sales)
    before = _state(cast.supplier_a, cast.supplier_a_sales)
    staff_b = login(Client(), cast.staff_b)
    assert staff_b.post(f"/cms/memberships/{member.uuid}/", {"action": "deactivate"}).status_code == 404
    data = {"email": "x@supplier-a.test", "roles": ["sales"]}
    assert staff_b.post(f"/cms/partners/{cast.supplier_a.uuid}/invite/", data).status_code == 404
    # a partner's own admin manages the team in /account/, not in the back office
    partner_admin = login(Client(), cast.supplier_a_admin)
    response = partner_admin.post(f"/cms/memberships/{member.uuid}/", {"action": "deactivate"})
    assert response["Location"] == f"/cms/login/?next=/cms/memberships/{member.uuid}/"
    assert partner_admin.get(response["Location"]).status_code == 403
    response = Client().post(f"/cms/memberships/{member.uuid}/", {"action": "deactivate"})
    assert response["Location"].startswith("/cms/login/")
    assert _state(cast.supplier_a, cast.supplier_a_sales) == before


@pytest.mark.django_db
def test_staff_keep_the_partners_last_admin(cast):
    own = Membership.objects.get(user=cast.supplier_a_admin)
    client = login(Client(headers={"Accept-Language": "en"}), cast.buyer)
    _browse(cast.supplier_a_admin)
    before = _state(cast.supplier_a, cast.supplier_a_admin)
    response = client.post(f"/cms/memberships/{own.uuid}/", {"action": "roles", "roles": ["sales"]})
    assert "The partner needs at least one active administrator." in response.content.decode()
    client.post(f"/cms/memberships/{own.uuid}/", {"action": "deactivate"})
    assert _state(cast.supplier_a, cast.supplier_a_admin) == before


@pytest.mark.django_db
def test_staff_invite_a_partners_contact_from_the_back_office(cast, django_capture_on_commit_callbacks):
    manager = StaffRoleFactory(user=UserFactory(email="sm@group.test"), role="sales_manager", company=cast.company_a)
    client = login(Client(), manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cms/partners/{cast.customer_c.uuid}/invite/", {"email": "buyer@customer-c.test", "roles": ["sales"]}
        )
    assert (response.status_code, response["Location"]) == (302, f"/cms/partners/{cast.customer_c.uuid}/")
    invitation = Invitation.objects.get()
    assert (invitation.partner, invitation.email, invitation.roles, invitation.invited_by) == (
        cast.customer_c,
        "buyer@customer-c.test",
        ["sales"],
        manager.user,
    )
    assert [(email, kind) for email, kind, _params, _url in _notifications()] == [
        ("admin@customer-c.test", "team.member_invited")
    ]
    # listed with a revoke button; revoked from the back office
    page = client.get(f"/cms/partners/{cast.customer_c.uuid}/").content.decode()
    assert f"/cms/invitations/{invitation.uuid}/revoke/" in page
    assert client.post(f"/cms/invitations/{invitation.uuid}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at <= timezone.now()


@pytest.mark.django_db
def test_a_buyer_invites_a_suppliers_contact(cast):
    client = login(Client(), cast.buyer)
    response = client.post(
        f"/cms/partners/{cast.supplier_a.uuid}/invite/", {"email": "qa@supplier-a.test", "roles": ["quality"]}
    )
    assert response.status_code == 302
    assert list(Invitation.objects.values_list("email", "roles")) == [("qa@supplier-a.test", ["quality"])]


# --------------------------------------------------------------------------------------------- sessions


@pytest.mark.django_db
def test_account_page_lists_the_persons_sessions_in_their_zone(cast):
    UserProfile.objects.update_or_create(
        user=cast.supplier_a_sales, defaults={"preferred_language": "en", "current_time_zone": "Europe/Berlin"}
    )
    _browse(cast.supplier_a_sales, SAFARI_IPHONE)
    desk = _browse(cast.supplier_a_sales)
    _browse(cast.supplier_a_finance)  # someone else's session is not listed
    UserSession.objects.filter(user=cast.supplier_a_sales).update(
        last_seen_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC), created_at=datetime(2026, 11, 27, 23, 5, tzinfo=UTC)
    )
    page = desk.get("/account/").content.decode()
    rows = re.findall(r"<td title=\"[^\"]*\">([^<]*)(<span class=\"badge badge-ok\">This device</span>)?</td>", page)
    assert sorted((device.strip(), bool(badge)) for device, badge in rows) == [
        ("Chrome · Windows", True),
        ("Safari · iOS", False),
    ]
    assert page.count("2026-11-28 10:30") == 2  # last seen, in Berlin
    assert page.count("2026-11-28 00:05") == 2  # signed in, in Berlin
    assert page.count("127.0.0.1") == 2


@pytest.mark.django_db
def test_signing_out_other_sessions(cast):
    phone = _browse(cast.supplier_a_sales, SAFARI_IPHONE)
    desk = _browse(cast.supplier_a_sales)
    finance = _browse(cast.supplier_a_finance)
    response = desk.post("/account/sessions/sign-out-others/")
    assert (response.status_code, response["Location"]) == (302, "/account/")
    assert phone.get("/account/")["Location"] == "/accounts/login/?next=/account/"
    assert desk.get("/account/").status_code == 200
    assert finance.get("/account/").status_code == 200
    assert UserSession.objects.filter(user=cast.supplier_a_sales).count() == 1
    event = AuditEvent.objects.get(action="user.other_sessions_ended")
    assert (event.actor, event.after) == (cast.supplier_a_sales, {"sessions": 1})
    assert Client().post("/account/sessions/sign-out-others/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_session_activity_is_written_once_then_every_few_minutes(cast):
    client = _browse(cast.supplier_a_sales)
    first = UserSession.objects.get(user=cast.supplier_a_sales).last_seen_at
    client.get("/account/")
    assert UserSession.objects.get(user=cast.supplier_a_sales).last_seen_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        client.get("/account/")
        assert UserSession.objects.get(user=cast.supplier_a_sales).last_seen_at > first


@pytest.mark.django_db
def test_account_page_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = _browse(cast.supplier_a_sales)
    client.get("/account/")
    with django_assert_max_num_queries(30) as few:
        client.get("/account/")
    # (read now: each request clears the connection's query log that `few` slices)
    first_count = len(few.captured_queries)
    for _number in range(5):
        _browse(cast.supplier_a_sales)
    # the sessions are one query, however many there are
    with django_assert_max_num_queries(first_count):
        response = client.get("/account/")
    assert response.content.decode().count("127.0.0.1") == 6
