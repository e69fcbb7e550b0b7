"""Two people of the same customer check out at the same moment at the same company; together they would pass
the credit limit. The customer account row is locked during the credit check, so the second waits for the first
and sees its order: exactly one order is placed (PostgreSQL, two threads)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from selfservice.orders import checkout as checkout_module
from selfservice.orders.checkout import OverCredit
from selfservice.orders.models import SalesOrder
from tests.factories.orders import price_item

from .helpers import checkout, fill, seen_prices


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_cannot_both_use_the_last_credit(shop, cast, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    price_item(cast.company_a, shop.pipe, "1000.00", customer=shop.customer)  # 1130.00 per pipe with tax
    shop.account_a.credit_limit = Decimal("2000.00")  # room for one of the two orders, not for both
    shop.account_a.save(update_fields=["credit_limit"])
    for person in (shop.sales, shop.admin):
        fill(shop, cast.company_a, [(shop.pipe, "1")], user=person)
    prices = {person.pk: seen_prices(shop, cast.company_a, user=person) for person in (shop.sales, shop.admin)}

    real_position = checkout_module.credit_position

    def slow_position(account, **kwargs):
        # widen the window between reading the credit and inserting the order: without the lock, both would read
        # the same free credit here
        position = real_position(account, **kwargs)
        time.sleep(0.5)
        return position

    monkeypatch.setattr(checkout_module, "credit_position", slow_position)
    outcomes = {}

    def run(person):
        try:
            outcomes[person.email] = checkout(shop, cast.company_a, user=person, prices=prices[person.pk]).number
        except OverCredit:
            outcomes[person.email] = "over"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in (shop.sales, shop.admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values())[-1] == "over"
    assert len([value for value in outcomes.values() if value.startswith("SO-")]) == 1
    assert SalesOrder.objects.count() == 1
