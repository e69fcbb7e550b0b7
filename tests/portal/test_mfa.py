"""Second factors: enforced for staff and partner administrators, TOTP secrets encrypted at rest, the real
allauth login with a computed TOTP code, and the group administrator's audited reset."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from portal.accounts.adapters import MFAAdapter
from portal.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import PASSWORD
from tests.totp import totp_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.django_db
def test_staff_without_second_factor_is_sent_to_enrol(cast):
    client = login(Client(), cast.buyer, second_factor=False)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    assert client.get("/cms/").status_code == 302
    # the enrolment pages themselves stay reachable
    assert client.get("/accounts/2fa/").status_code == 200


@pytest.mark.django_db
def test_partner_admin_needs_second_factor_but_a_sales_colleague_does_not(cast):
    assert login(Client(), cast.supplier_a_admin, second_factor=False).get("/account/").status_code == 302
    assert login(Client(), cast.supplier_a_sales, second_factor=False).get("/account/").status_code == 200


@pytest.mark.django_db
def test_enrolled_user_whose_session_skipped_the_factor_must_confirm_it(cast):
    TOTP.activate(cast.buyer, SECRET)
    response = login(Client(), cast.buyer, second_factor=False).get("/account/team/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=/account/team/?x=1"


@pytest.mark.django_db
def test_totp_secret_is_encrypted_at_rest(cast):
    authenticator = TOTP.activate(cast.buyer, SECRET).instance
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    assert stored.startswith("fernet:")
    assert SECRET not in stored
    assert MFAAdapter().decrypt(stored) == SECRET


@pytest.mark.django_db
def test_login_with_password_and_totp_code(cast):
    TOTP.activate(cast.buyer, SECRET)
    client = Client()
    response = client.post("/accounts/login/", {"login": cast.buyer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/account/").status_code == 302  # not logged in yet
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(SECRET, at=0)})
    assert response.status_code == 200  # wrong code: the form again
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(SECRET)})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert client.get("/cms/").status_code == 200


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(cast):
    client = Client(headers={"Accept-Language": "en"})
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": cast.supplier_a_sales.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": cast.supplier_a_sales.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts. Try again later." in response.content.decode()


@pytest.mark.django_db
def test_deactivated_user_loses_the_session_at_the_next_request(cast):
    client = login(Client(), cast.supplier_a_sales)
    assert client.get("/account/").status_code == 200
    type(cast.supplier_a_sales).objects.filter(pk=cast.supplier_a_sales.pk).update(is_active=False)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_group_admin_resets_mfa_with_an_audit_event(cast):
    TOTP.activate(cast.buyer, SECRET)
    client = login(Client(), cast.group_admin)
    response = client.post(f"/cms/people/{cast.buyer.uuid}/mfa-reset/")
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=cast.buyer).count() == 0
    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert (event.actor, event.object_id, event.before, event.after) == (
        cast.group_admin,
        str(cast.buyer.uuid),
        {"authenticators": ["totp"]},
        {"authenticators": []},
    )


@pytest.mark.django_db
def test_mfa_reset_is_refused_to_company_staff_and_changes_nothing(cast):
    TOTP.activate(cast.staff_b, SECRET)
    client = login(Client(), cast.sourcing_manager)
    response = client.post(f"/cms/people/{cast.staff_b.uuid}/mfa-reset/")
    assert response.status_code == 404
    assert Authenticator.objects.filter(user=cast.staff_b).count() == 1
    assert AuditEvent.objects.filter(action="user.mfa_reset").count() == 0


@pytest.mark.django_db
def test_back_office_login_pages_lead_to_allauth(cast):
    client = Client()
    assert client.get("/cms/login/?next=/cms/").headers["Location"] == "/accounts/login/?next=/cms/"
    assert client.get("/cms/password_reset/").headers["Location"] == "/accounts/password/reset/"
    response = client.get("/cms/", follow=True)
    assert [url for url, _status in response.redirect_chain] == [
        "/cms/login/?next=/cms/",
        "/accounts/login/?next=%2Fcms%2F",
    ]


@pytest.mark.django_db
def test_mfa_reset_logs_the_person_out_everywhere(cast, django_capture_on_commit_callbacks):
    TOTP.activate(cast.buyer, SECRET)
    buyer = login(Client(), cast.buyer)
    colleague = login(Client(), cast.sourcing_manager)
    assert buyer.get("/account/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        login(Client(), cast.group_admin).post(f"/cms/people/{cast.buyer.uuid}/mfa-reset/")
    response = buyer.get("/account/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/account/")
    assert colleague.get("/account/").status_code == 200  # nobody else is logged out
