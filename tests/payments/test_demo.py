from portal.integration.secrets_at_rest import decrypt
from selfservice.payments.demo import load_payments_demo
from selfservice.payments.models import SECRET_PURPOSE, PaymentSetup
from tests.factories import CompanyFactory


def test_demo_payment_setups_are_idempotent(db):
    CompanyFactory(code="SH01")
    CompanyFactory(code="HK04", currency="USD")
    load_payments_demo()
    first = {setup.company.code: (setup.method, setup.updated_at) for setup in PaymentSetup.objects.all()}
    load_payments_demo()
    assert {setup.company.code: (setup.method, setup.updated_at) for setup in PaymentSetup.objects.all()} == first
    assert {code: method for code, (method, _at) in first.items()} == {"SH01": "bank_transfer", "HK04": "stripe"}
    hong_kong = PaymentSetup.objects.get(company__code="HK04")
    assert decrypt(hong_kong.stripe_webhook_secret, purpose=SECRET_PURPOSE) == "whsec_demo_hk04"
