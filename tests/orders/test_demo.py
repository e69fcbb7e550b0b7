"""The orders demo: after the organisations and the item master, three orders of Guangzhou United at SH01 (one
waiting for review, one confirmed with promised dates, one from the ERP) and its receivables; a second run changes
nothing."""

import pytest

from catalog.demo import load_catalog_demo
from portal.organisations.demo import load_organisations_demo
from selfservice.orders.demo import load_orders_demo
from selfservice.orders.models import CustomerBalance, LineStatus, OrderEvent, OrderSource, OrderStatus, SalesOrder

pytestmark = pytest.mark.django_db


def state():
    return (
        sorted(SalesOrder.objects.values_list("number", "status", "source")),
        sorted(SalesOrder.objects.get(number="SO-DEMO-0002").lines.values_list("status", flat=True)),
        OrderEvent.objects.count(),
        sorted(CustomerBalance.objects.values_list("customer_account__company__code", "open_receivables")),
    )


def test_the_demo_orders_load_once():
    load_organisations_demo()
    load_catalog_demo()
    load_orders_demo()
    first = state()
    numbers, lines, _events, balances = first
    assert numbers == [
        ("ERP-SH01-SO880012", OrderStatus.CONFIRMED, OrderSource.ERP),
        ("SO-DEMO-0001", OrderStatus.SUBMITTED, OrderSource.PORTAL),
        ("SO-DEMO-0002", OrderStatus.CONFIRMED, OrderSource.PORTAL),
    ]
    assert lines == [LineStatus.CONFIRMED, LineStatus.REDUCED]
    assert [code for code, _amount in balances] == ["HK04", "SH01"]
    load_orders_demo()
    assert state() == first
