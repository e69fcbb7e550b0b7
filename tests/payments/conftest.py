"""Payments tests: localstripe on 127.0.0.1 (tests/localstripe.py) stands in for Stripe; stripe-python talks HTTP
to it through each company's StripeClient."""

import json
import time

import pytest
import stripe

from portal.integration.secrets_at_rest import encrypt
from selfservice.orders.models import CreditStatus, OrderStatus, PaymentMode, PaymentStatus
from selfservice.payments.models import SECRET_PURPOSE, PaymentMethod, PaymentSetup
from tests.factories import MembershipFactory, UserFactory
from tests.factories.orders import make_order
from tests.localstripe import start_localstripe

WEBHOOK_SECRETS = {"SH01": "whsec_test_sh01", "WH02": "whsec_test_wh02"}


@pytest.fixture(scope="session")
def localstripe():
    server = start_localstripe()
    yield server
    server.stop()


@pytest.fixture
def stripe_at(localstripe, settings):
    """Stripe is localstripe for this test."""
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_JS_URL = localstripe.js_url
    return localstripe


def stripe_setup(company, *, secret_key="sk_test_portal", webhook_secret=None, publishable_key="pk_test_portal"):
    return PaymentSetup.objects.create(
        company=company,
        method=PaymentMethod.STRIPE,
        stripe_publishable_key=publishable_key,
        stripe_secret_key=encrypt(secret_key, purpose=SECRET_PURPOSE),
        stripe_webhook_secret=encrypt(
            webhook_secret or WEBHOOK_SECRETS.get(company.code, "whsec_x"), purpose=SECRET_PURPOSE
        ),
    )


def bank_setup(company):
    return PaymentSetup.objects.create(
        company=company,
        method=PaymentMethod.BANK_TRANSFER,
        bank_name="中国银行上海分行",
        bank_account_name=str(company.name),
        bank_account_number="4500 1234 5678 9000",
        bank_swift="BKCHCNBJ300",
        instructions="请在汇款附言中注明付款参考号。",
    )


def prepaid_order(cast, **fields):
    """An order of customer C at company A (SH01) waiting for prepayment: 10 × 100.00 at 13% = CNY 1130.00."""
    account = cast.customer_c.customer_accounts.get(company=cast.company_a)
    fields.setdefault("placed_by", cast.customer_c_admin)
    fields.setdefault("status", OrderStatus.AWAITING_PAYMENT)
    fields.setdefault("payment_mode", PaymentMode.PREPAY)
    fields.setdefault("payment_status", PaymentStatus.PENDING)
    fields.setdefault("credit_status", CreditStatus.PREPAID)
    return make_order(account, **fields)


def customer_member(cast, email, roles):
    return MembershipFactory(partner=cast.customer_c, user=UserFactory(email=email), roles=roles).user


def signed(payload: dict, secret: str, *, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe sends (https://docs.stripe.com/webhooks#verify-manually)."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def intent_event(
    intent_id, *, event_type="payment_intent.succeeded", amount=113000, currency="cny", event_id=None, **extra
):
    intent = {"id": intent_id, "object": "payment_intent", "amount": amount, "currency": currency, **extra}
    if event_type == "payment_intent.succeeded":
        intent.setdefault("amount_received", amount)
        intent.setdefault("status", "succeeded")
    return {
        "id": event_id or f"evt_{intent_id}_{event_type.rsplit('.', 1)[1]}",
        "object": "event",
        "type": event_type,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "data": {"object": intent},
    }


def post_event(client, company_code, payload, *, secret=None, timestamp=None):
    body, header = signed(payload, secret or WEBHOOK_SECRETS[company_code], timestamp=timestamp)
    return client.post(
        f"/webhooks/stripe/{company_code}/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
