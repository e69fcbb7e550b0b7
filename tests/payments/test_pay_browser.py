"""Browser test of card prepayment: Chromium loads the pay page with localstripe's Stripe.js stand-in (allowed by
the page's Content-Security-Policy), the customer types a card and pays, completes the stand-in's authentication
dialog, the page says it is confirming and polls; localstripe's signed webhook marks the order paid and the page
moves on to the order. Screenshots at 360 and 1280 px (no sideways scrolling)."""

import re

import pytest

from selfservice.orders.models import PaymentStatus, SalesOrder
from tests.e2e.conftest import save_screenshot
from tests.e2e.helpers import fits, log_in
from tests.factories import MembershipFactory, UserFactory

from .conftest import WEBHOOK_SECRETS, prepaid_order, stripe_setup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"]


def test_customer_pays_by_card_and_the_webhook_confirms(page, cast, stripe_at, live_server):
    base = live_server.url.replace("127.0.0.1", "localhost")
    stripe_at.add_webhook("portal", f"{live_server.url}/webhooks/stripe/SH01/", WEBHOOK_SECRETS["SH01"], EVENTS)
    try:
        stripe_setup(cast.company_a)
        buyer = MembershipFactory(
            partner=cast.customer_c, user=UserFactory(email="buyer@customer-c.test"), roles=["sales", "finance"]
        ).user
        order = prepaid_order(cast, placed_by=buyer)
        log_in(page, base, buyer.email)
        page.goto(f"{base}/customer/payments/{order.uuid}/")
        page.wait_for_selector("#card-element input[placeholder=number]")
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            assert fits(page), width
            save_screenshot(page, f"payments-pay-card-{width}")

        page.fill("#card-element input[placeholder=number]", "4242424242424242")
        page.fill("#card-element input[placeholder=exp_month]", "12")
        page.fill("#card-element input[placeholder=exp_year]", "34")
        page.fill("#card-element input[placeholder=cvc]", "123")
        page.click("#card-submit")
        page.get_by_role("button", name="Complete authentication").click()
        page.wait_for_selector("#card-status:not([hidden])")
        page.wait_for_url(re.compile(rf".*/customer/orders/{order.uuid}/"), timeout=20000)
        assert SalesOrder.objects.get(pk=order.pk).payment_status == PaymentStatus.PAID
    finally:
        stripe_at.add_webhook("portal", "http://127.0.0.1:9/", "whsec_unused", ["none"])


def test_bank_transfer_page_fits_a_phone(page, cast, live_server):
    from tests.factories.orders import customer_account, make_order

    from .conftest import bank_setup

    base = live_server.url.replace("127.0.0.1", "localhost")
    bank_setup(cast.company_b)
    buyer = MembershipFactory(
        partner=cast.customer_c, user=UserFactory(email="buyer@customer-c.test"), roles=["sales", "finance"]
    ).user
    order = make_order(
        customer_account(cast.company_b, cast.customer_c),
        status="awaiting_payment",
        payment_mode="prepay",
        payment_status="pending",
        credit_status="prepaid",
        placed_by=buyer,
    )
    log_in(page, base, buyer.email)
    page.goto(f"{base}/customer/payments/{order.uuid}/")
    assert page.locator("[data-testid=reference]").inner_text() == f"PAY-{order.number}"
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert fits(page), width
        save_screenshot(page, f"payments-pay-bank-transfer-{width}")
