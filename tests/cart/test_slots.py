from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from catalog.pricing.selectors import resolve_price
from catalog.shop.offers import Offer
from catalog.shop.slots import header_widgets, item_actions
from selfservice.cart.slots import add_to_cart_action, cart_header_widget
from tests.conftest import login

from .helpers import fill

pytestmark = pytest.mark.django_db


def offer_of(shop, cast, *, can_order=True, priced=True):
    quote = (
        resolve_price(customer=shop.customer, company=cast.company_a, item=shop.plate, quantity=5) if priced else None
    )
    return Offer(
        company=cast.company_a,
        quote=quote,
        unit=shop.units["t"],
        min_quantity=Decimal("5.0000"),
        multiple=Decimal("0.5000"),
        can_order=can_order,
    )


def request_for(user, path="/shop/i/PL-Q235-10/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_the_cart_fills_the_storefront_slots():
    assert add_to_cart_action in item_actions
    assert cart_header_widget in header_widgets


def test_an_orderable_offer_gets_the_form_with_the_minimum(shop, cast, django_assert_num_queries):
    request = request_for(shop.sales)
    offer = offer_of(shop, cast)
    with django_assert_num_queries(0):
        html = add_to_cart_action(request, shop.plate, offer)
    assert f'name="item" value="{shop.plate.uuid}"' in html
    assert f'name="company" value="{cast.company_a.uuid}"' in html
    assert 'name="quantity" inputmode="decimal" size="6" value="5"' in html
    assert reverse("cart:add") in html
    assert add_to_cart_action(request, shop.plate, offer_of(shop, cast, can_order=False)) is None
    assert add_to_cart_action(request, shop.plate, offer_of(shop, cast, priced=False)) is None
    assert add_to_cart_action(request, shop.plate, None) is None


def test_anonymous_visitors_are_asked_to_log_in(shop, cast):
    html = add_to_cart_action(request_for(AnonymousUser()), shop.plate, None)
    assert "/accounts/login/?next=%2Fshop%2Fi%2FPL-Q235-10%2F" in html


def test_the_header_shows_the_line_count_with_one_query(shop, cast, django_assert_num_queries):
    fill(shop, cast.company_a, [(shop.plate, "5"), (shop.pipe, "1")])
    request = request_for(shop.sales)
    request.membership = shop.sales.memberships.select_related("partner").get()
    with django_assert_num_queries(1):
        html = cart_header_widget(request)
    assert '<a href="/shop/cart/" class="cart-link">' in html and ">2</span>" in html
    anonymous = request_for(AnonymousUser())
    with django_assert_num_queries(0):
        assert cart_header_widget(anonymous) is None


def test_the_item_page_offers_add_to_cart_to_a_customer(shop, cast):
    client = login(Client(), shop.sales)
    response = client.get(f"/shop/i/{shop.plate.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("cart:add") in body
    assert 'class="cart-link"' in body
