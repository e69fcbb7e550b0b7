"""Outsider sweep registrations for payments (imported by the sweep test only).

The pay page, the status it polls and the customer's cancel are the customer's own (the order's uuid in the path);
the back office's set-up page is its company's (the company code in the path), the staff cancel the order
company's. The ERP's bank-transfer report is its company's: another company's client gets 404. Stripe's webhook
answers nobody but Stripe: without the company's signature everyone gets 400, and nothing is stored."""

from portal.core.outsider import OutsiderCase, register
from portal.integration.secrets_at_rest import encrypt
from selfservice.orders.models import CreditStatus, OrderStatus, PaymentMode, PaymentStatus, SalesOrder
from selfservice.payments.models import SECRET_PURPOSE, PaymentMethod, PaymentSetup
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.orders import make_order


def _bank_setup(cast):
    return PaymentSetup.objects.create(
        company=cast.company_a,
        method=PaymentMethod.BANK_TRANSFER,
        bank_name="中国银行上海分行",
        bank_account_name="上海钢铁有限公司",
        bank_account_number="4500 1234 5678 9000",
    )


def _stripe_setup(cast):
    return PaymentSetup.objects.create(
        company=cast.company_a,
        method=PaymentMethod.STRIPE,
        stripe_publishable_key="pk_test_sweep",
        stripe_secret_key=encrypt("sk_test_sweep", purpose=SECRET_PURPOSE),
        stripe_webhook_secret=encrypt("whsec_sweep", purpose=SECRET_PURPOSE),
    )


def _prepaid_order(cast) -> SalesOrder:
    """Customer C's order at company A waiting for a bank transfer (no Stripe needed)."""
    _bank_setup(cast)
    return make_order(
        cast.customer_c.customer_accounts.get(company=cast.company_a),
        status=OrderStatus.AWAITING_PAYMENT,
        payment_mode=PaymentMode.PREPAY,
        payment_status=PaymentStatus.PENDING,
        credit_status=CreditStatus.PREPAID,
        placed_by=cast.customer_c_admin,
    )


def _order_kwargs(order):
    return {"order_id": order.uuid}


def _finance(cast, obj):
    return StaffRoleFactory(user=UserFactory(email="finance@group.test"), role="finance", company=cast.company_a).user


register(
    OutsiderCase(
        url_name="payments:pay",
        model=SalesOrder,
        make=_prepaid_order,
        owner=lambda cast, order: cast.customer_c_admin,
        kwargs=_order_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="payments:order_status",
        model=SalesOrder,
        make=_prepaid_order,
        owner=lambda cast, order: cast.customer_c_admin,
        kwargs=_order_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="payments:order_cancel",
        model=SalesOrder,
        make=_prepaid_order,
        owner=lambda cast, order: cast.customer_c_admin,
        kwargs=_order_kwargs,
        method="post",
        data={"reason": "Ordered twice"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="payments_admin:order_cancel",
        model=SalesOrder,
        make=_prepaid_order,
        owner=lambda cast, order: cast.sales,
        kwargs=_order_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="payments_admin:setup_edit",
        model=PaymentSetup,
        make=_bank_setup,
        owner=_finance,
        kwargs=lambda setup: {"company_code": setup.company.code},
    )
)
# An unsigned POST: 400 for everyone (the owner too), nothing stored.
register(
    OutsiderCase(
        url_name="stripe_webhooks:stripe",
        model=PaymentSetup,
        make=_stripe_setup,
        owner=lambda cast, setup: cast.outsider,
        kwargs=lambda setup: {"company_code": setup.company.code},
        method="post",
        owner_status=400,
        expect={"supplier_b_admin": 400, "staff_b": 400, "outsider": 400, "anonymous": 400, "api_b": 400},
    )
)
# The sweep posts form data, not JSON: company A's client reaches the view (400, body not JSON); company B's gets 404.
register(
    OutsiderCase(
        url_name="api-v1:sales_order_payments",
        model=SalesOrder,
        make=_prepaid_order,
        owner=lambda cast, order: cast.api_a,
        kwargs=lambda order: {"number": order.number},
        method="post",
        owner_status=400,
    )
)
