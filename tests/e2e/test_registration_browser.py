"""Browser test of a supplier's registration, in Chinese: sign-up with the business licence → e-mail verification
(the link from the e-mail) → "pending approval" → a group administrator approves in the back office → the
applicant logs in and, as the partner's administrator, sets up a second factor first."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.utils import translation

from portal.onboarding.models import Registration
from portal.organisations.models import Partner
from tests.e2e.helpers import fits, log_in, submit
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.documents import PDF_BYTES
from tests.totp import fresh_totp_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
APPLICANT_PASSWORD = "Minjiang-Precision-2026"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def zh(message: str) -> str:
    """The Chinese text of one of our messages (the catalogue's, once translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_supplier_registers_verifies_is_approved_and_logs_in(page, base_url_localhost, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = base_url_localhost
    admin = StaffRoleFactory(user=UserFactory(email="admin@group.test"), role="group_admin", company=None).user
    TOTP.activate(admin, SECRET)

    # 1. sign-up, first with a wrong check character: the error is next to the field, nothing is created
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/accounts/signup/supplier/")
    assert page.locator("h1").first.inner_text().strip() == zh("Register as a supplier")
    assert fits(page)
    screenshot(page, "registration-signup-360")
    page.fill("input[name=name]", "福州闽江精密机械有限公司")
    page.fill("input[name=name_en]", "Fuzhou Minjiang Precision Machinery Co., Ltd.")
    page.select_option("select[name=country]", "CN")
    page.fill("input[name=tax_id]", "91350100M000100Y44")
    page.fill("textarea[name=address]", "福建省福州市鼓楼区五四路 88 号")
    page.fill("input[name=contact_name]", "林海")
    page.fill("input[name=phone]", "+86 591 8765 4321")
    page.fill("input[name=email]", "lin.hai@minjiang.test")
    page.fill("input[name=password1]", APPLICANT_PASSWORD)
    page.fill("input[name=password2]", APPLICANT_PASSWORD)
    page.set_input_files(
        "input[name=licence]", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("form.form [type=submit]").click()
    page.wait_for_load_state()
    error = page.locator("#id_tax_id_error")
    assert error.inner_text().strip() == zh(
        "This unified social credit code is not valid: its last character does not match. Check for typos."
    )
    assert Partner.objects.filter(tax_id__startswith="91350100M").count() == 0
    screenshot(page, "registration-signup-error-360")

    page.fill("input[name=tax_id]", "91350100M000100Y43")
    page.fill("input[name=password1]", APPLICANT_PASSWORD)
    page.fill("input[name=password2]", APPLICANT_PASSWORD)
    page.set_input_files(
        "input[name=licence]", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("form.form [type=submit]").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/done/$"))
    assert fits(page)
    screenshot(page, "registration-done-360")
    registration = Registration.objects.get()
    assert (registration.status, registration.partner.status) == ("pending", "pending")

    # 2. the verification link from the e-mail
    verification = next(message for message in mail.outbox if message.to == ["lin.hai@minjiang.test"])
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", verification.body).group(0)
    page.goto(base + link[link.index("/accounts/confirm-email/") :])
    page.locator("main form[method=post] [type=submit]").first.click()
    page.wait_for_load_state()
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="lin.hai@minjiang.test").verified is True

    # 3. the group administrator approves in the back office (another browser session)
    admin_context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    admin_page = admin_context.new_page()
    admin_page.set_viewport_size({"width": 1280, "height": 800})
    log_in(admin_page, base, admin.email, totp_secret=SECRET)
    admin_page.wait_for_url(re.compile(r".*/account/$"))
    admin_page.goto(f"{base}/cms/onboarding/registrations/")
    screenshot(admin_page, "registration-admin-index-1280")
    admin_page.get_by_role("link", name="福州闽江精密机械有限公司").click()
    admin_page.wait_for_url(re.compile(rf".*/cms/onboarding/registrations/{registration.uuid}/$"))
    assert "营业执照.pdf" in admin_page.content()
    screenshot(admin_page, "registration-admin-detail-1280")
    mail.outbox.clear()
    admin_page.locator("form:has(input[value=approve]) [type=submit]").click()
    admin_page.wait_for_url(re.compile(r".*/cms/onboarding/registrations/$"))
    registration.refresh_from_db()
    registration.partner.refresh_from_db()
    assert (registration.status, registration.partner.status) == ("approved", "approved")
    assert [message.to for message in mail.outbox] == [["lin.hai@minjiang.test"]]
    admin_context.close()

    # 4. the applicant logs in; as the partner's administrator they set up a second factor first
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, "lin.hai@minjiang.test", password=APPLICANT_PASSWORD)
    page.wait_for_url(re.compile(r".*/accounts/2fa/$|.*/account/$"))
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", APPLICANT_PASSWORD)
        submit(page, "password")
        page.wait_for_url(re.compile(r".*/accounts/2fa/totp/activate/"))
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", fresh_totp_code(secret))
    submit(page, "code")
    page.wait_for_url(re.compile(r".*/accounts/2fa/recovery-codes/.*|.*/accounts/2fa/$"))
    page.goto(f"{base}/account/")
    assert page.url.endswith("/account/")
    assert "福州闽江精密机械有限公司" in page.content()
    assert zh("Pending approval") not in page.locator("main").inner_text()
    screenshot(page, "registration-applicant-account-1280")
    page.goto(f"{base}/accounts/registration/")
    assert zh("Approved") in page.locator("main .badge-ok").inner_text()
    page.set_viewport_size({"width": 360, "height": 740})
    assert fits(page)
    screenshot(page, "registration-status-360")
