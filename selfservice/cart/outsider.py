"""Outsider sweep registrations of the cart (imported by the sweep test only).

The owner is customer C's administrator (admin, sales, finance) with a line in their own cart, or a past order of
customer C; another partner's people, company B's staff, a person of no partner, an API client and anonymous
visitors get 404 (or the login wall) with nothing changed."""

from portal.core.outsider import OutsiderCase, register
from portal.organisations.models import CustomerAccount
from selfservice.cart.models import CartLine
from selfservice.cart.services import cart_add
from selfservice.orders.models import SalesOrder
from tests.factories.orders import make_order, price_item, sellable_item


def _line(cast) -> CartLine:
    item = sellable_item()
    price_item(cast.company_a, item, "10.00")
    return cart_add(
        actor=cast.customer_c_admin, partner=cast.customer_c, company=cast.company_a, item=item, quantity="3"
    )


def _order(cast) -> SalesOrder:
    return make_order(CustomerAccount.objects.get(partner=cast.customer_c, company=cast.company_a))


def _owner(cast, obj):
    return cast.customer_c_admin


register(
    OutsiderCase(
        url_name="cart:line_update",
        model=CartLine,
        make=_line,
        owner=_owner,
        kwargs=lambda line: {"line_id": line.uuid},
        method="post",
        data={"quantity": "4"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="cart:line_remove",
        model=CartLine,
        make=_line,
        owner=_owner,
        kwargs=lambda line: {"line_id": line.uuid},
        method="post",
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="cart:reorder",
        model=SalesOrder,
        make=_order,
        owner=_owner,
        kwargs=lambda order: {"order_id": order.uuid},
        method="post",
        owner_status=302,
    )
)
