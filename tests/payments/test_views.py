"""The customer's pay page, status and cancel, and the back office's set-up and staff cancel: the role matrix
(right user, colleague without the role, outsider, anonymous) with nothing changed on every denial."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.integration.secrets_at_rest import decrypt
from portal.notifications.models import Notification
from selfservice.orders.models import OrderEvent, OrderStatus, PaymentStatus, SalesOrder
from selfservice.payments.models import SECRET_PURPOSE, Payment, PaymentSetup
from tests.conftest import login
from tests.factories import CompanyFactory, StaffRoleFactory, UserFactory

from .conftest import bank_setup, customer_member, prepaid_order, stripe_setup


def _state(order):
    order = SalesOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.payment_status,
        Payment.objects.count(),
        OutboxEvent.objects.count(),
        OrderEvent.objects.count(),
        Notification.objects.count(),
        len(mail.outbox),
    )


@pytest.fixture
def order(cast):
    bank_setup(cast.company_a)
    return prepaid_order(cast)


def test_bank_transfer_pay_page_shows_details_and_reference(cast, order):
    client = login(Client(), cast.customer_c_admin)
    with translation.override("en"):
        response = client.get(f"/customer/payments/{order.uuid}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<strong data-testid="reference">PAY-{order.number}</strong>' in content
    assert "4500 1234 5678 9000" in content and "中国银行上海分行" in content and "BKCHCNBJ300" in content
    assert 'data-testid="amount">CNY 1,130.00<' in content
    assert "js.stripe.com" not in content
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.state, payment.reference) == ("bank_transfer", "pending", f"PAY-{order.number}")
    client.get(f"/customer/payments/{order.uuid}/")
    assert Payment.objects.filter(order=order).count() == 1


def test_pay_page_role_matrix(cast, order):
    url = f"/customer/payments/{order.uuid}/"
    finance = customer_member(cast, "finance@customer-c.test", ["finance"])
    logistics = customer_member(cast, "logistics@customer-c.test", ["logistics"])
    before = _state(order)
    assert login(Client(), logistics).get(url).status_code == 403
    for outsider in (cast.supplier_b_admin, cast.staff_b, cast.outsider, cast.sales):
        assert login(Client(), outsider).get(url).status_code == 404, outsider
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert _state(order) == before
    assert login(Client(), finance).get(url).status_code == 200
    assert Payment.objects.filter(order=order).count() == 1


def test_status_endpoint(cast, order):
    client = login(Client(), cast.customer_c_admin)
    with translation.override("en"):
        response = client.get(f"/customer/payments/{order.uuid}/status/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {
        "status": "awaiting_payment",
        "status_label": "Awaiting payment",
        "payment_status": "pending",
        "payment_status_label": "Not yet paid",
        "is_paid": False,
        "order_url": f"/customer/orders/{order.uuid}/",
    }
    assert login(Client(), cast.outsider).get(f"/customer/payments/{order.uuid}/status/").status_code == 404


def test_pay_page_for_orders_not_waiting_and_companies_without_setup(cast):
    client = login(Client(), cast.customer_c_admin)
    submitted = prepaid_order(cast, status=OrderStatus.SUBMITTED, payment_status=PaymentStatus.NOT_REQUIRED)
    with translation.override("en"):
        response = client.get(f"/customer/payments/{submitted.uuid}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "This order is not waiting for a payment." in response.content.decode()
        waiting = prepaid_order(cast)  # company A has no payment set-up
        response = client.get(f"/customer/payments/{waiting.uuid}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "does not take online prepayment yet" in response.content.decode()
    assert Payment.objects.count() == 0


def test_stripe_unreachable_is_a_message_not_a_500(cast, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    stripe_setup(cast.company_a)
    order = prepaid_order(cast)
    client = login(Client(), cast.customer_c_admin)
    with translation.override("en"):
        response = client.get(f"/customer/payments/{order.uuid}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Card payment is not available at the moment." in response.content.decode()
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.stripe_payment_intent) == ("pending", None)


def test_customer_cancel_role_matrix(cast, order, django_capture_on_commit_callbacks):
    url = f"/customer/payments/{order.uuid}/cancel/"
    finance = customer_member(cast, "finance@customer-c.test", ["finance"])
    before = _state(order)
    assert login(Client(), finance).post(url, {"reason": "x"}).status_code == 403
    for outsider in (cast.supplier_b_admin, cast.staff_b, cast.outsider, cast.sales):
        assert login(Client(), outsider).post(url, {"reason": "x"}).status_code == 404, outsider
    anonymous = Client().post(url, {"reason": "x"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert login(Client(), cast.customer_c_admin).get(url).status_code == 405
    assert _state(order) == before

    sales_person = StaffRoleFactory(user=UserFactory(email="sales2@group.test"), role="sales", company=cast.company_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(Client(), cast.customer_c_admin).post(url, {"reason": "Ordered twice"})
    assert (response.status_code, response["Location"]) == (302, f"/customer/orders/{order.uuid}/")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Ordered twice")
    assert OrderEvent.objects.get(order=order, kind="cancelled").data == {"reason": "Ordered twice", "by": "customer"}
    assert OutboxEvent.objects.filter(topic="order.cancelled").count() == 1
    # the other side hears of it: the company's sales staff
    assert set(Notification.objects.filter(kind="orders.cancelled").values_list("recipient__email", flat=True)) == {
        "sales@group.test",
        sales_person.user.email,
    }
    assert AuditEvent.objects.get(action="order.cancel").after["by"] == "customer"

    again = login(Client(), cast.customer_c_admin).post(url, {"reason": "again"})
    assert again.status_code == 302
    assert OutboxEvent.objects.filter(topic="order.cancelled").count() == 1


def test_customer_cannot_cancel_a_reviewed_order(cast):
    order = prepaid_order(cast, status=OrderStatus.CONFIRMED, payment_status=PaymentStatus.NOT_REQUIRED)
    before = _state(order)
    with translation.override("en"):
        response = login(Client(), cast.customer_c_admin).post(
            f"/customer/payments/{order.uuid}/cancel/", {"reason": "late"}, follow=False
        )
    assert response.status_code == 302
    assert _state(order) == before


def test_paid_bank_transfer_order_cancel_records_refund_due(cast, order, client):
    from selfservice.payments.services import bank_transfer_record

    bank_transfer_record(
        actor=cast.api_a, order=order, amount=order.gross_total, currency="CNY", reference="", external_id="B1"
    )
    login(client, cast.customer_c_admin).post(f"/customer/payments/{order.uuid}/cancel/", {"reason": "No longer"})
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "paid")  # the ERP pays it back
    assert OrderEvent.objects.get(order=order, kind="refund_due").data["refund"] == "refund_due"
    payload = OutboxEvent.objects.get(topic="order.cancelled").payload
    assert payload["payment"] == {
        "reference": f"PAY-{order.number}",
        "method": "bank_transfer",
        "amount": "1130.00",
        "currency": "CNY",
        "refund": "refund_due",
        "external_id": "B1",
    }


def test_staff_cancel_page_role_matrix(cast, order, django_capture_on_commit_callbacks):
    url = f"/cms/payments/orders/{order.uuid}/cancel/"
    before = _state(order)
    assert login(Client(), cast.buyer).post(url, {"reason": "x"}).status_code == 403  # staff without the role
    assert login(Client(), cast.staff_b).post(url, {"reason": "x"}).status_code == 404
    assert login(Client(), cast.supplier_b_admin).post(url, {"reason": "x"}).status_code in (302, 403)
    assert Client().post(url, {"reason": "x"}).status_code == 302
    with translation.override("en"):
        empty = login(Client(), cast.sales).post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 422
    assert _state(order) == before

    assert login(Client(), cast.sales).get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = login(Client(), cast.sales).post(url, {"reason": "Customer asked by phone"})
    assert (response.status_code, response["Location"]) == (302, f"/cms/orders/{order.uuid}/")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert set(Notification.objects.filter(kind="orders.cancelled").values_list("recipient__email", flat=True)) == {
        "admin@customer-c.test"
    }


def test_setup_edit_stores_secrets_encrypted_masked_and_kept(cast):
    finance = StaffRoleFactory(
        user=UserFactory(email="finance@group.test"), role="finance", company=cast.company_a
    ).user
    client = login(Client(), finance)
    url = "/cms/payments/SH01/"
    data = {
        "method": "stripe",
        "is_active": "on",
        "stripe_publishable_key": "pk_test_sh01",
        "stripe_secret_key": "sk_test_secret_sh01",
        "stripe_webhook_secret": "whsec_sh01",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    setup = PaymentSetup.objects.get(company=cast.company_a)
    assert setup.stripe_secret_key.startswith("fernet:")
    assert decrypt(setup.stripe_secret_key, purpose=SECRET_PURPOSE) == "sk_test_secret_sh01"
    assert decrypt(setup.stripe_webhook_secret, purpose=SECRET_PURPOSE) == "whsec_sh01"

    page = client.get(url).content.decode()
    assert "sk_test_secret_sh01" not in page and "whsec_sh01" not in page
    assert "••••••••" in page
    assert "http://localhost:8000/webhooks/stripe/SH01/" in page or "/webhooks/stripe/SH01/" in page

    stored = setup.stripe_secret_key
    client.post(
        url, {**data, "stripe_secret_key": "", "stripe_webhook_secret": "", "stripe_publishable_key": "pk_test_2"}
    )
    setup.refresh_from_db()
    assert (setup.stripe_secret_key, setup.stripe_publishable_key) == (stored, "pk_test_2")

    audits = list(AuditEvent.objects.filter(action="payment_setup.save").order_by("id"))
    assert [audit.after["secrets_changed"] for audit in audits] == [["stripe_secret_key", "stripe_webhook_secret"], []]
    for audit in audits:
        assert "sk_test_secret_sh01" not in str(audit.after) + str(audit.before)
        assert "whsec_sh01" not in str(audit.after) + str(audit.before)


def test_setup_edit_refuses_bad_input_and_other_people(cast):
    finance = StaffRoleFactory(
        user=UserFactory(email="finance@group.test"), role="finance", company=cast.company_a
    ).user
    url = "/cms/payments/SH01/"
    with translation.override("en"):
        response = login(Client(), finance).post(
            url, {"method": "stripe", "is_active": "on", "stripe_secret_key": "pk_wrong"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 422
        assert "A secret key starts with" in response.content.decode()
        response = login(Client(), finance).post(
            url, {"method": "stripe", "is_active": "on"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 422
        assert "Card payment needs the Stripe" in response.content.decode()
    assert login(Client(), cast.sales).post(url, {"method": "bank_transfer"}).status_code == 403
    assert login(Client(), cast.staff_b).post(url, {"method": "bank_transfer"}).status_code == 404
    assert PaymentSetup.objects.count() == 0
    assert AuditEvent.objects.filter(action="payment_setup.save").count() == 0
    # group administrators may
    response = login(Client(), cast.group_admin).post(
        url, {"method": "bank_transfer", "is_active": "on", "bank_account_number": "123"}
    )
    assert response.status_code == 302
    assert PaymentSetup.objects.get().bank_account_number == "123"


def _flagged_payment(cast, number):
    order = prepaid_order(cast)
    return Payment.objects.create(
        order=order,
        company=cast.company_a,
        method="stripe",
        amount=order.gross_total,
        currency="CNY",
        reference=f"PAY-FLAG-{number}",
        needs_review=True,
        failure_message="amount mismatch",
    )


# The back office's list: session, user and Wagtail's own queries, then the companies, their set-ups and the
# payments that need a look: the same number for one company as for six.
SETUP_INDEX_QUERIES = 15


@pytest.mark.parametrize("size", [1, 6])
def test_setup_index_query_count_is_constant(cast, django_assert_num_queries, size):
    client = login(Client(), cast.group_admin)
    for number in range(size):
        bank_setup(CompanyFactory())
        _flagged_payment(cast, number)
    client.get("/cms/payments/")  # warm up Wagtail's caches
    with django_assert_num_queries(SETUP_INDEX_QUERIES):
        response = client.get("/cms/payments/")
    assert response.status_code == 200
    assert response.content.decode().count("PAY-FLAG-") == size
