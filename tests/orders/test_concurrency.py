"""Two sales people decide the last two open lines of an order at the same moment: the order row lock serialises
them, so the second sees the first's decision and the order completes exactly once (one order.confirmed)."""

import threading
from datetime import timedelta

import pytest
from django.db import connections

from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from selfservice.orders.models import OrderStatus, SalesOrder
from selfservice.orders.review import order_line_confirm, order_line_reject
from selfservice.orders.selectors import company_today
from tests.factories.order_review import order_of_customer_c


@pytest.mark.django_db(transaction=True)
def test_two_last_decisions_at_once_complete_the_order_once(cast, manager):
    order = order_of_customer_c(cast, lines=[{}, {}])
    first, second = order.lines.order_by("line_no")
    promised = company_today(cast.company_a) + timedelta(days=5)
    start = threading.Barrier(2)
    errors = []

    def decide(call):
        try:
            start.wait(10)
            call()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=decide,
            args=(
                lambda: order_line_confirm(
                    actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=promised
                ),
            ),
        ),
        threading.Thread(
            target=decide,
            args=(lambda: order_line_reject(actor=manager, order_id=order.pk, line_id=second.pk, reason="No stock"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert SalesOrder.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert list(OutboxEvent.objects.filter(topic__startswith="order.").values_list("topic", flat=True)) == [
        "order.confirmed"
    ]
    assert Notification.objects.filter(kind="orders.reviewed").count() == 1
