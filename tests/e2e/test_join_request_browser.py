"""Browser test, in Chinese: someone signs up with the tax id of a supplier the group already knows; the sign-up
becomes a request to join; the supplier's administrator accepts it; the newcomer opens the supplier workspace."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail

from portal.onboarding.models import JoinRequest
from portal.organisations.models import Membership, Partner
from tests.e2e.helpers import log_in
from tests.factories import MembershipFactory, PartnerFactory, SupplierAccountFactory, UserFactory
from tests.factories.documents import PDF_BYTES

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEWCOMER_PASSWORD = "Huasheng-Newcomer-2026"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_join_request_accepted_by_the_partner_admin(page, base_url_localhost, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = base_url_localhost
    supplier = PartnerFactory(
        name="江苏华晟特钢有限公司", name_en="Jiangsu Huasheng Special Steel", tax_id="91350100M000100Y43"
    )
    SupplierAccountFactory(partner=supplier)
    admin = MembershipFactory(partner=supplier, user=UserFactory(email="admin@huasheng.test"), roles=["admin"]).user
    TOTP.activate(admin, SECRET)

    # the newcomer signs up with the known tax id: a request to join, never a second partner
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/accounts/signup/supplier/")
    page.fill("input[name=name]", "江苏华晟特钢")
    page.select_option("select[name=country]", "CN")
    page.fill("input[name=tax_id]", "91350100M000100Y43")
    page.fill("textarea[name=address]", "江苏省无锡市")
    page.fill("input[name=contact_name]", "孙丽")
    page.fill("input[name=phone]", "+86 510 8888 0000")
    page.fill("input[name=email]", "sun.li@huasheng.test")
    page.fill("input[name=password1]", NEWCOMER_PASSWORD)
    page.fill("input[name=password2]", NEWCOMER_PASSWORD)
    page.set_input_files(
        "input[name=licence]", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("form.form [type=submit]").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/done/$"))
    screenshot(page, "join-request-done-360")
    assert Partner.objects.filter(tax_id="91350100M000100Y43").count() == 1
    join_request = JoinRequest.objects.get()
    assert (join_request.partner, join_request.status) == (supplier, "pending")
    verification = next(message for message in mail.outbox if message.to == ["sun.li@huasheng.test"])
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", verification.body).group(0)
    page.goto(base + link[link.index("/accounts/confirm-email/") :])
    page.locator("main form[method=post] [type=submit]").first.click()
    page.wait_for_load_state()
    assert EmailAddress.objects.get(email="sun.li@huasheng.test").verified is True

    # the partner's administrator accepts with roles
    admin_context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    admin_page = admin_context.new_page()
    admin_page.set_viewport_size({"width": 1280, "height": 800})
    log_in(admin_page, base, admin.email, totp_secret=SECRET)
    admin_page.wait_for_url(re.compile(r".*/account/$"))
    admin_page.goto(f"{base}/account/join-requests/{join_request.uuid}/")
    screenshot(admin_page, "join-request-review-1280")
    admin_page.locator("form:has(input[value=accept]) input[name=roles][value=sales]").check()
    admin_page.locator("form:has(input[value=accept]) input[name=roles][value=logistics]").check()
    admin_page.locator("form:has(input[value=accept]) [type=submit]").click()
    admin_page.wait_for_load_state()
    join_request.refresh_from_db()
    assert join_request.status == "accepted"
    membership = Membership.objects.get(partner=supplier, user__email="sun.li@huasheng.test")
    assert (sorted(membership.roles), membership.is_active) == (["logistics", "sales"], True)
    admin_context.close()

    # the newcomer (no admin role: no second factor needed) opens the supplier workspace
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, "sun.li@huasheng.test", password=NEWCOMER_PASSWORD)
    page.wait_for_load_state()
    response = page.goto(f"{base}/supplier/")
    assert response.status == 200
    assert "江苏华晟特钢有限公司" in page.locator("main").inner_text()
    screenshot(page, "join-request-newcomer-workspace-1280")
