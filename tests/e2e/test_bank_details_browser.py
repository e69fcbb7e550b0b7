"""Browser test of a bank details change, in Chinese: the supplier's administrator confirms with the authenticator
app again (the session's second factor is older than allauth's re-authentication window) and requests a new account;
finance staff compare and approve it in the back office; the supplier then sees the new account in force."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from rfq.banking.models import BankDetailsChange, ChangeStatus, SupplierBankAccount
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
)
from tests.totp import fresh_totp_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AUTHENTICATION_RECORDS = "account_authentication_methods"  # allauth's session key for how the session logged in
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert fits(page), (name, width)
        screenshot(page, f"bank-details-{name}-{width}")


def age_the_login(page, seconds: int) -> None:
    """Move the session's authentication records into the past, as if the person had logged in that long ago."""
    (cookie,) = [cookie for cookie in page.context.cookies() if cookie["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[AUTHENTICATION_RECORDS] = [
        {**record, "at": record["at"] - seconds} for record in session[AUTHENTICATION_RECORDS]
    ]
    session.save()


def next_period_code(secret: str) -> str:
    """A code of the next TOTP period: allauth accepts each code once, and the login just used this period's."""
    time.sleep(30 - time.time() % 30 + 0.1)
    return fresh_totp_code(secret)


def test_admin_requests_new_bank_details_and_finance_approves(
    page, browser, browser_context_args, base_url_localhost, screenshot
):
    base = base_url_localhost
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司")
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    SupplierAccountFactory(partner=partner, company=company)
    admin = MembershipFactory(
        user=UserFactory(email="admin@supplier-a.test", first_name="磊", last_name="赵"),
        roles=["admin", "sales"],
        partner=partner,
    ).user
    MembershipFactory(user=UserFactory(email="owner@supplier-a.test"), roles=["admin"], partner=partner)
    finance = StaffRoleFactory(user=UserFactory(email="finance@group.test"), role="finance", company=None).user
    TOTP.activate(admin, SECRET)
    TOTP.activate(finance, SECRET)
    SupplierBankAccount.objects.create(
        partner=partner,
        account_holder="甲供应商有限公司",
        bank_name="中国工商银行",
        branch="上海外滩支行",
        account_number="6222020200112233445",
        bank_code="102290002913",
        currency="CNY",
        approved_at=timezone.now(),
    )

    # The administrator logs in and looks at the account in force (masked).
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, admin.email, totp_secret=SECRET, next_path="/supplier/bank-details/")
    page.wait_for_url(re.compile(r".*/supplier/bank-details/$"))
    assert "•••• 3445" in page.content() and "6222020200112233445" not in page.content()
    shots(page, screenshot, "supplier-before")

    # Some time later: the change needs the second factor again.
    age_the_login(page, 600)
    page.goto(f"{base}/supplier/bank-details/change/")
    page.wait_for_url(re.compile(r".*/accounts/2fa/reauthenticate/\?next=.*"))
    page.fill("input[name=code]", next_period_code(SECRET))
    page.locator("form:has([name=code]) [type=submit]").click()
    page.wait_for_url(re.compile(r".*/supplier/bank-details/change/$"))
    form = page.locator("form:has([name=account_number])")
    form.locator("select[name=company]").select_option(str(company.uuid))
    form.locator("input[name=account_holder]").fill("甲供应商有限公司")
    form.locator("input[name=bank_name]").fill("中国建设银行")
    form.locator("input[name=branch]").fill("上海浦东分行")
    form.locator("input[name=account_number]").fill("6217 0000 1009 87AB")
    form.locator("[type=submit]").click()
    assert page.locator(".errors, .field-errors, [id$=_error]").count() >= 1  # letters in the number: refused
    shots(page, screenshot, "supplier-form-error")
    form.locator("input[name=account_number]").fill("6217 0000 1009 8765 432")
    form.locator("input[name=swift_bic]").fill("PCBCCNBJ")
    form.locator("input[name=bank_code]").fill("105290036005")
    form.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r".*/supplier/bank-details/$"))
    assert BankDetailsChange.objects.get().status == ChangeStatus.PENDING
    shots(page, screenshot, "supplier-pending")

    # Finance of the group compares the accounts in full and approves.
    finance_context = browser.new_context(**browser_context_args)
    staff = finance_context.new_page()
    staff.set_viewport_size({"width": 1280, "height": 800})
    log_in(staff, base, finance.email, totp_secret=SECRET, next_path="/cms/bank-details/")
    staff.wait_for_url(re.compile(r".*/cms/bank-details/$"))
    screenshot(staff, "bank-details-cms-list-1280")
    staff.locator("table.listing a").first.click()
    staff.wait_for_url(re.compile(r".*/cms/bank-details/[0-9a-f-]{36}/$"))
    assert "6217000010098765432" in staff.content()
    for width in (1280, 360):
        staff.set_viewport_size({"width": width, "height": 900})
        screenshot(staff, f"bank-details-cms-compare-{width}")
    staff.set_viewport_size({"width": 1280, "height": 900})
    staff.locator("form[action$='/approve/'] [type=submit]").click()
    staff.wait_for_url(re.compile(r".*/cms/bank-details/$"))
    finance_context.close()

    # The supplier sees the new account in force for the company; the default account stays for the others.
    page.goto(f"{base}/supplier/bank-details/")
    assert "•••• 5432" in page.content() and "6217000010098765432" not in page.content()
    assert SupplierBankAccount.objects.get(company=company, is_current=True).account_number == "6217000010098765432"
    shots(page, screenshot, "supplier-after")
