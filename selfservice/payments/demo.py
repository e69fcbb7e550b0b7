"""Demo payment set-ups: SH01 (a mainland entity) takes prepayment by bank transfer to its Shanghai bank account,
confirmed by its ERP (the ERP simulator or `POST /api/v1/sales-orders/{number}/payments`); HK04 takes cards through
its own Stripe account, with test keys.

Card payment needs a Stripe: the demo runs without the internet, so in `make run` the HK04 pay page can create no
PaymentIntent unless a localstripe (a test dependency: `.venv/bin/pip install localstripe`) runs and the portal is
started with STRIPE_API_BASE=http://127.0.0.1:8420 and STRIPE_JS_URL=http://127.0.0.1:8420/js.stripe.com/v3/
(`.venv/bin/python -m localstripe --port 8420`); register the webhook with
`curl -d url=http://localhost:8000/webhooks/stripe/HK04/ -d secret=whsec_demo_hk04
http://127.0.0.1:8420/_config/webhooks/portal`. Without it the page says card payment is unavailable.
Running the loader again changes nothing (a set-up changed in the back office is kept)."""

from __future__ import annotations

from portal.core.registry import demo_data
from portal.integration.secrets_at_rest import encrypt
from portal.organisations.models import Company

from .models import SECRET_PURPOSE, PaymentMethod, PaymentSetup

HK04_KEYS = {
    "publishable": "pk_test_demo_hk04_51GroupTradingHongKong",
    "secret": "sk_test_demo_hk04_51GroupTradingHongKong",
    "webhook": "whsec_demo_hk04",
}


@demo_data.register("095-payments")
def load_payments_demo() -> list:
    shanghai = Company.objects.filter(code="SH01").first()
    if shanghai is not None:
        PaymentSetup.objects.get_or_create(
            company=shanghai,
            defaults={
                "method": PaymentMethod.BANK_TRANSFER,
                "bank_name": "中国银行上海市分行",
                "bank_account_name": "上海钢铁有限公司",
                "bank_account_number": "4378 5820 1093 6512",
                "bank_swift": "BKCHCNBJ300",
                "instructions": "请通过对公账户汇款，并在附言中注明付款参考号（PAY-…）。到账后订单自动进入评审。",
                "is_active": True,
            },
        )
    hong_kong = Company.objects.filter(code="HK04").first()
    if hong_kong is not None:
        PaymentSetup.objects.get_or_create(
            company=hong_kong,
            defaults={
                "method": PaymentMethod.STRIPE,
                "stripe_publishable_key": HK04_KEYS["publishable"],
                "stripe_secret_key": encrypt(HK04_KEYS["secret"], purpose=SECRET_PURPOSE),
                "stripe_webhook_secret": encrypt(HK04_KEYS["webhook"], purpose=SECRET_PURPOSE),
                "is_active": True,
            },
        )
    return []
