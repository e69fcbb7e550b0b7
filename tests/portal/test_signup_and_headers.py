"""E-mail verification is mandatory; password reset goes by e-mail; security headers on every response."""

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_sign_up_requires_a_verified_address_before_login():
    client = Client(headers={"Accept-Language": "en"})
    response = client.post(
        "/accounts/signup/", {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": "new@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # the verification mail is re-sent at most once every 3 minutes (ACCOUNT_RATE_LIMITS["confirm_email"])
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_password_reset_sends_a_mail_and_says_the_same_for_unknown_addresses(cast):
    client = Client()
    assert client.post("/accounts/password/reset/", {"email": cast.supplier_a_sales.email}).status_code == 302
    assert client.post("/accounts/password/reset/", {"email": "nobody@example.test"}).status_code == 302
    assert [message.to for message in mail.outbox][0] == [cast.supplier_a_sales.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
