"""Browser test of the supplier workspace in zh-Hans: a member sees an unread notification on the dashboard,
opens it from the header's inbox, and it is marked read. Screenshots at 360 px and 1280 px."""

import re

import pytest
from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import notification_kinds, register_kind
from portal.notifications.models import Notification
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    SupplierAccountFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
KIND = "tests.browser"


@pytest.fixture
def supplier_member():
    register_kind(KIND, title=_("Approved"), body="%(partner)s", group="onboarding")
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    SupplierAccountFactory(partner=partner, company=CompanyFactory(code="SH01", name="上海钢铁有限公司"))
    user = MembershipFactory(
        partner=partner, user=UserFactory(email="sales@supplier-a.test", first_name="小明", last_name="王"),
        roles=["sales", "logistics"],
    ).user  # fmt: skip
    MembershipFactory(partner=partner, user=UserFactory(email="admin@supplier-a.test"), roles=["admin", "sales"])
    notification = Notification.objects.create(
        recipient=user, kind=KIND, params={"partner": partner.name}, url="/account/", partner=partner
    )
    yield user, notification
    notification_kinds.unregister(KIND)


def test_supplier_opens_an_unread_notification_from_the_header(page, base_url_localhost, screenshot, supplier_member):
    user, notification = supplier_member
    base = base_url_localhost
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has([name=password]) [type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/supplier/")
    assert page.locator("h1").first.inner_text().strip() == "供应商工作台"
    assert page.locator(".notification.is-unread").count() == 1
    header_link = page.locator("a.inbox-link")
    assert header_link.locator(".badge").inner_text() == "1"
    screenshot(page, "workspace-supplier-zh-1280")

    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "workspace-supplier-zh-360")

    header_link.click()
    page.wait_for_url(re.compile(r".*/account/inbox/$"))
    screenshot(page, "workspace-inbox-zh-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "workspace-inbox-zh-1280")
    page.locator(f"form[action='/account/inbox/{notification.uuid}/read/'] button").click()
    page.wait_for_url(re.compile(r".*/account/$"))
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert page.locator("a.inbox-link .badge").count() == 0

    page.goto(f"{base}/supplier/")
    assert page.locator(".notification.is-unread").count() == 0
    page.locator("form[action='/i18n/setlang/'] button[value=en]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/supplier/")
    screenshot(page, "workspace-supplier-en-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "workspace-supplier-en-360")


def test_a_pending_supplier_sees_its_registration_under_review(page, base_url_localhost, screenshot):
    partner = PartnerFactory(name="待审供应商有限公司", name_en="Pending Supplier Ltd.", status="pending")
    user = MembershipFactory(partner=partner, user=UserFactory(email="new@pending.test"), roles=["sales"]).user
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url_localhost}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has([name=password]) [type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base_url_localhost}/supplier/")
    assert page.locator("#pending-title").count() == 1
    assert page.locator("#tasks-title").count() == 0
    screenshot(page, "workspace-supplier-pending-zh-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "workspace-supplier-pending-zh-360")
