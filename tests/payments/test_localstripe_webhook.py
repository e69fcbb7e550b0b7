"""The whole card loop over HTTP: the pay page creates the PaymentIntent at localstripe, the browser's stand-in of
confirmCardPayment pays it (tests/localstripe.py), and localstripe posts its own signed `payment_intent.succeeded`
to the portal's webhook (a live server): the order is paid and goes to review."""

import json
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client

from selfservice.orders.models import OrderStatus, PaymentStatus, SalesOrder
from selfservice.payments.models import Payment, StripeEvent
from tests.conftest import login

from .conftest import WEBHOOK_SECRETS, prepaid_order, stripe_setup

EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"]


def _browser_confirms(localstripe, payment, client_secret, *, success=True):
    """What localstripe's Stripe.js stand-in sends when the customer completes the card dialog."""
    request = urllib.request.Request(
        f"{localstripe.url}/v1/payment_intents/{payment.stripe_payment_intent}/_authenticate?success={str(success).lower()}",
        data=json.dumps({"key": "pk_test_portal", "client_secret": client_secret}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())


def _wait_for(predicate, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_localstripe_pays_and_its_signed_webhook_marks_the_order_paid(cast, stripe_at, live_server):
    stripe_at.add_webhook("portal", f"{live_server.url}/webhooks/stripe/SH01/", WEBHOOK_SECRETS["SH01"], EVENTS)
    try:
        stripe_setup(cast.company_a)
        order = prepaid_order(cast)
        client = login(Client(), cast.customer_c_admin)
        page = client.get(f"/customer/payments/{order.uuid}/").content.decode()
        payment = Payment.objects.get(order=order)
        client_secret = page.split('data-client-secret="', 1)[1].split('"', 1)[0]
        assert client_secret.startswith(payment.stripe_payment_intent + "_secret_")

        intent = _browser_confirms(stripe_at, payment, client_secret)
        assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", 113000, "cny")
        # the browser's success alone changes nothing here; the webhook does
        assert _wait_for(lambda: SalesOrder.objects.get(pk=order.pk).payment_status == PaymentStatus.PAID)
        order.refresh_from_db()
        assert order.status == OrderStatus.SUBMITTED
        assert list(StripeEvent.objects.values_list("type", "outcome")) == [("payment_intent.succeeded", "paid")]
        assert client.get(f"/customer/payments/{order.uuid}/status/").json()["is_paid"] is True
    finally:
        # later tests' events go nowhere
        stripe_at.add_webhook("portal", "http://127.0.0.1:9/", "whsec_unused", ["none"])


@pytest.mark.django_db(transaction=True)
def test_localstripe_decline_leaves_the_order_payable_and_a_new_attempt_pays(cast, stripe_at, live_server):
    stripe_at.add_webhook("portal", f"{live_server.url}/webhooks/stripe/SH01/", WEBHOOK_SECRETS["SH01"], EVENTS)
    try:
        stripe_setup(cast.company_a)
        order = prepaid_order(cast)
        client = login(Client(), cast.customer_c_admin)

        def open_page():
            page = client.get(f"/customer/payments/{order.uuid}/").content.decode()
            return Payment.objects.get(order=order, state="pending"), page.split('data-client-secret="')[1].split('"')[
                0
            ]

        first, secret = open_page()
        with pytest.raises(urllib.error.HTTPError) as declined:
            _browser_confirms(stripe_at, first, secret, success=False)
        assert declined.value.code == 402
        assert _wait_for(lambda: Payment.objects.get(pk=first.pk).state == "failed")
        order.refresh_from_db()
        assert (order.status, order.payment_status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.PENDING)

        second, secret = open_page()
        assert second.pk != first.pk and second.stripe_payment_intent != first.stripe_payment_intent
        assert _browser_confirms(stripe_at, second, secret)["status"] == "succeeded"
        assert _wait_for(lambda: SalesOrder.objects.get(pk=order.pk).payment_status == PaymentStatus.PAID)
        assert sorted(StripeEvent.objects.values_list("type", "outcome")) == [
            ("payment_intent.payment_failed", "failed"),
            ("payment_intent.succeeded", "paid"),
        ]
    finally:
        stripe_at.add_webhook("portal", "http://127.0.0.1:9/", "whsec_unused", ["none"])
