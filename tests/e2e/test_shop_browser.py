"""Browser test of the shop's main flow (issue 7): a customer's buyer searches 钢板 in the storefront, opens the
plate, adds it to the cart and checks out on credit; a second, larger order exceeds the credit limit, so the buyer
prepays it by card through localstripe's Stripe.js stand-in and localstripe's signed webhook marks it paid; a sales
person of the selling company (with a second factor) confirms the first order's line with a promised date, and the
buyer sees that date on the order. Screenshots at 1280 and 360 px; no customer page scrolls sideways."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from catalog.search import remember_words, search_document
from catalog.shop.models import ItemStock
from portal.organisations.models import Warehouse
from selfservice.orders.models import LineStatus, OrderStatus, PaymentStatus, SalesOrder
from selfservice.orders.selectors import company_today
from tests.e2e.helpers import fits, log_in
from tests.factories import CompanyFactory, MembershipFactory, PartnerFactory, StaffRoleFactory, UserFactory
from tests.factories.catalog import CategoryFactory, UnitFactory
from tests.factories.orders import customer_account, invoicing_details, price_item, sellable_item, ship_to_address
from tests.localstripe import start_localstripe
from tests.payments.conftest import stripe_setup

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
WEBHOOK_SECRET = "whsec_e2e_sh01"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def stripe_server(settings):
    server = start_localstripe()
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_JS_URL = server.js_url
    yield server
    server.stop()


def shots(page, screenshot, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        assert fits(page), (name, width)
        screenshot(page, f"shop-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_search_order_on_credit_prepay_by_card_and_see_the_promised_date(
    browser, live_server, stripe_server, screenshot
):
    base = live_server.url.replace("127.0.0.1", "localhost")
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司", name_en="Shanghai Steel Co.", currency="CNY")
    stripe_setup(company, webhook_secret=WEBHOOK_SECRET)
    stripe_server.add_webhook(
        "portal",
        f"{live_server.url}/webhooks/stripe/SH01/",
        WEBHOOK_SECRET,
        ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"],
    )
    tonne = UnitFactory(code="t", name="吨", name_en="tonne", dimension="mass", factor=Decimal("1000"))
    plates = CategoryFactory(code="PLATE", name="钢板", name_en="Steel plate")
    plate = sellable_item(
        code="PL-Q235B-10", name="热轧钢板 Q235B 10mm", name_en="Hot-rolled plate Q235B 10 mm",
        category=plates, base_unit=tonne, min_order_quantity=Decimal("1"), lead_time_days=10,
    )  # fmt: skip
    coil = sellable_item(
        code="CC-SPCC-1.0", name="冷轧钢板卷 SPCC 1.0mm", name_en="Cold-rolled coil SPCC 1.0 mm",
        category=plates, base_unit=tonne, lead_time_days=20,
    )  # fmt: skip
    for item in (plate, coil):  # what item_upsert writes: the search document
        item.search_text = search_document(item, plates)
        item.save(update_fields=["search_text"])
        remember_words([item.search_text])
    price_item(company, plate, "4200.00", unit=tonne)
    price_item(company, coil, "5100.00", unit=tonne)
    warehouse = Warehouse.objects.create(company=company, code="FG01", name="成品库")
    ItemStock.objects.create(
        company=company, warehouse=warehouse, item=plate, on_hand=Decimal("80"), available=Decimal("60"),
        as_of=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    customer = PartnerFactory(
        name="广州联合汽车零部件有限公司", name_en="Guangzhou United Auto Parts", is_supplier=False, is_customer=True
    )
    customer_account(company, customer, credit_limit="100000.00", payment_terms="月结 30 天")
    ship_to_address(customer, name="广州花都工厂")
    invoicing_details(customer)
    buyer = MembershipFactory(partner=customer, user=UserFactory(email="buyer@gzunited.test"), roles=["sales"]).user
    sales = StaffRoleFactory(user=UserFactory(email="sales@sh01.test"), role="sales", company=company).user
    TOTP.activate(sales, SECRET)

    # The buyer searches, opens the plate and orders 10 t on credit (CNY 47,460.00 within CNY 100,000).
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, buyer.email, next_path="/shop/")
    page.wait_for_url(re.compile(r".*/shop/$"))
    page.fill("input[name=q]", "钢板")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/shop/search/\?q="))
    assert page.locator(".shop-product-name", has_text="热轧钢板 Q235B 10mm").count() == 1
    shots(page, screenshot, "search")
    page.locator(".shop-product-name", has_text="热轧钢板 Q235B 10mm").click()
    page.wait_for_url(re.compile(r".*/shop/i/PL-Q235B-10/$"))
    assert "4,200.00" in page.content() or "4200.00" in page.content()
    shots(page, screenshot, "item")
    form = page.locator("form.add-to-cart").first
    form.locator("input[name=quantity]").fill("10")
    form.locator("button").click()
    page.wait_for_load_state()
    page.goto(f"{base}/shop/cart/checkout/")
    shots(page, screenshot, "checkout-credit")
    page.fill("input[name=customer_po]", "PO-GZ-0001")
    page.locator("form:has([name=customer_po]) button.btn-primary").click()
    page.wait_for_url(re.compile(r".*/customer/orders/[0-9a-f-]+/$"))
    first = SalesOrder.objects.get(customer_po="PO-GZ-0001")
    assert (first.status, first.payment_mode, first.gross_total) == (
        OrderStatus.SUBMITTED, "credit", Decimal("47460.00")
    )  # fmt: skip

    # A second order of 20 t of coil (CNY 115,260.00) exceeds what is left: checkout says so and offers prepayment.
    page.goto(f"{base}/shop/i/CC-SPCC-1.0/")
    form = page.locator("form.add-to-cart").first
    form.locator("input[name=quantity]").fill("20")
    form.locator("button").click()
    page.wait_for_load_state()
    page.goto(f"{base}/shop/cart/checkout/")
    assert page.locator("input[name=choice][value=prepay]").is_checked()
    shots(page, screenshot, "checkout-over-credit")
    page.fill("input[name=customer_po]", "PO-GZ-0002")
    page.locator("form:has([name=customer_po]) button.btn-primary").click()
    page.wait_for_url(re.compile(r".*/customer/payments/[0-9a-f-]+/$"))
    second = SalesOrder.objects.get(customer_po="PO-GZ-0002")
    assert (second.status, second.payment_status, second.gross_total) == (
        OrderStatus.AWAITING_PAYMENT, PaymentStatus.PENDING, Decimal("115260.00")
    )  # fmt: skip
    page.wait_for_selector("#card-element input[placeholder=number]")
    shots(page, screenshot, "pay-by-card")
    page.fill("#card-element input[placeholder=number]", "4242424242424242")
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "34")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.click("#card-submit")
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(re.compile(rf".*/customer/orders/{second.uuid}/"), timeout=20000)
    second.refresh_from_db()
    assert (second.status, second.payment_status) == (OrderStatus.SUBMITTED, PaymentStatus.PAID)
    assert second.events.filter(kind="paid").count() == 1

    # The sales person confirms the first order's line for a date ten days out.
    promised = company_today(company) + timedelta(days=10)
    staff_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    staff = staff_context.new_page()
    staff.set_viewport_size({"width": 1280, "height": 900})
    log_in(staff, base, sales.email, totp_secret=SECRET, next_path=f"/cms/orders/{first.uuid}/")
    staff.wait_for_url(re.compile(rf".*/cms/orders/{first.uuid}/"))
    screenshot(staff, "shop-review-1280")
    line_form = staff.locator(f'tr[data-line="{first.lines.get().line_no}"] form')
    line_form.locator('[name="promised_date"]').fill(promised.isoformat())
    line_form.locator('button[value="confirm"]').click()
    staff.wait_for_load_state()
    first.refresh_from_db()
    line = first.lines.get()
    assert (first.status, line.status, line.promised_date) == (OrderStatus.CONFIRMED, LineStatus.CONFIRMED, promised)

    # The buyer sees the promised date on the order.
    page.goto(f"{base}/customer/orders/{first.uuid}/")
    assert promised.isoformat() in page.content() or f"{promised.year}年{promised.month}月{promised.day}日" in (
        page.content()
    )
    shots(page, screenshot, "order-confirmed")
    context.close()
    staff_context.close()
