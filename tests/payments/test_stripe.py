"""Card prepayment against localstripe over HTTP: one PaymentIntent per order attempt, the signed webhook marks
the order paid exactly once, forged / foreign / mismatched events change nothing, failures leave it payable,
cancelling refunds."""

import time
from decimal import Decimal

import pytest
import stripe
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from selfservice.orders.cancel import order_cancel
from selfservice.orders.models import OrderEvent, OrderStatus, PaymentStatus, SalesOrder
from selfservice.payments import gateway
from selfservice.payments.models import Payment, PaymentSetup, PaymentState, StripeEvent
from tests.conftest import login

from .conftest import WEBHOOK_SECRETS, intent_event, post_event, prepaid_order, signed, stripe_setup


def test_minor_units():
    assert gateway.to_minor_units(Decimal("1130.00"), "CNY") == 113000
    assert gateway.to_minor_units(Decimal("12.345"), "usd") == 1235  # half up
    assert gateway.to_minor_units(Decimal("0.01"), "EUR") == 1
    assert gateway.to_minor_units(Decimal("1500"), "JPY") == 1500
    assert gateway.to_minor_units(Decimal("1500.50"), "JPY") == 1501
    assert gateway.from_minor_units(113000, "cny") == Decimal("1130.00")
    assert gateway.from_minor_units(1500, "JPY") == Decimal("1500.00")


def _client(setup):
    return gateway.stripe_client(setup)


def _open_pay_page(client, order):
    response = client.get(f"/customer/payments/{order.uuid}/")
    assert response.status_code == 200
    return response


@pytest.fixture
def paying(cast, stripe_at, client):
    setup = stripe_setup(cast.company_a)
    order = prepaid_order(cast)
    login(client, cast.customer_c_admin)
    return setup, order, client


def test_pay_page_creates_one_payment_intent_and_reuses_it(paying, stripe_at):
    setup, order, client = paying
    first = _open_pay_page(client, order)
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.method, payment.amount, payment.currency) == (
        "pending",
        "stripe",
        Decimal("1130.00"),
        "CNY",
    )
    assert payment.reference == f"PAY-{order.number}"
    intent = _client(setup).v1.payment_intents.retrieve(payment.stripe_payment_intent)
    assert (intent.amount, intent.currency, intent.status) == (113000, "cny", "requires_payment_method")
    assert intent.metadata.to_dict() == {
        "order_number": order.number,
        "order": str(order.uuid),
        "company": "SH01",
        "payment": str(payment.uuid),
        "reference": payment.reference,
    }
    content = first.content.decode()
    assert f'data-client-secret="{intent.client_secret}"' in content
    assert f'<script src="{stripe_at.js_url}"></script>' in content
    assert 'data-publishable-key="pk_test_portal"' in content
    assert stripe_at.url in first["Content-Security-Policy"]
    assert first["Cache-Control"] == "no-store"

    _open_pay_page(client, order)  # reload
    assert Payment.objects.filter(order=order).count() == 1
    assert Payment.objects.get(order=order).stripe_payment_intent == intent.id


def test_signed_succeeded_event_marks_paid_exactly_once(paying, client, django_capture_on_commit_callbacks):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    event = intent_event(payment.stripe_payment_intent)
    anonymous = type(client)()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(anonymous, "SH01", event)
    assert (response.status_code, response.content) == (200, b"paid")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.SUBMITTED, PaymentStatus.PAID)
    assert payment.state == PaymentState.SUCCEEDED and payment.paid_at is not None
    assert list(StripeEvent.objects.values_list("event_id", "outcome", "payment_id")) == [
        (event["id"], "paid", payment.pk)
    ]

    replay = post_event(anonymous, "SH01", event)
    assert (replay.status_code, replay.content) == (200, b"replay")
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert OutboxEvent.objects.filter(topic="order.paid").count() == 1
    assert OutboxEvent.objects.filter(topic="order.submitted").count() == 1
    assert StripeEvent.objects.count() == 1

    # the same PaymentIntent succeeding again under another event id changes nothing either
    again = post_event(anonymous, "SH01", intent_event(payment.stripe_payment_intent, event_id="evt_other"))
    assert (again.status_code, again.content) == (200, b"already paid")
    assert OutboxEvent.objects.filter(topic="order.paid").count() == 1


def _snapshot(order):
    order = SalesOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.payment_status,
        list(Payment.objects.filter(order=order).values_list("state", "needs_review")),
        StripeEvent.objects.count(),
        OutboxEvent.objects.count(),
        OrderEvent.objects.count(),
    )


def _refused(response, order, before):
    assert response.status_code == 400
    assert _snapshot(order) == before


@pytest.fixture
def pending_event(paying):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    return order, intent_event(payment.stripe_payment_intent)


def test_forged_signature_is_refused(pending_event, client):
    order, event = pending_event
    before = _snapshot(order)
    _refused(post_event(client, "SH01", event, secret="whsec_guessed"), order, before)


def test_signature_of_another_companys_secret_is_refused(pending_event, cast, client):
    order, event = pending_event
    stripe_setup(cast.company_b)
    before = _snapshot(order)
    _refused(post_event(client, "SH01", event, secret=WEBHOOK_SECRETS["WH02"]), order, before)
    # company B's own URL, with its own secret, does not reach company A's PaymentIntent
    response = post_event(client, "WH02", event)
    assert (response.status_code, response.content) == (200, b"unknown payment intent")
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PENDING


def test_stale_signature_is_refused(pending_event, client):
    order, event = pending_event
    before = _snapshot(order)
    _refused(post_event(client, "SH01", event, timestamp=int(time.time()) - 301), order, before)


def test_missing_signature_and_unreadable_body_are_refused(pending_event, client):
    order, _event = pending_event
    before = _snapshot(order)
    _refused(client.post("/webhooks/stripe/SH01/", data=b"{}", content_type="application/json"), order, before)
    _refused(
        client.post(
            "/webhooks/stripe/SH01/",
            data=b"\xff\xfe{",
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE="t=1,v1=0",
        ),
        order,
        before,
    )


def test_unknown_company_and_company_without_stripe_are_refused(pending_event, cast, client):
    order, event = pending_event
    before = _snapshot(order)
    body, header = signed(event, WEBHOOK_SECRETS["SH01"])
    for code in ("NOPE", "WH02"):  # WH02 has no payment set-up
        response = client.post(
            f"/webhooks/stripe/{code}/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        _refused(response, order, before)


def test_webhook_is_post_only(cast, client):
    stripe_setup(cast.company_a)
    assert client.get("/webhooks/stripe/SH01/").status_code == 405


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [(113001, "cny", "amount mismatch"), (100, "cny", "amount mismatch"), (113000, "usd", "currency mismatch")],
)
def test_mismatched_payment_is_refused_and_flagged(paying, client, amount, currency, reason):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    event = intent_event(payment.stripe_payment_intent, amount=amount, currency=currency)
    response = post_event(type(client)(), "SH01", event)
    assert (response.status_code, response.content.decode()) == (200, f"refused: {reason}")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.PENDING)
    assert (payment.state, payment.needs_review, payment.failure_message) == ("pending", True, reason)
    assert list(StripeEvent.objects.values_list("outcome", flat=True)) == [f"refused: {reason}"]
    assert OutboxEvent.objects.filter(topic="order.paid").count() == 0
    audit = AuditEvent.objects.get(action="payment.refused")
    assert audit.after["reason"] == reason and audit.after["received"] == amount


def test_failed_payment_leaves_the_order_payable_and_a_new_attempt_works(paying, client, stripe_at):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    first = Payment.objects.get(order=order)
    failed = intent_event(
        first.stripe_payment_intent,
        event_type="payment_intent.payment_failed",
        last_payment_error={"message": "Your card was declined."},
    )
    response = post_event(type(client)(), "SH01", failed)
    assert (response.status_code, response.content) == (200, b"failed")
    first.refresh_from_db()
    order.refresh_from_db()
    assert (first.state, first.failure_message) == ("failed", "Your card was declined.")
    assert (order.status, order.payment_status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.PENDING)
    assert OrderEvent.objects.filter(order=order, kind="payment_failed").count() == 1

    _open_pay_page(customer, order)  # a new attempt
    second = Payment.objects.get(order=order, state="pending")
    assert second.reference == f"PAY-{order.number}-2"
    assert second.stripe_payment_intent and second.stripe_payment_intent != first.stripe_payment_intent

    response = post_event(type(client)(), "SH01", intent_event(second.stripe_payment_intent))
    assert response.content == b"paid"
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID


def test_cancelled_payment_intent_leaves_the_order_payable(paying, client):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    event = intent_event(payment.stripe_payment_intent, event_type="payment_intent.canceled")
    assert post_event(type(client)(), "SH01", event).content == b"cancelled"
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_ignored_event_types_answer_200_and_store_nothing(paying, client):
    event = intent_event("pi_x", event_type="charge.refunded")
    response = post_event(type(client)(), "SH01", event)
    assert (response.status_code, response.content) == (200, b"ignored")
    assert StripeEvent.objects.count() == 0


def _pay_at_localstripe(setup, payment, card="4242424242424242"):
    """What Stripe.js does with the card typed: attach a card and confirm the PaymentIntent."""
    client = _client(setup)
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"}}
    )
    client.v1.payment_intents.update(payment.stripe_payment_intent, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(payment.stripe_payment_intent)


def test_cancelling_a_paid_card_order_refunds_it_at_stripe(paying, cast, client, django_capture_on_commit_callbacks):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    intent = _pay_at_localstripe(setup, payment)
    assert intent.status == "succeeded"
    assert post_event(type(client)(), "SH01", intent_event(intent.id)).content == b"paid"

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        order_cancel(actor=cast.customer_c_admin, order=order, reason="Ordered twice")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.payment_status, order.cancel_reason) == ("cancelled", "refunded", "Ordered twice")
    assert (payment.state, payment.refunded_amount) == ("refunded", Decimal("1130.00"))
    refund = _client(setup).v1.refunds.retrieve(payment.stripe_refund)
    assert (refund.amount, refund.currency, refund.status, refund.payment_intent) == (
        113000,
        "cny",
        "succeeded",
        intent.id,
    )
    event = OutboxEvent.objects.get(topic="order.cancelled")
    assert event.payload["cancelled_by"] == "customer"
    assert event.payload["payment"]["refund"] == "refunded"
    assert event.payload["payment"]["stripe_refund"] == refund.id
    assert event.payload["payment_status"] == "refunded"


def test_cancelling_an_unpaid_card_order_cancels_its_payment_intent(paying, cast):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    order_cancel(actor=cast.sales, order=order, reason="Customer asked by phone")
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED
    assert _client(setup).v1.payment_intents.retrieve(payment.stripe_payment_intent).status == "canceled"
    assert OutboxEvent.objects.get(topic="order.cancelled").payload["cancelled_by"] == "staff"


def test_a_declined_card_at_localstripe_sends_nothing_paid(paying):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    with pytest.raises(stripe.CardError):
        _pay_at_localstripe(setup, payment, card="4000000000000341")
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PENDING


def test_events_still_land_after_the_company_switched_to_bank_transfer(paying, client):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    PaymentSetup.objects.filter(pk=setup.pk).update(method="bank_transfer", is_active=False)
    event = intent_event(payment.stripe_payment_intent, event_type="payment_intent.canceled")
    assert post_event(client, "SH01", event).content == b"cancelled"
    assert post_event(client, "SH01", event, secret="whsec_guessed").status_code == 400


def test_reload_after_stripe_cancelled_the_intent_starts_a_new_attempt(paying):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    first = Payment.objects.get(order=order)
    _client(setup).v1.payment_intents.cancel(first.stripe_payment_intent)  # its webhook has not arrived
    page = _open_pay_page(customer, order).content.decode()
    first.refresh_from_db()
    second = Payment.objects.get(order=order, state="pending")
    assert first.state == PaymentState.CANCELLED
    assert second.stripe_payment_intent != first.stripe_payment_intent
    assert f'data-client-secret="{second.stripe_payment_intent}_secret_' in page


def test_reload_after_the_card_was_charged_only_says_confirming(paying):
    setup, order, customer = paying
    _open_pay_page(customer, order)
    payment = Payment.objects.get(order=order)
    _pay_at_localstripe(setup, payment)  # paid at Stripe; the webhook is still on its way
    with translation.override("en"):
        page = customer.get(f"/customer/payments/{order.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Payment received — confirming with the seller…" in page
    assert "data-client-secret" not in page and "js.stripe.com" not in page
    assert Payment.objects.filter(order=order).count() == 1
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PENDING  # the browser's visit decides nothing
