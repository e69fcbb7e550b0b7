"""Two deliveries of one Stripe event at the same moment (PostgreSQL): the unique event id lets one through, the
other answers "replay"; the order is paid once."""

import threading

import pytest
import stripe
from django.db import connection

from portal.integration.models import OutboxEvent
from selfservice.orders.models import OrderEvent, PaymentStatus
from selfservice.payments.models import Payment, PaymentMethod
from selfservice.payments.services import stripe_event_process

from .conftest import intent_event, prepaid_order, stripe_setup


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_event_id", [True, False])
def test_concurrent_deliveries_pay_once(cast, same_event_id):
    stripe_setup(cast.company_a)
    order = prepaid_order(cast)
    Payment.objects.create(
        order=order,
        company=cast.company_a,
        method=PaymentMethod.STRIPE,
        amount=order.gross_total,
        currency="CNY",
        reference=f"PAY-{order.number}",
        stripe_payment_intent="pi_race",
    )
    events = [
        stripe.Event.construct_from(intent_event("pi_race", event_id="evt_race" if same_event_id else f"evt_{n}"), "")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver(event):
        try:
            barrier.wait(timeout=10)
            outcomes.append(stripe_event_process(company=cast.company_a, event=event).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == (["paid", "replay"] if same_event_id else ["already paid", "paid"])
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert OutboxEvent.objects.filter(topic="order.paid").count() == 1
