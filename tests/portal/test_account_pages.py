"""/account/: preferences, the partner switch and the partner's team with its role rules."""

import pytest
from django.test import Client
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.organisations.models import Membership
from tests.conftest import login
from tests.factories import MembershipFactory


def _state(partner):
    return (
        sorted(Membership.objects.filter(partner=partner).values_list("user__email", "roles", "is_active")),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


@pytest.mark.django_db
def test_preferences_set_language_and_time_zone(cast):
    client = login(Client(), cast.supplier_a_sales)
    response = client.post(
        "/account/preferences/",
        {
            "first_name": "Lei",
            "last_name": "Wang",
            "phone": "+86 21 5555 0100",
            "language": "en",
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    profile = UserProfile.objects.get(user=cast.supplier_a_sales)
    assert (profile.preferred_language, profile.current_time_zone) == ("en", "Europe/Berlin")
    page = client.get("/account/")
    assert page.headers["Content-Language"] == "en"
    assert "Europe/Berlin" in page.content.decode()
    assert "Lei Wang" in page.content.decode()


@pytest.mark.django_db
def test_preferences_reject_an_unknown_zone_and_change_nothing(cast):
    client = login(Client(), cast.supplier_a_sales)
    before = AuditEvent.objects.count()
    response = client.post(
        "/account/preferences/",
        {
            "first_name": "Lei",
            "last_name": "Wang",
            "language": "en",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    assert UserProfile.objects.filter(user=cast.supplier_a_sales, current_time_zone="Mars/Olympus").count() == 0
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_switching_between_own_partners(cast):
    MembershipFactory(user=cast.supplier_a_sales, partner=cast.customer_c, roles=["sales"])
    client = login(Client(), cast.supplier_a_sales)
    response = client.post(f"/account/switch/{cast.customer_c.uuid}/", {"next": "/account/team/"})
    assert (response.status_code, response["Location"]) == (302, "/account/team/")
    assert client.session["active_partner"] == str(cast.customer_c.uuid)
    assert "丙客户有限公司" in client.get("/account/team/").content.decode()
    # someone else's partner: 404, and the session keeps the partner it had
    assert client.post(f"/account/switch/{cast.supplier_b.uuid}/").status_code == 404
    assert client.session["active_partner"] == str(cast.customer_c.uuid)
    # an open redirect is not followed
    response = client.post(f"/account/switch/{cast.supplier_a.uuid}/", {"next": "https://evil.example/"})
    assert response["Location"] == "/account/"


@pytest.mark.django_db
def test_team_page_lists_colleagues_with_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = login(Client(), cast.supplier_a_admin)
    client.get("/account/team/")  # warm caches (content types, site root)
    # session, user, profile, scope (2), active membership, team list: whatever the team's size
    with django_assert_max_num_queries(12) as first:
        assert client.get("/account/team/").status_code == 200
    for _number in range(10):
        MembershipFactory(partner=cast.supplier_a, roles=["sales"])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/account/team/")
    assert response.content.decode().count("/account/team/") >= 13


@pytest.mark.django_db
def test_admin_changes_a_colleagues_roles(cast):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    client = login(Client(), cast.supplier_a_admin)
    response = client.post(f"/account/team/{member.uuid}/", {"action": "roles", "roles": ["sales", "logistics"]})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.roles == ["sales", "logistics"]
    event = AuditEvent.objects.get(action="membership.roles_changed")
    assert (event.before["roles"], event.after["roles"], event.partner) == (
        ["sales"],
        ["sales", "logistics"],
        cast.supplier_a,
    )


@pytest.mark.django_db
def test_a_colleague_without_admin_role_gets_403_and_nothing_changes(cast):
    member = Membership.objects.get(user=cast.supplier_a_finance)
    client = login(Client(), cast.supplier_a_sales)
    assert client.get(f"/account/team/{member.uuid}/").status_code == 200
    before = _state(cast.supplier_a)
    response = client.post(f"/account/team/{member.uuid}/", {"action": "roles", "roles": ["admin"]})
    assert response.status_code == 403
    assert client.post(f"/account/team/{member.uuid}/", {"action": "deactivate"}).status_code == 403
    assert _state(cast.supplier_a) == before


@pytest.mark.django_db
def test_the_last_administrator_cannot_remove_their_own_admin_role(cast):
    own = Membership.objects.get(user=cast.supplier_a_admin)
    client = login(Client(headers={"Accept-Language": "en"}), cast.supplier_a_admin)
    before = _state(cast.supplier_a)
    response = client.post(f"/account/team/{own.uuid}/", {"action": "roles", "roles": ["sales"]}, follow=True)
    assert "The partner needs at least one active administrator." in response.content.decode()
    response = client.post(f"/account/team/{own.uuid}/", {"action": "deactivate"})
    assert _state(cast.supplier_a) == before


@pytest.mark.django_db
def test_deactivated_colleague_loses_access_to_the_partner(cast):
    member = Membership.objects.get(user=cast.supplier_a_sales)
    admin = login(Client(), cast.supplier_a_admin)
    assert admin.post(f"/account/team/{member.uuid}/", {"action": "deactivate"}).status_code == 302
    colleague = login(Client(), cast.supplier_a_sales)
    assert colleague.get("/account/team/").status_code == 404
    assert AuditEvent.objects.filter(action="membership.deactivated", object_id=str(member.uuid)).count() == 1


@pytest.mark.django_db
def test_registered_dashboard_panels_show_on_the_account_page(cast, settings, tmp_path):
    from portal.core.panels import Panel
    from portal.core.registry import dashboard_panels

    (tmp_path / "panel.html").write_text("<section class='card'>Open RFQs: {{ count }}</section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    class OpenRfqs(Panel):
        template_name = "panel.html"

        def is_shown(self, request):
            return bool(request.membership) and request.membership.partner.is_supplier

        def get_context(self, request):
            return {"count": 3}

    dashboard_panels.register("test-open-rfqs", OpenRfqs)
    try:
        assert "Open RFQs: 3" in login(Client(), cast.supplier_a_sales).get("/account/").content.decode()
        assert "Open RFQs" not in login(Client(), cast.customer_c_admin).get("/account/").content.decode()
    finally:
        dashboard_panels.unregister("test-open-rfqs")
