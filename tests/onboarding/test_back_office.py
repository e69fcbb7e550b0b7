"""Group administrators approve or reject registrations in the back office; the applicant is told in their
language; everything is audited; others are refused."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.onboarding.models import Registration
from portal.organisations.models import Partner, SupplierAccount
from tests.conftest import login
from tests.factories import StaffRoleFactory, UserFactory

from .factories import make_join_request, make_registration

pytestmark = pytest.mark.django_db


def admin_client(user):
    return login(Client(headers={"Accept-Language": "en"}), user)


def state(registration):
    registration.refresh_from_db()
    registration.partner.refresh_from_db()
    return registration.status, registration.partner.status, len(mail.outbox)


def test_the_list_shows_pending_registrations_and_join_requests_in_constant_queries(
    cast, django_assert_max_num_queries
):
    make_registration(email="one@applicant.test")
    make_join_request(partner=cast.supplier_a)
    client = admin_client(cast.group_admin)
    client.get("/cms/onboarding/registrations/")
    with django_assert_max_num_queries(40) as captured:
        first = client.get("/cms/onboarding/registrations/")
    baseline = len(captured.captured_queries)
    for index in range(4):
        make_registration(email=f"more{index}@applicant.test")
        make_join_request(partner=cast.supplier_a)
    with django_assert_max_num_queries(baseline):
        second = client.get("/cms/onboarding/registrations/")
    assert first.status_code == second.status_code == 200
    page = second.content.decode()
    assert page.count("/cms/onboarding/registrations/") >= 5
    assert page.count("/cms/onboarding/join-requests/") == 5


def test_the_detail_links_the_licence_download(cast):
    registration = make_registration()
    from tests.factories.documents import DocumentFactory

    registration.licence = DocumentFactory(owner_partner=registration.partner, kind="business_licence")
    registration.save()
    client = admin_client(cast.group_admin)
    page = client.get(f"/cms/onboarding/registrations/{registration.uuid}/").content.decode()
    url = f"/account/documents/{registration.licence.uuid}/"
    assert url in page
    assert registration.partner.tax_id in page
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_approval_opens_the_partner_and_emails_the_applicant_in_their_language(
    cast, django_capture_on_commit_callbacks, language
):
    registration = make_registration(email="applicant@new.test")
    UserProfile.objects.update_or_create(user=registration.applicant, defaults={"preferred_language": language})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(cast.group_admin).post(
            f"/cms/onboarding/registrations/{registration.uuid}/decide/", {"action": "approve"}
        )
    assert response.status_code == 302
    assert state(registration) == ("approved", "approved", 1)
    assert registration.decided_by == cast.group_admin
    assert mail.outbox[0].to == ["applicant@new.test"]
    with translation.override(language):
        expected = _("Your registration of %(partner)s was approved") % {"partner": registration.partner.name}
    assert mail.outbox[0].subject == expected
    if language == "en":
        assert expected == f"Your registration of {registration.partner.name} was approved"
    assert AuditEvent.objects.filter(action="registration.approved", object_id=str(registration.uuid)).count() == 1
    assert list(OutboxEvent.objects.filter(topic__startswith="partner.").values_list("topic", "payload__status")) == [
        ("partner.approved", "approved"),
    ]


def test_rejection_needs_a_reason_blocks_the_partner_and_tells_the_applicant_why(
    cast, django_capture_on_commit_callbacks
):
    registration = make_registration(email="applicant@new.test")
    UserProfile.objects.update_or_create(user=registration.applicant, defaults={"preferred_language": "en"})
    client = admin_client(cast.group_admin)
    url = f"/cms/onboarding/registrations/{registration.uuid}/decide/"
    response = client.post(url, {"action": "reject", "reason": "  "})
    assert response.status_code == 400
    assert response.context["reject_form"].errors == {"reason": ["This field is required."]}
    assert state(registration) == ("pending", "pending", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "reject", "reason": "营业执照已过期 / licence expired"})
    assert response.status_code == 302
    assert state(registration) == ("rejected", "blocked", 1)
    assert registration.reason == "营业执照已过期 / licence expired"
    assert mail.outbox[0].subject == f"Your registration of {registration.partner.name} was rejected"
    assert "Reason: 营业执照已过期 / licence expired" in mail.outbox[0].body
    # decided once only
    response = client.post(url, {"action": "approve"})
    assert state(registration) == ("rejected", "blocked", 1)


def test_the_chinese_email_is_in_chinese(cast, django_capture_on_commit_callbacks):
    registration = make_registration(email="applicant@new.test")
    UserProfile.objects.update_or_create(user=registration.applicant, defaults={"preferred_language": "zh-hans"})
    with django_capture_on_commit_callbacks(execute=True):
        admin_client(cast.group_admin).post(
            f"/cms/onboarding/registrations/{registration.uuid}/decide/", {"action": "reject", "reason": "资料不全"}
        )
    with translation.override("zh-hans"):
        expected = _("Your registration of %(partner)s was rejected") % {"partner": registration.partner.name}
    assert mail.outbox[0].subject == expected


def test_staff_without_the_group_admin_role_are_refused_and_nothing_changes(cast):
    registration = make_registration()
    SupplierAccount.objects.create(partner=registration.partner, company=cast.company_a)
    for user in (cast.sourcing_manager, cast.buyer):
        client = admin_client(user)
        assert client.get("/cms/onboarding/registrations/").status_code == 403
        assert client.get(f"/cms/onboarding/registrations/{registration.uuid}/").status_code == 403
        response = client.post(f"/cms/onboarding/registrations/{registration.uuid}/decide/", {"action": "approve"})
        assert response.status_code == 403
        assert state(registration) == ("pending", "pending", 0)
    # staff of another company do not see it at all
    response = admin_client(cast.staff_b).post(
        f"/cms/onboarding/registrations/{registration.uuid}/decide/", {"action": "approve"}
    )
    assert response.status_code == 404
    assert state(registration) == ("pending", "pending", 0)


def test_anonymous_is_sent_to_log_in(cast):
    registration = make_registration()
    response = Client().post(f"/cms/onboarding/registrations/{registration.uuid}/decide/", {"action": "approve"})
    assert response.status_code == 302
    assert state(registration) == ("pending", "pending", 0)
    assert Registration.objects.get().status == "pending"


def test_the_menu_shows_registrations_to_group_admins_only(cast):
    assert "/cms/onboarding/registrations/" in admin_client(cast.group_admin).get("/cms/").content.decode()
    assert "/cms/onboarding/registrations/" not in admin_client(cast.buyer).get("/cms/").content.decode()
    assert "/cms/onboarding/customers/" in admin_client(cast.sales).get("/cms/").content.decode()


def test_a_second_group_admin_is_notified_of_new_registrations(cast):
    other = StaffRoleFactory(user=UserFactory(email="admin2@group.test"), role="group_admin", company=None).user
    from portal.onboarding.services import group_admins

    assert [user.email for user in group_admins()] == ["admin@group.test", other.email]
    assert Partner.objects.filter(status="pending").count() == 0
