"""Browser test of order review: a sales person of SH01 (with a second factor) confirms one line of a submitted
order and confirms the other with a reduced quantity in the back office; the customer's buyer then sees the order
confirmed with the promised dates and the reduced quantity. Screenshots at 1280 and 360 px; the customer's pages
do not scroll sideways."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from selfservice.orders.models import LineStatus, OrderStatus, SalesOrder
from selfservice.orders.selectors import company_today
from tests.e2e.conftest import save_screenshot
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    CustomerAccountFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    UserFactory,
)
from tests.factories.order_review import make_review_order, review_item

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def base(live_server) -> str:
    """The live server as `localhost` (tests/e2e/conftest.py's base_url_localhost; this test lives with the
    orders' tests)."""
    return live_server.url.replace("127.0.0.1", "localhost")


def actor(browser, base, email, *, totp=False, next_path=""):
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, email, totp_secret=SECRET if totp else None, next_path=next_path)
    page.wait_for_load_state()
    return page


def test_sales_confirm_and_the_customer_sees_the_promised_dates(browser, base):
    screenshot = save_screenshot
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司", name_en="Shanghai Steel Co.")
    customer = PartnerFactory(
        name="广州联合汽车零部件有限公司", name_en="Guangzhou United", is_supplier=False, is_customer=True
    )
    CustomerAccountFactory(partner=customer, company=company, erp_number="K10001")
    buyer = MembershipFactory(partner=customer, user=UserFactory(email="buyer@gzunited.test"), roles=["sales"]).user
    sales = StaffRoleFactory(user=UserFactory(email="sales@sh01.test"), role="sales", company=company).user
    TOTP.activate(sales, SECRET)
    order = make_review_order(
        company=company,
        customer=customer,
        placed_by=buyer,
        number="SO-E2E-0001",
        lines=[
            {"item": review_item("BLT-M12x50-8.8-ZN"), "quantity": "5000", "unit_price": "1.85", "list_price": "1.95"},
            {"item": review_item("NUT-M12-8-ZN"), "quantity": "2000", "unit_price": "0.42"},
        ],
    )
    first_date = (company_today(company) + timedelta(days=14)).isoformat()
    second_date = (company_today(company) + timedelta(days=21)).isoformat()

    staff = actor(browser, base, sales.email, totp=True, next_path=f"/cms/orders/{order.uuid}/")
    staff.wait_for_url(re.compile(rf".*/cms/orders/{order.uuid}/"))
    screenshot(staff, "orders-review-1280")
    staff.locator("#lines-title").scroll_into_view_if_needed()
    screenshot(staff, "orders-review-lines-1280")
    first_form = staff.locator('tr[data-decide="10"] form')
    first_form.locator('[name="promised_date"]').fill(first_date)
    first_form.locator('button[value="confirm"]').click()
    staff.wait_for_load_state()
    second_form = staff.locator('tr[data-decide="20"] form')
    second_form.locator('[name="promised_date"]').fill(second_date)
    second_form.locator('[name="quantity"]').fill("1500")
    second_form.locator('button[value="reduce"]').click()
    staff.wait_for_load_state()
    assert "the order is confirmed and the customer informed" in staff.content()
    screenshot(staff, "orders-review-done-1280")

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert list(order.lines.order_by("line_no").values_list("status", flat=True)) == [
        LineStatus.CONFIRMED,
        LineStatus.REDUCED,
    ]

    page = actor(browser, base, buyer.email, next_path="/customer/orders/")
    page.wait_for_url(re.compile(r".*/customer/orders/"))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        assert fits(page), ("list", width)
        screenshot(page, f"orders-customer-list-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click(f"text={SalesOrder.objects.get(pk=order.pk).number}")
    page.wait_for_url(re.compile(rf".*/customer/orders/{order.uuid}/"))
    assert page.locator('tr[data-line="10"] [data-promised]').inner_text() == first_date
    assert page.locator('tr[data-line="20"] [data-promised]').inner_text() == second_date
    assert page.locator('tr[data-line="20"] [data-confirmed]').inner_text() == "1500 pcs"
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        assert fits(page), ("detail", width)
        screenshot(page, f"orders-customer-detail-{width}")
