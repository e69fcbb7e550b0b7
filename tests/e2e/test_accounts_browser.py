"""Browser tests of the account flows: enrolling and logging in with TOTP, switching language, and an
outsider meeting 404. Codes are computed (RFC 6238); allauth refuses its bypass code with DEBUG off."""

import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from tests.e2e.helpers import log_in, submit
from tests.factories import PASSWORD, MembershipFactory, PartnerFactory, StaffRoleFactory, UserFactory
from tests.totp import fresh_totp_code

ARTIFACTS = Path(__file__).parent / "artifacts"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def base(live_server):
    # WebAuthn and secure-context APIs want a host name, not an IP address.
    return live_server.url.replace("127.0.0.1", "localhost")


def test_partner_admin_logs_in_with_totp_and_switches_language(page, base):
    admin = MembershipFactory(
        user=UserFactory(email="admin@supplier-a.test"),
        roles=["admin", "sales"],
        partner=PartnerFactory(name="甲供应商有限公司"),
    ).user
    TOTP.activate(admin, SECRET)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, admin.email)
    page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/"))
    shot(page, "accounts-2fa-authenticate")
    page.fill("input[name=code]", fresh_totp_code(SECRET))
    submit(page, "code")
    page.wait_for_url(re.compile(r".*/account/$"))
    assert page.locator("h1").first.inner_text().strip() == "我的账户"
    shot(page, "accounts-home-zh")

    page.locator(
        "form[action='/i18n/setlang/'] button[value=en], form[action='/i18n/setlang/'] [value=en]"
    ).first.click()
    page.wait_for_load_state()
    if page.locator("h1").first.inner_text().strip() != "My account":
        page.select_option("form[action='/i18n/setlang/'] select[name=language]", "en")
        page.locator("form[action='/i18n/setlang/'] [type=submit]").first.click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("h1").first.inner_text().strip() == "My account"
    shot(page, "accounts-home-en")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "accounts-home-en-360")


def test_staff_must_enrol_before_anything_else(page, base):
    buyer = StaffRoleFactory(user=UserFactory(email="buyer@group.test"), role="buyer").user
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, buyer.email)
    page.goto(f"{base}/account/")
    page.wait_for_url(re.compile(r".*/accounts/2fa/$"))
    shot(page, "accounts-must-enrol")
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password again before MFA set-up
        page.fill("input[name=password]", PASSWORD)
        submit(page, "password")
        page.wait_for_url(re.compile(r".*/accounts/2fa/totp/activate/"))
    shot(page, "accounts-totp-activate")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", fresh_totp_code(secret))
    submit(page, "code")
    page.wait_for_url(re.compile(r".*/accounts/2fa/recovery-codes/.*|.*/accounts/2fa/$"))
    page.goto(f"{base}/account/")
    assert page.url.endswith("/account/")
    assert page.locator("h1").first.inner_text().strip() == "我的账户"


def test_an_outsider_gets_404_for_another_partners_colleague(page, base):
    other = MembershipFactory(roles=["sales"], partner=PartnerFactory(name="乙供应商有限公司"))
    outsider = MembershipFactory(user=UserFactory(email="sales@supplier-c.test"), roles=["sales"]).user
    log_in(page, base, outsider.email)
    page.wait_for_url(re.compile(r".*/account/$"))
    response = page.goto(f"{base}/account/team/{other.uuid}/")
    assert response.status == 404
    assert "乙供应商" not in page.content()
    shot(page, "accounts-outsider-404")


def test_team_pages_and_back_office_look_right(page, base):
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    admin = MembershipFactory(
        user=UserFactory(email="admin@supplier-a.test", first_name="磊", last_name="赵"),
        roles=["admin", "sales"],
        partner=partner,
    ).user
    colleague = MembershipFactory(user=UserFactory(email="sales@supplier-a.test"), roles=["sales"], partner=partner)
    TOTP.activate(admin, SECRET)
    log_in(page, base, admin.email)
    page.fill("input[name=code]", fresh_totp_code(SECRET))
    submit(page, "code")
    page.wait_for_url(re.compile(r".*/account/$"))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for name, path, heading in (
            ("team", "/account/team/", "甲供应商有限公司 的团队"),
            ("team-member", f"/account/team/{colleague.uuid}/", colleague.user.get_full_name()),
            ("preferences", "/account/preferences/", "偏好设置"),
        ):
            page.goto(f"{base}{path}")
            assert page.locator("h1").first.inner_text().strip() == heading
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
            shot(page, f"accounts-{name}-{width}")


def test_group_admin_back_office_pages(page, base):
    admin = StaffRoleFactory(user=UserFactory(email="admin@group.test"), role="group_admin", company=None).user
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    MembershipFactory(user=UserFactory(email="sales@supplier-a.test"), roles=["sales"], partner=partner)
    TOTP.activate(admin, SECRET)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, admin.email)
    page.fill("input[name=code]", fresh_totp_code(SECRET))
    submit(page, "code")
    page.wait_for_url(re.compile(r".*/account/$"))
    for name, path in (
        ("partners", "/cms/partners/"),
        ("partner", f"/cms/partners/{partner.uuid}/"),
        ("people", "/cms/people/"),
        ("person", f"/cms/people/{admin.uuid}/"),
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, name
        shot(page, f"back-office-{name}")
