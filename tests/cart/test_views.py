from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from selfservice.cart.models import CartLine
from selfservice.orders.models import SalesOrder
from selfservice.payments.models import PaymentSetup
from tests.conftest import login
from tests.factories.orders import make_order, price_item, sellable_item

from .helpers import fill, seen_prices

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def as_(user):
    return login(Client(), user)


def texts(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def follow_messages(client, response):
    return [str(message) for message in client.get(response["Location"], **EN).context["messages"]]


# --- adding from the storefront -------------------------------------------------------------------------------------


def add_data(shop, cast, quantity="5", item=None, company=None):
    return {
        "item": str((item or shop.plate).uuid),
        "company": str((company or cast.company_a).uuid),
        "quantity": quantity,
        "requested_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "next": "/shop/i/PL-Q235-10/",
    }


def test_the_right_person_adds_to_the_cart(shop, cast):
    client = as_(shop.sales)
    response = client.post(reverse("cart:add"), add_data(shop, cast, "5.5"), **EN)
    assert (response.status_code, response["Location"]) == (302, "/shop/i/PL-Q235-10/")
    line = CartLine.objects.get()
    assert (line.quantity, line.cart.user, line.requested_date) == (
        Decimal("5.5"), shop.sales, timezone.localdate() + timedelta(days=20),
    )  # fmt: skip
    assert follow_messages(client, response)[0] == "PL-Q235-10: 5.5 t in your cart."


def test_a_bad_quantity_says_why_and_adds_nothing(shop, cast):
    client = as_(shop.sales)
    response = client.post(reverse("cart:add"), add_data(shop, cast, "4"), **EN)
    assert response.status_code == 302
    assert follow_messages(client, response)[0] == "Order at least 5 t."
    response = client.post(reverse("cart:add"), {**add_data(shop, cast), "requested_date": "31.12.2026"}, **EN)
    assert follow_messages(client, response)[0] == "Enter the date as YYYY-MM-DD."
    response = client.post(reverse("cart:add"), {**add_data(shop, cast), "item": "nonsense"}, **EN)
    assert follow_messages(client, response)[0] == "That item cannot be ordered here."
    assert CartLine.objects.count() == 0


def test_finance_gets_403_other_partners_404_anonymous_the_login(shop, cast):
    data = add_data(shop, cast)
    assert as_(shop.finance).post(reverse("cart:add"), data).status_code == 403
    assert as_(cast.supplier_a_admin).post(reverse("cart:add"), data).status_code == 404
    assert as_(cast.outsider).post(reverse("cart:add"), data).status_code == 404
    assert as_(cast.staff_b).post(reverse("cart:add"), data).status_code == 404
    response = Client().post(reverse("cart:add"), data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert CartLine.objects.count() == 0
    for name in ("cart:cart", "cart:checkout", "cart:quick"):
        assert as_(shop.finance).get(reverse(name)).status_code == 403
        assert as_(cast.supplier_a_admin).get(reverse(name)).status_code == 404


# --- the cart page ---------------------------------------------------------------------------------------------------


def test_the_cart_groups_by_company_with_prices_breaks_and_warnings(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "20"), (shop.pipe, "2")])
    fill(shop, cast.company_b, [(shop.pipe, "3")])
    shop.plate.min_order_quantity = Decimal("25")  # raised after it was added
    shop.plate.save(update_fields=["min_order_quantity"])
    response = as_(shop.sales).get(reverse("cart:cart"), **EN)
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [group.company.code for group in groups] == ["SH01", "WH02"]
    plate_row = groups[0].rows[0]
    assert (plate_row.quote.unit_price, plate_row.problems) == (Decimal("3900"), ["Order at least 25 t."])
    assert (groups[0].net_total, groups[0].tax_total, groups[0].gross_total) == (
        Decimal("78241.00"), Decimal("10171.33"), Decimal("88412.33"),
    )  # fmt: skip
    assert groups[1].gross_total == Decimal("400.02")
    assert groups[0].can_order is False and groups[1].can_order is True
    assert "Order at least 25 t." in response.content.decode()


def test_a_line_without_a_price_any_more_offers_a_quote(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "2")])
    shop.pipe.price_lines.filter(price_list__company=cast.company_a).delete()
    response = as_(shop.sales).get(reverse("cart:cart"), **EN)
    row = response.context["groups"][0].rows[0]
    assert (row.quote, row.needs_quote) == (None, True)
    assert "Request a quote" in response.content.decode()


def add_priced_lines(shop, company, count):
    for _number in range(count):
        item = sellable_item()
        price_item(company, item, "10.00")
        fill(shop, company, [(item, "1")])


# The layout's own queries (session, user, profile, memberships, staff roles, active membership, unread count,
# the partner switcher): 8. The cart page adds the cart, its lines, the accounts and one price query per selling
# company: 8 + 3 + 2 = 13 for two companies, whatever the number of lines.
CART_PAGE_QUERIES = 13


def test_the_cart_page_takes_the_same_queries_for_more_lines(shop, cast, django_assert_num_queries):
    client = as_(shop.sales)
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    fill(shop, cast.company_b, [(shop.pipe, "1")])
    client.get(reverse("cart:cart"))  # warm the caches
    with django_assert_num_queries(CART_PAGE_QUERIES):
        assert client.get(reverse("cart:cart")).status_code == 200
    add_priced_lines(shop, cast.company_a, 8)
    with django_assert_num_queries(CART_PAGE_QUERIES):
        assert len(client.get(reverse("cart:cart")).context["groups"][0].rows) == 9


def test_update_and_remove_a_line(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    line = CartLine.objects.get()
    client = as_(shop.sales)
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(
        reverse("cart:line_update", args=[line.uuid]), {"quantity": "7", "requested_date": day, "note": "切边"}, **EN
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.requested_date.isoformat(), line.note) == (Decimal("7"), day, "切边")
    response = client.post(reverse("cart:line_update", args=[line.uuid]), {"quantity": "7.2"}, **EN)
    assert follow_messages(client, response) == ["PL-Q235-10 updated.", "PL-Q235-10: Order in multiples of 0.5 t."]
    line.refresh_from_db()
    assert line.quantity == Decimal("7")
    response = client.post(reverse("cart:line_remove", args=[line.uuid]), **EN)
    assert CartLine.objects.count() == 0


def test_nobody_else_touches_a_cart_line(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    line = CartLine.objects.get()
    update = reverse("cart:line_update", args=[line.uuid])
    remove = reverse("cart:line_remove", args=[line.uuid])
    # a colleague with the role: it is not their cart (404); finance: 403; another customer: 404
    assert as_(shop.admin).post(update, {"quantity": "9"}).status_code == 404
    assert as_(shop.finance).post(update, {"quantity": "9"}).status_code == 403
    assert as_(shop.customer_d_admin).post(update, {"quantity": "9"}).status_code == 404
    assert as_(shop.customer_d_admin).post(remove).status_code == 404
    response = Client().post(remove)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    line.refresh_from_db()
    assert line.quantity == Decimal("5")


def test_clear_empties_only_the_persons_cart(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    fill(shop, cast.company_a, [(shop.pipe, "1")], user=shop.admin)
    assert as_(shop.finance).post(reverse("cart:clear")).status_code == 403
    assert as_(shop.sales).post(reverse("cart:clear")).status_code == 302
    assert list(CartLine.objects.values_list("cart__user__email", flat=True)) == ["admin@customer-c.test"]


# --- checkout pages --------------------------------------------------------------------------------------------------


def checkout_data(shop, company, *, choice="credit", **extra):
    return {
        "company": str(company.uuid),
        "ship_to": str((shop.ship_to if company.code == "SH01" else shop.ship_to_b).uuid),
        "customer_po": "PO-88",
        "choice": choice,
        **{f"price-{key}": value for key, value in seen_prices(shop, company).items()},
        **extra,
    }


def test_checkout_page_shows_each_company_with_addresses_invoicing_and_credit(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    fill(shop, cast.company_b, [(shop.pipe, "1")])
    response = as_(shop.sales).get(reverse("cart:checkout"), **EN)
    assert response.status_code == 200
    group_a, group_b = response.context["groups"]
    assert (group_a.addresses, group_b.addresses) == ([shop.ship_to], [shop.ship_to, shop.ship_to_b])
    assert (group_a.fits_credit, group_a.available) == (True, Decimal("100000.00"))
    assert response.context["invoicing"] == shop.invoicing
    body = response.content.decode()
    assert "Submit the order to 上海钢铁有限公司" in body and "Submit the order to 武汉机械有限公司" in body


def test_over_the_limit_the_page_says_so_and_offers_prepay_and_approval(shop, cast):
    PaymentSetup.objects.create(company=cast.company_a, method="bank_transfer", bank_name="工商银行")
    fill(shop, cast.company_a, [(shop.plate, "30")])  # 30 × 3900 = 117000 + tax
    response = as_(shop.sales).get(reverse("cart:checkout"), **EN)
    body = response.content.decode()
    assert "This order of CNY 132,210.00 exceeds your available credit of CNY 100,000.00 at 上海钢铁有限公司." in body
    assert 'value="prepay"' in body and 'value="approval"' in body and 'value="credit"' not in body


def test_checkout_submits_and_goes_to_the_order(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    client = as_(shop.sales)
    response = client.post(reverse("cart:checkout_submit"), checkout_data(shop, cast.company_a), **EN)
    order = SalesOrder.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/customer/orders/{order.uuid}/")
    assert (order.status, order.customer_po, order.language) == ("submitted", "PO-88", "en")


def test_prepay_goes_to_the_payment_page(shop, cast):
    PaymentSetup.objects.create(company=cast.company_a, method="bank_transfer", bank_name="工商银行")
    fill(shop, cast.company_a, [(shop.plate, "5")])
    response = as_(shop.sales).post(
        reverse("cart:checkout_submit"), checkout_data(shop, cast.company_a, choice="prepay"), **EN
    )
    order = SalesOrder.objects.get()
    assert response["Location"] == f"/customer/payments/{order.uuid}/"
    assert order.status == "awaiting_payment"


def test_a_changed_price_shows_the_difference_and_creates_nothing(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "2")])
    data = checkout_data(shop, cast.company_a)
    shop.pipe.price_lines.filter(price_list__company=cast.company_a).update(unit_price=Decimal("125.00"))
    response = as_(shop.sales).post(reverse("cart:checkout_submit"), data, **EN)
    assert response.status_code == 200
    assert [(change.old, change.new) for change in response.context["price_changes"]] == [
        (Decimal("120.5"), Decimal("125.00"))
    ]
    assert "Prices changed since you opened checkout." in response.content.decode()
    assert (SalesOrder.objects.count(), CartLine.objects.count()) == (0, 1)


def test_bad_checkout_input_is_a_message_not_a_500(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "2")])
    client = as_(shop.sales)
    for data in (
        {**checkout_data(shop, cast.company_a), "ship_to": "x"},
        {**checkout_data(shop, cast.company_a), "choice": "barter"},
        {**checkout_data(shop, cast.company_a), "company": "nope"},
        {"company": str(cast.company_a.uuid)},
    ):
        response = client.post(reverse("cart:checkout_submit"), data, **EN)
        assert response.status_code in (200, 302)
    assert SalesOrder.objects.count() == 0


def test_checkout_roles(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "2")])
    data = checkout_data(shop, cast.company_a)
    assert as_(shop.finance).post(reverse("cart:checkout_submit"), data).status_code == 403
    # another customer's person has no cart of C's: nothing to submit, back to their own cart
    assert as_(shop.customer_d_admin).post(reverse("cart:checkout_submit"), data, **EN)["Location"] == "/shop/cart/"
    assert as_(cast.supplier_a_admin).post(reverse("cart:checkout_submit"), data).status_code == 404
    response = Client().post(reverse("cart:checkout_submit"), data)
    assert response["Location"].startswith("/accounts/login/")
    assert (SalesOrder.objects.count(), CartLine.objects.count()) == (0, 1)


# The cart page's 13 for two companies, plus the ship-to addresses (1), the payment set-ups (1), the credit position
# per company (3 each) and the invoicing details (1): 13 + 3 + 6 = 22, whatever the number of lines.
CHECKOUT_PAGE_QUERIES = 22


def test_the_checkout_page_takes_the_same_queries_for_more_lines(shop, cast, django_assert_num_queries):
    client = as_(shop.sales)
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    fill(shop, cast.company_b, [(shop.pipe, "1")])
    client.get(reverse("cart:checkout"))
    with django_assert_num_queries(CHECKOUT_PAGE_QUERIES):
        assert client.get(reverse("cart:checkout")).status_code == 200
    add_priced_lines(shop, cast.company_a, 10)
    add_priced_lines(shop, cast.company_b, 5)
    with django_assert_num_queries(CHECKOUT_PAGE_QUERIES):
        groups = client.get(reverse("cart:checkout")).context["groups"]
    assert [len(group.rows) for group in groups] == [11, 6]


# --- quick order and re-order ---------------------------------------------------------------------------------------


def test_quick_order_adds_the_good_rows_and_reports_the_rest(shop, cast):
    hidden = sellable_item(code="NOSALE-1", is_sellable=False)
    unpriced = sellable_item(code="NOPRICE-1")
    text = "\n".join(
        [
            "PL-Q235-10\t12.5",
            "pipe-50，40",
            "",
            "UNKNOWN-9 3",
            f"{hidden.code}, 2",
            f"{unpriced.code} 2",
            "PL-Q235-10 3",
            "PIPE-50 zwei",
            "PIPE-50",
        ]
    )
    response = as_(shop.sales).post(reverse("cart:quick"), {"lines": text}, **EN)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.number, row.added, row.error) for row in rows] == [
        (1, True, ""),
        (2, True, ""),
        (4, False, "Unknown item code UNKNOWN-9."),
        (5, False, "NOSALE-1 is not for sale."),
        (6, False, "No price for you: request a quote."),
        (7, False, "Order at least 5 t."),
        (8, False, "Enter the quantity as a number, e.g. 12.5."),
        (9, False, "Write the item code and the quantity, e.g. PL-Q235-10 12.5."),
    ]
    assert [row.company.code for row in rows[:2]] == ["SH01", "SH01"]  # the first company with a price
    assert sorted((line.item.code, line.quantity) for line in CartLine.objects.all()) == [
        ("PIPE-50", Decimal("40")), ("PL-Q235-10", Decimal("12.5")),
    ]  # fmt: skip
    assert texts(response) == ["2 lines added to your cart; 6 could not be added (see below)."]


def test_quick_order_takes_the_next_company_with_a_price(shop, cast):
    only_b = sellable_item(code="ONLY-B")
    price_item(cast.company_b, only_b, "9.90")
    response = as_(shop.sales).post(reverse("cart:quick"), {"lines": "ONLY-B 4"}, **EN)
    assert response.status_code == 302
    assert CartLine.objects.get().company == cast.company_b


def test_reorder_adds_a_past_orders_lines_at_todays_prices(shop, cast):
    old = sellable_item(code="OLD-1", is_sellable=False)
    order = make_order(shop.account_a, [(shop.plate, "10", "3500.00"), (old, "1", "5.00")])
    client = as_(shop.sales)
    response = client.post(reverse("cart:reorder", args=[order.uuid]), **EN)
    assert response.status_code == 302
    assert follow_messages(client, response) == [
        f"1 lines of order {order.number} added to your cart at today's prices.",
        "OLD-1 could not be added: OLD-1 is not for sale.",
    ]
    assert list(CartLine.objects.values_list("item__code", "quantity", "company__code")) == [
        ("PL-Q235-10", Decimal("10"), "SH01")
    ]


def test_reorder_of_another_customers_order_is_404(shop, cast):
    from tests.factories.orders import customer_account

    order = make_order(customer_account(cast.company_a, shop.customer_d))
    assert as_(shop.sales).post(reverse("cart:reorder", args=[order.uuid])).status_code == 404
    assert as_(shop.customer_d_admin).post(reverse("cart:reorder", args=[order.uuid])).status_code == 302
    mine = make_order(shop.account_a)
    assert as_(shop.finance).post(reverse("cart:reorder", args=[mine.uuid])).status_code == 403
    assert CartLine.objects.filter(cart__customer=shop.customer).count() == 0


def test_a_partner_not_yet_approved_gets_403(shop, cast):
    from portal.organisations.models import PartnerStatus

    shop.customer.status = PartnerStatus.PENDING
    shop.customer.save(update_fields=["status"])
    client = as_(shop.sales)
    assert client.get(reverse("cart:cart")).status_code == 403
    assert client.post(reverse("cart:add"), add_data(shop, cast)).status_code == 403
    assert CartLine.objects.count() == 0


def test_over_the_limit_on_credit_is_refused_on_the_page_and_an_approval_can_be_asked(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "30")])
    client = as_(shop.sales)
    response = client.post(reverse("cart:checkout_submit"), checkout_data(shop, cast.company_a), **EN)
    assert response.status_code == 200
    assert response.context["over_credit"] is True
    assert response.context["error"] == (
        "This order of CNY 132,210.00 exceeds your available credit of CNY 100,000.00 at 上海钢铁有限公司."
    )
    assert SalesOrder.objects.count() == 0
    data = checkout_data(shop, cast.company_a, choice="approval", reason="年底项目")
    response = client.post(reverse("cart:checkout_submit"), data, **EN)
    order = SalesOrder.objects.get()
    assert response["Location"] == f"/customer/orders/{order.uuid}/"
    assert (order.status, order.credit_status) == ("credit_hold", "over_limit")
