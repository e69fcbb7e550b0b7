"""Quote requests made at the same moment: numbers stay unique (a clash is retried with the next number), and the
same customer asking twice for the same item gets one request (the account row lock serialises them)."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from catalog.shop.models import QuoteRequest
from catalog.shop.services import quote_request_create
from portal.core.errors import DomainError
from tests.factories.shop import plate


def _at_once(*calls):
    start = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            start.wait(10)
            call()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return errors


def _ask(cast, user, customer, item):
    return lambda: quote_request_create(
        actor=user, customer=customer, company=cast.company_a, item=item, quantity=Decimal("1")
    )


@pytest.mark.django_db(transaction=True)
def test_two_customers_at_once_get_two_numbers(cast, shop):
    item = plate("PL-1", units=shop.units, category=shop.category)
    errors = _at_once(
        _ask(cast, cast.customer_c_admin, cast.customer_c, item), _ask(cast, shop.d_admin, shop.customer_d, item)
    )
    assert errors == []
    numbers = sorted(QuoteRequest.objects.values_list("number", flat=True))
    assert len(numbers) == 2 and len(set(numbers)) == 2
    assert all(number.startswith("RQ-20") and number[-5:] in ("00001", "00002") for number in numbers)


@pytest.mark.django_db(transaction=True)
def test_the_same_request_twice_at_once_is_made_once(cast, shop):
    item = plate("PL-1", units=shop.units, category=shop.category)
    ask = _ask(cast, cast.customer_c_admin, cast.customer_c, item)
    errors = _at_once(ask, ask)
    assert [type(error) for error in errors] == [DomainError]
    assert QuoteRequest.objects.count() == 1
