from decimal import Decimal

import pytest

from catalog.pricing.selectors import resolve_price
from tests.factories.orders import (
    SalesOrderLineFactory,
    customer_with_prices,
    invoicing_details,
    make_order,
    ship_to_address,
)

pytestmark = pytest.mark.django_db


def test_customer_with_prices_resolves_and_orders_sum_their_lines(cast):
    shop = customer_with_prices(cast.company_a, partner=cast.customer_c, credit_limit="1000.00")
    assert shop.account.credit_limit == Decimal("1000.00")
    quote = resolve_price(customer=shop.partner, company=shop.company, item=shop.items[0], quantity=3)
    assert quote.unit_price == Decimal("100.0000")
    assert quote.gross_amount == Decimal("339.00")
    order = make_order(shop.account, [(shop.items[0], "3", "100.00"), (shop.items[1], "1", "250.50")])
    assert (order.net_total, order.tax_total, order.gross_total) == (
        Decimal("550.50"), Decimal("71.57"), Decimal("622.07"),
    )  # fmt: skip
    assert [line.line_no for line in order.lines.all()] == [1, 2]
    assert SalesOrderLineFactory().gross_amount == Decimal("1130.00")
    assert ship_to_address(shop.partner).kind == "ship_to"
    assert invoicing_details(shop.partner).tax_id == shop.partner.tax_id
