"""The audit log in the back office (/cms/audit/): staff only, scoped by company, constant queries."""

import re

import pytest

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

ROW = re.compile(r"<tr[ >]")


def listed_actions(response) -> list[str]:
    return re.findall(r"<td[^>]*>\s*(test\.[a-z_.0-9]+)\s*</td>", response.content.decode())


@pytest.fixture
def events(cast):
    audit_record(actor=cast.buyer, action="test.company_a", company=cast.company_a, obj=cast.company_a)
    audit_record(actor=cast.staff_b, action="test.company_b", company=cast.company_b, obj=cast.company_b)
    audit_record(actor=cast.supplier_a_admin, action="test.partner_only", partner=cast.supplier_a, obj=cast.supplier_a)


@pytest.mark.django_db
def test_group_staff_see_every_event_newest_first(cast, events, login_as):
    response = login_as(cast.group_admin).get("/cms/audit/")
    assert response.status_code == 200
    assert listed_actions(response) == ["test.partner_only", "test.company_b", "test.company_a"]


@pytest.mark.django_db
def test_company_staff_see_only_their_companys_events(cast, events, login_as):
    response = login_as(cast.buyer).get("/cms/audit/")
    assert listed_actions(response) == ["test.company_a"]
    assert listed_actions(login_as(cast.staff_b).get("/cms/audit/")) == ["test.company_b"]


@pytest.mark.django_db
def test_filters_by_action_prefix_and_object_id(cast, events, login_as):
    client = login_as(cast.group_admin)
    assert listed_actions(client.get("/cms/audit/?action=test.company")) == [
        "test.company_b",
        "test.company_a",
    ]
    assert listed_actions(client.get(f"/cms/audit/?object_id={cast.supplier_a.uuid}")) == ["test.partner_only"]
    assert listed_actions(client.get("/cms/audit/results/?action=test.company_a")) == ["test.company_a"]


@pytest.mark.django_db
def test_partner_people_and_anonymous_cannot_reach_the_audit_log(cast, events, client, login_as):
    response = client.get("/cms/audit/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=%2Fcms%2Faudit%2F", 302)
    # a partner administrator has no back-office access at all: told so (403), nothing listed
    response = login_as(cast.supplier_a_admin).get("/cms/audit/", follow=True)
    assert response.status_code == 403
    assert "test.company_a" not in response.content.decode()


@pytest.mark.django_db
def test_the_menu_item_is_shown_to_staff(cast, login_as):
    # Wagtail's sidebar is rendered from a JSON description of the menu
    assert '"name": "audit-log"' in login_as(cast.buyer).get("/cms/").content.decode()


@pytest.mark.django_db
def test_the_list_runs_a_constant_number_of_queries(cast, login_as, django_assert_num_queries):
    client = login_as(cast.buyer)
    audit_record(actor=cast.buyer, action="test.first", company=cast.company_a, partner=cast.supplier_a)
    client.get("/cms/audit/")  # warm caches that only the first request fills (content types, site)
    # 14 queries whatever the number of rows. Per request: session, user, the UserProfile's language and
    # zone (our middleware), the user's scope (memberships, staff roles), the active membership. Wagtail's
    # chrome: the user's and groups' Django permissions, its UserProfile, locales, page and collection
    # permissions for the menu. The listing's own two: COUNT(*) for the paginator and one page of events
    # joined with their company and partner (so no query per row).
    with django_assert_num_queries(14):
        response = client.get("/cms/audit/")
    assert len(listed_actions(response)) == 1
    for number in range(40):
        audit_record(actor=cast.buyer, action=f"test.many_{number}", company=cast.company_a, partner=cast.supplier_a)
    with django_assert_num_queries(14):
        response = client.get("/cms/audit/")
    assert len(listed_actions(response)) == 41
    assert AuditEvent.objects.count() == 41
