"""The demo storefront loads through the services, prices the demo customer's items and is idempotent."""

from decimal import Decimal

import pytest

from catalog.demo import load_catalog_demo
from catalog.models import Item
from catalog.pricing.models import PriceList, PriceListLine
from catalog.pricing.selectors import resolve_price
from catalog.shop.demo import load_shop_demo
from catalog.shop.models import ItemStock
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.organisations.demo import load_organisations_demo
from portal.organisations.models import Company, Partner

pytestmark = pytest.mark.django_db


def test_demo_shop_prices_stock_and_is_idempotent():
    load_organisations_demo()
    load_catalog_demo()
    load_shop_demo()
    first = (
        PriceList.objects.count(),
        PriceListLine.objects.count(),
        ItemStock.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )
    assert first[:3] == (3, 46, 9)  # 33 lines at SH01, 8 at HK04, 5 of the customer
    load_shop_demo()
    assert (
        PriceList.objects.count(),
        PriceListLine.objects.count(),
        ItemStock.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    ) == first
    customer = Partner.objects.get(tax_id="91440100MA3GU0035N")
    sh01, hk04 = Company.objects.get(code="SH01"), Company.objects.get(code="HK04")
    plate = Item.objects.get(code="PL-Q235B-10-1500")
    assert (plate.min_order_quantity, plate.lead_time_days) == (Decimal("2"), 10)
    own = resolve_price(customer=customer, company=sh01, item=plate, quantity=Decimal("60"))
    assert (own.unit_price, own.currency, own.price_list_kind) == (Decimal("4080"), "CNY", "customer")
    listed = resolve_price(customer=None, company=sh01, item=plate, quantity=Decimal("2"))
    assert listed.unit_price == Decimal("4350")
    usd = resolve_price(customer=customer, company=hk04, item=plate, quantity=Decimal("2"))
    assert (usd.unit_price, usd.currency, usd.tax_rate) == (Decimal("640"), "USD", Decimal("0"))
    assert (
        resolve_price(customer=customer, company=sh01, item=Item.objects.get(code="MTR-YE3-200L-6"), quantity=1) is None
    )
