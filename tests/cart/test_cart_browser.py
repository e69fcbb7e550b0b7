"""Browser test of the cart: a customer's sales person adds a plate from the item page, changes the quantity in
the cart, checks out on credit and lands on the order; the cart and checkout fit a 360 px phone."""

import re

import pytest

from selfservice.orders.models import SalesOrder
from tests.e2e.conftest import save_screenshot
from tests.e2e.helpers import fits, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_add_to_cart_edit_and_check_out_on_credit(page, live_server, shop, cast):
    base = live_server.url.replace("127.0.0.1", "localhost")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, shop.sales.email)
    page.goto(f"{base}/shop/i/{shop.plate.code}/")
    form = page.locator("form.add-to-cart").first
    assert form.locator("input[name=quantity]").input_value() == "5"
    form.locator("input[name=quantity]").fill("6")
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".cart-link .badge").first.inner_text().strip() == "1"

    page.goto(f"{base}/shop/cart/")
    page.locator("input[name=quantity]").first.fill("20")
    page.locator("form.cart-line-form button").first.click()
    page.wait_for_url(re.compile(r".*/shop/cart/$"))
    assert "3900.00" in page.content()  # the break from 20 t
    save_screenshot(page, "cart-page-zh")
    page.set_viewport_size({"width": 360, "height": 740})
    assert fits(page)
    save_screenshot(page, "cart-page-zh-360")

    page.goto(f"{base}/shop/cart/checkout/")
    assert fits(page)
    save_screenshot(page, "checkout-page-zh-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("input[name=customer_po]", "PO-E2E-1")
    page.locator("form:has([name=customer_po]) button.btn-primary").click()
    page.wait_for_url(re.compile(r".*/customer/orders/[0-9a-f-]+/$"))
    order = SalesOrder.objects.get()
    assert (order.customer_po, order.status, str(order.lines.get().quantity)) == ("PO-E2E-1", "submitted", "20.0000")
    save_screenshot(page, "checkout-order-placed")
