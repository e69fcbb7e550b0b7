"""Public sign-up: one form, errors next to the fields, nothing created on error; a known tax id becomes a
request to join."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError
from django.test import Client

from portal.audit.models import AuditEvent
from portal.documents.models import Document
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from portal.onboarding import services
from portal.onboarding.models import JoinRequest, Registration
from portal.organisations.models import Membership, Partner
from tests.factories import PartnerFactory
from tests.factories.documents import PDF_BYTES

from .conftest import licence, signup_data

pytestmark = pytest.mark.django_db


def english():
    return Client(headers={"Accept-Language": "en"})


def counts():
    return (
        get_user_model().objects.count(),
        Partner.objects.count(),
        Membership.objects.count(),
        Registration.objects.count(),
        JoinRequest.objects.count(),
        Document.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
    )


def test_supplier_sign_up_creates_the_pending_partner_its_admin_and_the_registration(
    cast, django_capture_on_commit_callbacks
):
    client = english()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/supplier/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"

    partner = Partner.objects.get(tax_id="91350100M000100Y43")
    assert (partner.name, partner.name_en, partner.status, partner.is_supplier, partner.is_customer) == (
        "福州闽江精密机械有限公司",
        "Fuzhou Minjiang Precision Machinery Co., Ltd.",
        "pending",
        True,
        False,
    )
    user = get_user_model().objects.get(email="lin.hai@minjiang.test")
    assert user.check_password(signup_data()["password1"])
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("lin.hai@minjiang.test", False, True)
    ]
    membership = Membership.objects.get(user=user)
    assert (membership.partner, membership.roles, membership.is_active) == (
        partner,
        ["admin", "sales", "finance"],
        True,
    )
    registration = Registration.objects.get(partner=partner)
    assert (registration.kind, registration.applicant, registration.status) == ("supplier", user, "pending")
    assert (registration.contact_name, registration.phone) == ("林 海", "+86 591 8765 4321")
    assert (registration.licence.kind, registration.licence.owner_partner, registration.licence.original_name) == (
        "business_licence",
        partner,
        "licence.pdf",
    )
    event = OutboxEvent.objects.get(topic="partner.registered")
    assert event.payload["tax_id"] == "91350100M000100Y43"
    assert event.payload["status"] == "pending"
    assert AuditEvent.objects.filter(action="registration.submitted", object_id=str(registration.uuid)).count() == 1
    # the group administrator is told; the applicant gets allauth's verification e-mail
    assert list(Notification.objects.values_list("recipient__email", "kind")) == [
        ("admin@group.test", "onboarding.registration_submitted")
    ]
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["admin@group.test", "lin.hai@minjiang.test"]
    verification = next(message for message in mail.outbox if message.to == ["lin.hai@minjiang.test"])
    assert "/accounts/confirm-email/" in verification.body
    done = client.get("/accounts/signup/done/")
    assert "lin.hai@minjiang.test" in done.content.decode()


def test_customer_sign_up_makes_a_customer(cast):
    response = english().post(
        "/accounts/signup/customer/", signup_data(country="DE", tax_id="DE811907980", email="einkauf@kunde.test")
    )
    assert response.status_code == 302
    partner = Partner.objects.get(tax_id="DE811907980")
    assert (partner.is_supplier, partner.is_customer, partner.country) == (False, True, "DE")
    assert Registration.objects.get(partner=partner).kind == "customer"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"tax_id": "91350100M000100Y44"},
            "tax_id",
            "This unified social credit code is not valid: its last character does not match. Check for typos.",
        ),
        ({"email": "admin@supplier-a.test"}, "email", "A user with this e-mail address already exists."),
        ({"email": "ADMIN@supplier-a.test"}, "email", "A user with this e-mail address already exists."),
        (
            {"licence": licence("licence.docx", b"PK\x03\x04")},
            "licence",
            "Upload the licence as a PDF, JPG or PNG file.",
        ),
        (
            {"licence": licence("licence.pdf", b"MZ\x90\x00 not a pdf")},
            "licence",
            "The content of “licence.pdf” is not a PDF file.",
        ),
        (
            {"licence": licence("licence.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))},
            "licence",
            "The file is larger than the limit of 10.0\xa0MB.",
        ),
        ({"name": None}, "name", "This field is required."),
        ({"licence": None}, "licence", "This field is required."),
        ({"password2": "something-else-2026"}, "password2", "The two passwords differ."),
        ({"password1": "123", "password2": "123"}, "password1", "This password is too short."),
    ],
)
def test_bad_input_is_reported_next_to_the_field_and_creates_nothing(cast, overrides, field, message):
    before = counts()
    response = english().post("/accounts/signup/supplier/", signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert counts() == before
    assert mail.outbox == []


def test_an_existing_tax_id_becomes_a_request_to_join_never_a_second_partner(cast, django_capture_on_commit_callbacks):
    existing = cast.supplier_a
    before_partners = Partner.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = english().post(
            "/accounts/signup/supplier/", signup_data(tax_id=existing.tax_id, country="DE", email="new@supplier-a.test")
        )
    assert response.status_code == 302
    assert Partner.objects.count() == before_partners
    assert Registration.objects.count() == 0
    join_request = JoinRequest.objects.get()
    assert (join_request.partner, join_request.user.email, join_request.status) == (
        existing,
        "new@supplier-a.test",
        "pending",
    )
    assert not Membership.objects.filter(user=join_request.user).exists()
    # the partner's active administrator decides
    assert list(Notification.objects.values_list("recipient__email", "kind", "url")) == [
        ("admin@supplier-a.test", "onboarding.join_requested", f"/account/join-requests/{join_request.uuid}/")
    ]


def test_a_partner_without_an_admin_sends_the_join_request_to_the_group_admins(cast):
    orphan = PartnerFactory(tax_id="91310000132149237G")
    english().post("/accounts/signup/supplier/", signup_data(tax_id=orphan.tax_id, email="someone@orphan.test"))
    join_request = JoinRequest.objects.get(partner=orphan)
    assert list(Notification.objects.values_list("recipient__email", "url")) == [
        ("admin@group.test", f"/cms/onboarding/join-requests/{join_request.uuid}/")
    ]


def test_the_tax_id_race_ends_in_a_join_request(cast, monkeypatch):
    """Another sign-up inserts the same tax id between our check and our insert: the unique constraint refuses
    ours, and the sign-up becomes a request to join the partner that won."""
    real = services.partner_with_tax_id
    calls = []

    def racing(tax_id):
        calls.append(tax_id)
        if len(calls) == 1:
            PartnerFactory(tax_id=tax_id, name="先到的公司")  # committed by the other sign-up, unseen by our check
            return None
        return real(tax_id)

    monkeypatch.setattr(services, "partner_with_tax_id", racing)
    response = english().post("/accounts/signup/supplier/", signup_data())
    assert response.status_code == 302
    assert Partner.objects.filter(tax_id="91350100M000100Y43").count() == 1
    join_request = JoinRequest.objects.get()
    assert join_request.partner.name == "先到的公司"
    assert Registration.objects.count() == 0


def test_a_logged_in_person_is_sent_to_their_status(cast, login_as):
    response = login_as(cast.supplier_a_sales).get("/accounts/signup/supplier/")
    assert response["Location"] == "/accounts/registration/"


def test_the_applicant_sees_pending_approval(cast, client):
    from tests.conftest import login
    from tests.onboarding.factories import make_registration

    registration = make_registration(email="pending@applicant.test")
    login(client, registration.applicant)
    page = client.get("/accounts/registration/", headers={"Accept-Language": "en"}).content.decode()
    assert registration.partner.name in page
    assert "Pending approval" in page


def test_integrity_error_on_the_email_is_a_clear_message(cast, monkeypatch):
    def collide(data):
        raise IntegrityError("duplicate key value violates unique constraint on email")

    monkeypatch.setattr(services, "_user_create", collide)
    before = counts()
    response = english().post("/accounts/signup/supplier/", signup_data())
    assert response.context["form"].errors == {"email": ["A user with this e-mail address already exists."]}
    assert counts() == before


def test_the_applicants_account_page_says_pending_approval(cast, client):
    from tests.conftest import login
    from tests.onboarding.factories import make_registration

    registration = make_registration(email="pending@applicant.test")
    login(client, registration.applicant)
    page = client.get("/account/", headers={"Accept-Language": "en"}).content.decode()
    assert f"The registration of {registration.partner.name} waits for a group administrator." in page
    assert "/accounts/registration/" in page


def test_a_failure_after_the_licence_was_stored_leaves_no_file_and_no_rows(cast, monkeypatch, media):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "emit", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        english().post("/accounts/signup/supplier/", signup_data())
    assert counts() == before
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_the_join_applicants_account_page_says_the_request_waits(cast, client):
    from tests.conftest import login
    from tests.onboarding.factories import make_join_request

    join_request = make_join_request(partner=cast.supplier_a)
    login(client, join_request.user)
    page = client.get("/account/", headers={"Accept-Language": "en"}).content.decode()
    assert f"Your request to join {cast.supplier_a.name} waits for its administrator." in page


def test_sign_ups_are_rate_limited_per_ip(cast):
    client = english()
    statuses = [client.post("/accounts/signup/supplier/", {"name": "x"}).status_code for _attempt in range(21)]
    assert statuses == [200] * 20 + [429]
