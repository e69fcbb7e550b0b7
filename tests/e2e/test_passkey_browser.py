"""A passkey end to end, on a virtual authenticator (Chrome DevTools Protocol): a buyer who must use a second
factor adds a security key, and the next login passes with it. WebAuthn needs the host name localhost."""

import re

import pytest
from allauth.mfa.models import Authenticator

from tests.e2e.helpers import submit
from tests.factories import PASSWORD, StaffRoleFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def add_virtual_authenticator(page):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session


def test_buyer_enrols_a_passkey_and_logs_in_with_it(page, base_url_localhost, screenshot):
    base = base_url_localhost
    buyer = StaffRoleFactory(user=UserFactory(email="buyer@group.test"), role="buyer").user
    session = add_virtual_authenticator(page)

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "password")
    page.wait_for_url(re.compile(r".*/account/?$|.*/accounts/2fa/$"))
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        submit(page, "password")
        page.wait_for_url(re.compile(r".*/accounts/2fa/webauthn/add/"))
    page.fill("input[name=name]", "Laptop")
    screenshot(page, "passkey-add")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(re.compile(r".*/accounts/2fa/(recovery-codes/.*)?$"))
    assert list(Authenticator.objects.filter(user=buyer).values_list("type", flat=True).order_by("type")) == [
        "recovery_codes",
        "webauthn",
    ]
    # enrolling proved the key: the session counts as two-factor and the portal opens
    page.goto(f"{base}/account/")
    assert page.url == f"{base}/account/"

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", buyer.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "password")
    page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/"))
    screenshot(page, "passkey-authenticate")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(re.compile(r".*/account/$"))
    assert page.locator("h1").first.inner_text().strip() == "我的账户"
    session.detach()
