"""Offers: per selling company where the customer has an active account, for the partner the person acts for
(the switcher decides); nothing to order for pending, blocked or non-customer partners; the item-action and
header slots are rendered with each offer."""

import re
from decimal import Decimal

import pytest
from django.test import RequestFactory

from catalog.pricing.models import PriceListKind
from catalog.shop import slots
from catalog.shop.selectors import Visitor, offers_for, visitor_for, visitor_of
from portal.organisations.middleware import ACTIVE_PARTNER_SESSION_KEY
from portal.organisations.models import CustomerAccount, PartnerStatus
from tests.factories import CompanyFactory, CustomerAccountFactory, MembershipFactory
from tests.factories.shop import line, plate, price_list
from tests.shop.conftest import as_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def world(cast, shop):
    hk = CompanyFactory(code="HK04", name="集团贸易（香港）有限公司", currency="USD", time_zone="Asia/Hong_Kong")
    CustomerAccountFactory(partner=cast.customer_c, company=hk, currency="USD")
    item = plate("PL-1", units=shop.units, category=shop.category, min_order_quantity=Decimal("3"))
    sh_list = price_list(cast.company_a)
    line(sh_list, item, "4000")
    line(sh_list, item, "3900", min_quantity="3")
    hk_list = price_list(hk, "LIST-HK", currency="USD")
    line(hk_list, item, "600", tax_rate=Decimal("0"))
    own = price_list(cast.company_a, "Q-D", kind=PriceListKind.CUSTOMER, customer=shop.customer_d)
    line(own, item, "3500")
    return hk, item


def test_one_offer_per_company_with_an_account_priced_for_the_minimum(cast, shop, world):
    hk, item = world
    visitor = Visitor(user=cast.customer_c_admin, customer=cast.customer_c, companies=[cast.company_a, hk])
    offers = offers_for(visitor, [item])[item.pk]
    assert [(o.company.code, o.quote.unit_price, o.quote.currency, o.quote.quantity, o.can_order) for o in offers] == [
        ("HK04", Decimal("600"), "USD", Decimal("3"), True),
        ("SH01", Decimal("3900"), "CNY", Decimal("3"), True),  # the break from 3 t: the minimum order quantity
    ]
    assert (offers[0].unit.code, offers[0].min_quantity) == ("t", Decimal("3"))
    # an inactive account: no offer from that company
    CustomerAccount.objects.filter(partner=cast.customer_c, company=hk).update(is_active=False)
    request = RequestFactory().get("/shop/")
    request.user = cast.customer_c_admin
    request.membership = cast.customer_c_admin.memberships.get()
    assert [company.code for company in visitor_of(request).companies] == ["SH01"]


def test_the_partner_switcher_decides_whose_prices(cast, shop, world):
    _hk, item = world
    MembershipFactory(user=cast.customer_c_admin, partner=shop.customer_d, roles=["sales"])
    client = as_user(cast.customer_c_admin)
    session = client.session
    session[ACTIVE_PARTNER_SESSION_KEY] = str(shop.customer_d.uuid)
    session.save()
    as_d = text(client.get("/shop/i/PL-1/"))
    assert "3,500.00 CNY net" in as_d and "USD" not in as_d
    session[ACTIVE_PARTNER_SESSION_KEY] = str(cast.customer_c.uuid)
    session.save()
    as_c = text(client.get("/shop/i/PL-1/"))
    assert "3,500.00" not in as_c and "3,900.00 CNY net" in as_c and "600.00 USD net, 0 % VAT" in as_c


@pytest.mark.parametrize("status", [PartnerStatus.PENDING, PartnerStatus.BLOCKED])
def test_customers_not_approved_see_no_prices(cast, shop, world, status):
    cast.customer_c.status = status
    cast.customer_c.save()
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-1/"))
    assert "3,900.00" not in page and "600.00" not in page and "/quote/" not in page


def test_slots_render_per_offer_and_in_the_header(cast, shop, world, monkeypatch):
    calls = []

    def action(request, item, offer):
        calls.append((item.code, offer.company.code if offer else None))
        return f'<span class="probe">{item.code}@{offer.company.code if offer else "-"}</span>'

    monkeypatch.setattr(slots, "item_actions", [action])
    monkeypatch.setattr(slots, "header_widgets", [lambda request: '<a class="probe-cart" href="#">cart</a>'])
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-1/"))
    assert '<span class="probe">PL-1@HK04</span>' in page and '<span class="probe">PL-1@SH01</span>' in page
    assert '<a class="probe-cart" href="#">cart</a>' in page
    calls.clear()
    as_user(cast.outsider).get("/shop/c/STEEL-PLATE/")
    assert calls == [("PL-1", None)]  # no price shown: the slot gets None


def test_visitor_for_a_user_and_partner_without_a_request(cast, shop, world):
    _hk, item = world
    visitor = visitor_for(cast.customer_c_admin, cast.customer_c)
    assert [company.code for company in visitor.companies] == ["HK04", "SH01"] and visitor.may_order
    assert [o.quote.unit_price for o in offers_for(visitor, [item])[item.pk]] == [Decimal("600"), Decimal("3900")]
    # not a member of that partner: no customer, no prices
    stranger = visitor_for(shop.d_admin, cast.customer_c)
    assert stranger.customer is None and offers_for(stranger, [item]) == {item.pk: []}
    assert not visitor_for(shop.c_viewer, cast.customer_c).may_order
