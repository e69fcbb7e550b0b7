"""Talking to Stripe for one selling company: each company has its own Stripe account, so every call goes through
a `stripe.StripeClient` made with that company's secret key (never the global `stripe.api_key`), at
`settings.STRIPE_API_BASE` (localstripe on 127.0.0.1 in tests and the demo).

https://docs.stripe.com/api/payment_intents · https://docs.stripe.com/api/refunds · https://docs.stripe.com/webhooks
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import stripe
from django.conf import settings

from portal.integration.secrets_at_rest import decrypt

from .models import SECRET_PURPOSE, PaymentSetup

# Currencies without a minor unit (https://docs.stripe.com/currencies#zero-decimal); every other one we sell in
# (CNY, USD, EUR, HKD …) has two decimals.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# Seconds a webhook's signature timestamp may be old (Stripe's own default).
WEBHOOK_TOLERANCE = 300
# Stripe answers within seconds; a page waiting for it must not hang.
TIMEOUT_SECONDS = 20


def minor_unit_exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """12345.67 CNY → 1234567; JPY has no minor unit (rounded half up to whole yen)."""
    exponent = minor_unit_exponent(currency)
    return int((Decimal(amount) * (10**exponent)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = minor_unit_exponent(currency)
    return (Decimal(int(amount)) / (10**exponent)).quantize(Decimal("0.01"))


def secret_key(setup: PaymentSetup) -> str:
    return decrypt(setup.stripe_secret_key, purpose=SECRET_PURPOSE) if setup.stripe_secret_key else ""


def webhook_secret(setup: PaymentSetup) -> str:
    return decrypt(setup.stripe_webhook_secret, purpose=SECRET_PURPOSE) if setup.stripe_webhook_secret else ""


def stripe_client(setup: PaymentSetup) -> stripe.StripeClient:
    """The company's own Stripe account. Retries reuse the idempotency key each call sends."""
    return stripe.StripeClient(
        secret_key(setup),
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def verify_event(setup: PaymentSetup, payload: bytes, signature: str) -> stripe.Event:
    """The event, if `signature` (the Stripe-Signature header) is the company's webhook secret's signature of
    `payload`, made within WEBHOOK_TOLERANCE seconds; else stripe.SignatureVerificationError / ValueError."""
    secret = webhook_secret(setup)
    if not secret:
        raise stripe.SignatureVerificationError("No webhook secret is configured.", signature)
    return stripe.Webhook.construct_event(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def pay_page_csp(base_policy: str) -> str:
    """The portal's Content-Security-Policy, widened for the pay page only: Stripe.js from STRIPE_JS_URL's
    origin, its frames, and its calls to the Stripe API (https://docs.stripe.com/security/guide#content-security-policy)."""
    js = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE)
    extra = {
        "script-src": [js],
        "connect-src": [api, js],
        "frame-src": ["'self'", js, "https://hooks.stripe.com"] if "stripe.com" in js else ["'self'", js],
    }
    directives = [part.strip() for part in base_policy.split(";") if part.strip()]
    found = set()
    result = []
    for directive in directives:
        name = directive.split()[0]
        if name in extra:
            found.add(name)
            values = [value for value in extra[name] if value and value not in directive.split()]
            directive = " ".join([directive, *values])
        result.append(directive)
    for name, values in extra.items():
        if name not in found:
            result.append(" ".join([name, *dict.fromkeys(value for value in values if value)]))
    return "; ".join(result)
