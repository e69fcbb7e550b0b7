"""Helpers of the cart tests: fill a cart through the real service, check out what the page would post."""

from decimal import Decimal

from catalog.pricing.selectors import resolve_prices_many
from selfservice.cart.selectors import cart_lines
from selfservice.cart.services import cart_add, cart_for
from selfservice.orders.checkout import checkout_submit


def fill(shop, company, rows, *, user=None):
    """Add [(item, quantity)] of `company` to the person's cart (default the sales person)."""
    for item, quantity in rows:
        cart_add(actor=user or shop.sales, partner=shop.customer, company=company, item=item, quantity=quantity)


def seen_prices(shop, company, *, user=None):
    """What the checkout page shows: line uuid → today's unit price."""
    cart = cart_for(user or shop.sales, shop.customer)
    lines = cart_lines(cart, company=company)
    quotes = resolve_prices_many(
        customer=shop.customer,
        company=company,
        items_with_quantities=[(line.item, line.quantity, line.unit_id) for line in lines],
    )
    return {str(line.uuid): str(quotes[line.item_id].unit_price) for line in lines if quotes[line.item_id]}


def checkout(shop, company, *, choice="credit", user=None, ship_to=None, prices=None, **extra):
    user = user or shop.sales
    return checkout_submit(
        actor=user,
        partner=shop.customer,
        company=company,
        ship_to=ship_to or shop.ship_to,
        customer_po=extra.pop("customer_po", "PO-4711"),
        note=extra.pop("note", ""),
        expected_prices=seen_prices(shop, company, user=user) if prices is None else prices,
        choice=choice,
        **extra,
    )


def gross(net):
    net = Decimal(net)
    return net + (net * Decimal("0.13")).quantize(Decimal("0.01"))
