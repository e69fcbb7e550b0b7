"""Browser test of the AVL: the sourcing manager blocks a supplier in the back office (the error next to the empty
reason first), and the supplier sees the block and what to do on /supplier/approvals/. Screenshots at 1280 and
360 px; neither page scrolls sideways."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from rfq.avl.models import ApprovedSupplier, AvlStatus
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
)
from tests.factories.catalog import CategoryFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)
        assert fits(page), (name, width)
        screenshot(page, f"avl-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_block_in_the_back_office_and_the_supplier_sees_what_to_do(page, base_url_localhost, screenshot):
    base = base_url_localhost
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司")
    supplier = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    SupplierAccountFactory(partner=supplier, company=company)
    SupplierAccountFactory(partner=supplier, company=CompanyFactory(code="WH02", name="武汉机械有限公司"))
    steel = CategoryFactory(code="STEEL", name="钢材", name_en="Steel")
    plate = CategoryFactory(code="STEEL-PLATE", name="钢板", name_en="Plate", parent=steel)
    entry = ApprovedSupplier.objects.create(company=company, category=plate, partner=supplier, status="approved")
    ApprovedSupplier.objects.create(
        company=None, category=steel, partner=supplier, status=AvlStatus.CONDITIONAL, reason="首件检验"
    )
    manager = StaffRoleFactory(
        user=UserFactory(email="sourcing@group.test", first_name="强", last_name="李"), role="sourcing_manager",
        company=company,
    ).user  # fmt: skip
    TOTP.activate(manager, SECRET)
    member = MembershipFactory(partner=supplier, user=UserFactory(email="sales@supplier-a.test"), roles=["sales"]).user

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, manager.email, totp_secret=SECRET, next_path="/cms/avl/")
    page.wait_for_url(re.compile(r".*/cms/avl/$"))
    assert page.get_by_text("甲供应商有限公司").count() == 2
    shots(page, screenshot, "list")

    page.goto(f"{base}/cms/avl/{entry.uuid}/")
    page.select_option("select[name=status]", "blocked")
    page.locator("form:has([name=reason]) [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[name=reason]").count() == 1
    entry.refresh_from_db()
    assert entry.status == "approved"
    shots(page, screenshot, "detail-error")
    page.fill("textarea[name=reason]", "ISO 9001 证书已过期")
    page.locator("form:has([name=reason]) [type=submit]").click()
    page.wait_for_url(re.compile(rf".*/cms/avl/{entry.uuid}/$"))
    entry.refresh_from_db()
    assert entry.status == "blocked"
    shots(page, screenshot, "detail")

    page.context.clear_cookies()
    log_in(page, base, member.email, next_path="/supplier/approvals/")
    page.wait_for_url(re.compile(r".*/supplier/approvals/$"))
    content = page.content()
    assert "ISO 9001 证书已过期" in content and "首件检验" in content
    shots(page, screenshot, "supplier")
