"""POST /api/v1/sales-orders/{number}/payments: the ERP reports a bank transfer; company binding, scope,
idempotency on external_id, mismatch and conflict as problem details."""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from selfservice.orders.models import OrderEvent, OrderStatus, PaymentStatus
from selfservice.payments.models import Payment
from tests.factories import make_api_client

from .conftest import bank_setup, prepaid_order

BODY = {
    "amount": "1130.00",
    "currency": "CNY",
    "reference": "PAY-X",
    "external_id": "BANK-2026-0001",
    "paid_at": "2026-11-28T10:00:00+08:00",
}


def _post(client, order, key, body=None, **headers):
    return client.post(
        f"/api/v1/sales-orders/{order.number}/payments",
        data=json.dumps(BODY if body is None else body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", **headers} if key else headers,
    )


@pytest.fixture
def order(cast):
    bank_setup(cast.company_a)
    return prepaid_order(cast)


def _state(order):
    order.refresh_from_db()
    return (
        order.status,
        order.payment_status,
        list(Payment.objects.filter(order=order).values_list("state", "external_id")),
        OutboxEvent.objects.filter(topic="order.paid").count(),
        OrderEvent.objects.filter(order=order).count(),
    )


def test_bank_transfer_marks_the_order_paid_and_is_idempotent(cast, client, order):
    client.get(f"/customer/payments/{order.uuid}/")  # nobody opened the pay page: still works without
    response = _post(client, order, cast.api_a.plain_key)
    assert response.status_code == 200, response.content
    answer = response.json()
    payment = Payment.objects.get(order=order)
    assert answer == {
        "payment": {
            "id": str(payment.uuid),
            "reference": f"PAY-{order.number}",
            "external_id": "BANK-2026-0001",
            "method": "bank_transfer",
            "amount": "1130.00",
            "currency": "CNY",
            "state": "succeeded",
            "paid_at": "2026-11-28T02:00:00Z",
        },
        "order": {"number": order.number, "status": "submitted", "payment_status": "paid"},
    }
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.SUBMITTED, PaymentStatus.PAID)
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)) == ["paid", "submitted"]
    assert OrderEvent.objects.get(order=order, kind="paid").data == {"amount": "1130.00", "reference": "PAY-X"}
    assert AuditEvent.objects.filter(action="payment.bank_transfer").count() == 1

    before = _state(order)
    again = _post(client, order, cast.api_a.plain_key)
    assert (again.status_code, again.json()) == (200, answer)
    assert _state(order) == before


def test_company_binding_scope_and_authentication(cast, client, order):
    before = _state(order)
    assert _post(client, order, cast.api_b.plain_key).status_code == 404
    assert _post(client, order, None).status_code == 401
    reader = make_api_client(company=cast.company_a, scopes=("orders:read",))
    forbidden = _post(client, order, reader.plain_key)
    assert forbidden.status_code == 403
    assert forbidden["Content-Type"] == "application/problem+json"
    control = _post(client, order, cast.api_a.plain_key)
    assert control.status_code == 200  # the right client gets through
    group = make_api_client(company=None, scopes=("orders:write",))
    assert _post(client, order, group.plain_key).status_code == 200  # a replay for the group client too
    assert before != _state(order)


def test_unknown_order_is_404(cast, client, order):
    response = client.post(
        "/api/v1/sales-orders/NO-SUCH/payments",
        data=json.dumps(BODY),
        content_type="application/json",
        headers={"Authorization": f"Bearer {cast.api_a.plain_key}"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [({"amount": "1129.99"}, "amount"), ({"currency": "USD"}, "amount"), ({"amount": "2260.00"}, "amount")],
)
def test_mismatch_is_422_and_changes_nothing(cast, client, order, change, field):
    before = _state(order)
    with translation.override("en"):
        response = _post(client, order, cast.api_a.plain_key, {**BODY, **change}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"][0]["field"] == field
    assert "does not match the order's total CNY 1,130.00" in problem["detail"]
    assert _state(order) == before


def test_invalid_body_is_a_problem(cast, client, order):
    before = _state(order)
    response = _post(client, order, cast.api_a.plain_key, {"amount": "-1", "currency": "CNY"})
    assert response.status_code == 422
    assert sorted(error["field"] for error in response.json()["errors"]) == ["amount", "external_id"]
    response = _post(client, order, cast.api_a.plain_key, b"{not json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert _state(order) == before


def test_order_not_waiting_for_payment_is_409(cast, client, order):
    from selfservice.orders.models import SalesOrder

    SalesOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    before = _state(order)
    response = _post(client, order, cast.api_a.plain_key)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")
    assert _state(order) == before


def test_external_id_reused_with_another_amount_is_409(cast, client, order):
    assert _post(client, order, cast.api_a.plain_key).status_code == 200
    before = _state(order)
    response = _post(client, order, cast.api_a.plain_key, {**BODY, "amount": "1.00"})
    assert response.status_code == 409
    assert _state(order) == before
    assert Payment.objects.get(order=order).amount == Decimal("1130.00")
