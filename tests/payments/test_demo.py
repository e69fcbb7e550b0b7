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


def test_erp_simulator_hears_paid_and_cancelled_orders(caplog):
    from portal.core.registry import autodiscover, erp_simulator

    autodiscover("erp_sim")
    caplog.set_level("INFO", logger="portal.erpsim")
    erp_simulator.get("order.paid")({"data": {"number": "SO-1", "currency": "CNY", "gross_total": "1130.00"}}, None)
    erp_simulator.get("order.cancelled")(
        {
            "data": {
                "number": "SO-1",
                "payment": {"refund": "refund_due", "currency": "CNY", "amount": "1130.00", "reference": "PAY-SO-1"},
            }
        },
        None,
    )
    assert [record.getMessage() for record in caplog.records] == [
        "ERP simulator: would book the prepayment of SO-1 (CNY 1130.00)",
        "ERP simulator: would pay back CNY 1130.00 of SO-1 to the customer (bank transfer PAY-SO-1)",
    ]
