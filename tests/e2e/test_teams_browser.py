"""Browser test of a partner's team, in Chinese: the administrator invites a colleague, the colleague follows the
e-mail's link, sets a password and logs in; then the administrator deactivates them while their browser is
open, and the colleague's next page load lands on the login page."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail

from portal.organisations.models import Membership
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "Lanterns-over-the-Huangpu-2026"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    """Screenshots at a phone's width and a desktop's; the page must not scroll sideways at either."""
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert fits(page), (name, width)
        screenshot(page, f"teams-{name}-{width}")


def test_invited_colleague_joins_then_is_deactivated_mid_session(
    page, browser, browser_context_args, base_url_localhost, screenshot
):
    base = base_url_localhost
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    admin = MembershipFactory(
        user=UserFactory(email="admin@supplier-a.test", first_name="磊", last_name="赵"),
        roles=["admin", "sales"],
        partner=partner,
    ).user
    TOTP.activate(admin, SECRET)

    # The administrator logs in (password, then the authenticator app) and invites a colleague.
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, admin.email, totp_secret=SECRET, next_path="/account/team/")
    page.wait_for_url(re.compile(r".*/account/team/$"))
    assert page.locator("h1").first.inner_text().strip() == "甲供应商有限公司 的团队"
    invite = page.locator("form[action='/account/team/invite/']")
    invite.locator("input[name=email]").fill("Li.Na@Supplier-A.test")
    invite.locator("input[name=roles][value=logistics]").check()
    invite.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r".*/account/team/$"))
    assert page.locator("table", has_text="li.na@supplier-a.test").count() == 1
    shots(page, screenshot, "team-invited")

    # The colleague, on their own computer, follows the link in the e-mail and sets a password.
    (message,) = [message for message in mail.outbox if message.to == ["li.na@supplier-a.test"]]
    path = re.search(r"https?://[^/\s]+(/accounts/invitation/[^\s]+/)", message.body).group(1)
    colleague_context = browser.new_context(**browser_context_args)
    colleague = colleague_context.new_page()
    colleague.set_viewport_size({"width": 1280, "height": 800})
    colleague.goto(f"{base}{path}")
    colleague.fill("input[name=first_name]", "娜")
    colleague.fill("input[name=last_name]", "李")
    colleague.fill("input[name=password1]", NEW_PASSWORD)
    colleague.fill("input[name=password2]", NEW_PASSWORD)
    colleague.locator("form:has([name=password1]) [type=submit]").click()
    colleague.wait_for_url(re.compile(r".*/accounts/login/.*"))
    colleague.fill("input[name=login]", "li.na@supplier-a.test")
    colleague.fill("input[name=password]", NEW_PASSWORD)
    colleague.locator("form:has([name=password]) [type=submit]").first.click()
    colleague.wait_for_url(re.compile(r".*/account/$"))
    assert colleague.locator("h1").first.inner_text().strip() == "我的账户"
    membership = Membership.objects.get(partner=partner, user__email="li.na@supplier-a.test")
    assert (membership.roles, membership.is_active) == (["sales", "logistics"], True)
    # their sessions card shows this browser, marked as this device
    sessions = colleague.locator("#sessions")
    assert sessions.locator("tbody tr").count() == 1
    assert sessions.locator("tbody tr .badge-ok").count() == 1
    shots(colleague, screenshot, "colleague-account")

    # The administrator deactivates the colleague, whose browser is still open on /account/.
    page.goto(f"{base}/account/team/{membership.uuid}/")
    page.locator("form:has(input[value=deactivate]) [type=submit]").click()
    page.wait_for_url(re.compile(r".*/account/team/$"))
    membership.refresh_from_db()
    assert membership.is_active is False
    shots(page, screenshot, "team-deactivated")

    colleague.reload()
    colleague.wait_for_url(re.compile(r".*/accounts/login/\?next=/account/$"))
    assert colleague.locator("input[name=login]").count() == 1
    shots(colleague, screenshot, "colleague-logged-out")
    colleague_context.close()


def test_a_buyer_manages_a_suppliers_team_in_the_back_office(page, base_url_localhost, screenshot):
    base = base_url_localhost
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司")
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    SupplierAccountFactory(partner=partner, company=company)
    MembershipFactory(user=UserFactory(email="admin@supplier-a.test"), roles=["admin"], partner=partner)
    colleague = MembershipFactory(
        user=UserFactory(email="sales@supplier-a.test", first_name="伟", last_name="王"),
        roles=["sales"],
        partner=partner,
    )
    buyer = StaffRoleFactory(user=UserFactory(email="buyer@group.test"), role="buyer", company=company).user
    TOTP.activate(buyer, SECRET)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, buyer.email, totp_secret=SECRET, next_path=f"/cms/partners/{partner.uuid}/")
    page.wait_for_url(re.compile(rf".*/cms/partners/{partner.uuid}/$"))
    screenshot(page, "teams-back-office-partner-1280")
    page.goto(f"{base}/cms/memberships/{colleague.uuid}/")
    page.locator("input[name=roles][value=logistics]").check()
    page.locator("form:has(input[value=roles]) [type=submit]").click()
    page.wait_for_url(re.compile(rf".*/cms/partners/{partner.uuid}/$"))
    colleague.refresh_from_db()
    assert colleague.roles == ["sales", "logistics"]
    page.goto(f"{base}/cms/memberships/{colleague.uuid}/")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"teams-back-office-membership-{width}")
